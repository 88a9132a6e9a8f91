import pytest

from sharingcity.budgeting import panels
from sharingcity.budgeting.models import Panel, PanelVolunteer
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.planning import sortition
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

POOL = "id,gender,age,household\n" + "\n".join(
    f"r{i},{'female' if i % 2 else 'male'},{'young' if i % 3 else 'old'},{'h' + str(i // 2) if i < 4 else ''}"
    for i in range(30)
)
QUOTAS = [{"feature": "gender", "value": g, "min": 2, "max": 3} for g in ("female", "male")] + [
    {"feature": "age", "value": a, "min": 1, "max": 4} for a in ("young", "old")
]


def test_panel_from_import_to_verifiable_draw_and_replacement():
    admin = f.bureau_admin()
    panel = panels.check_create_panel(
        actor=admin, title="Panel", size=5, seed_source="Lotto draw 1200", one_per_household=True
    )
    assert panels.check_import_pool(actor=admin, panel=panel, data=POOL) == 30
    panels.check_set_quotas(actor=admin, panel=panel, quotas=QUOTAS)
    panels.check_publish_lottery(actor=admin, panel=panel)  # runs inline under tests
    panel.refresh_from_db()
    assert panel.stage == Panel.Stage.LOTTERY_READY and panel.minimum_probability > 0
    panels.check_draw(actor=admin, panel=panel, seed="3 11 19 27 38 42")
    panel.refresh_from_db()
    members = sorted(
        panel.volunteers.filter(status="selected").values_list("external_id", flat=True)
    )
    assert len(members) == 5 and panel.audit_report["quotas_met"]
    # anyone re-runs the published draw and gets the same panel
    lottery = sortition.PanelLottery.from_dict(panel.lottery)
    assert lottery.digest == panel.lottery_digest
    assert sortition.verify_draw(lottery, panel.seed, members)
    new = panels.check_replace(actor=admin, panel=panel, declined=[members[0]], seed="next draw 7")
    assert (
        len(new) == 1
        and PanelVolunteer.objects.get(panel=panel, external_id=members[0]).status == "declined"
    )
    current = panel.volunteers.filter(status__in=["selected", "replacement"])
    genders = [v.features["gender"] for v in current]
    assert 2 <= genders.count("female") <= 3 and len(genders) == 5


def test_infeasible_quotas_are_explained():
    admin = f.bureau_admin()
    panel = panels.check_create_panel(actor=admin, title="P", size=5, seed_source="x")
    panels.check_import_pool(actor=admin, panel=panel, data=POOL)
    panels.check_set_quotas(
        actor=admin,
        panel=panel,
        quotas=[{"feature": "gender", "value": g, "min": 3, "max": 3} for g in ("female", "male")]
        + [{"feature": "age", "value": a, "min": 0, "max": 5} for a in ("young", "old")],
    )
    panels.compute_lottery(panel.pk)
    panel.refresh_from_db()
    assert (
        panel.stage == Panel.Stage.POOL_CLOSED
        and "No panel of 5" in panel.audit_report["infeasible"]
    )


def test_bad_pool_and_quota_input():
    admin = f.bureau_admin()
    panel = panels.check_create_panel(actor=admin, title="P", size=5, seed_source="x")
    with pytest.raises(InvalidInput) as e:
        panels.check_import_pool(
            actor=admin, panel=panel, data="id,gender\nr1,female\nr1,male\n,male\nr4,\n"
        )
    assert [r["line"] for r in e.value.details["rows"]] == [3, 4, 5]
    assert not panel.volunteers.exists()
    with pytest.raises(InvalidInput):
        panels.check_import_pool(actor=admin, panel=panel, data="name,gender\n")
    with pytest.raises(InvalidInput):
        panels.parse_quotas_csv("feature,value,min,max\ngender,female,two,3\n")
    panels.check_import_pool(actor=admin, panel=panel, data=POOL)
    with pytest.raises(InvalidInput):
        panels.check_set_quotas(
            actor=admin,
            panel=panel,
            quotas=[{"feature": "gender", "value": "female", "min": 4, "max": 1}],
        )
    with pytest.raises(Conflict):
        panels.check_draw(actor=admin, panel=panel, seed="x")
    with pytest.raises(NotAllowed):
        panels.check_create_panel(actor=f.resident(), title="P", size=5)


def test_residents_volunteer_once_with_verified_features():
    admin = f.bureau_admin()
    panel = panels.check_create_panel(actor=admin, title="P", size=5, seed_source="x")
    r = f.resident()
    v = panels.check_volunteer(
        actor=r,
        panel=panel,
        features={"gender": "female", "housing": "tenant", "education": "college"},
    )
    assert v.features["district"] == "jongno" and v.features["age_band"] == "30-39"
    with pytest.raises(Conflict):
        panels.check_volunteer(
            actor=r,
            panel=panel,
            features={"gender": "female", "housing": "tenant", "education": "college"},
        )
    with pytest.raises(NotAllowed):
        panels.check_volunteer(actor=f.resident(verified=False), panel=panel, features={})
    with pytest.raises(InvalidInput):
        panels.check_volunteer(actor=f.resident(), panel=panel, features={"gender": "female"})


def test_anyone_can_verify_the_published_draw_from_the_api(client, tmp_path, capsys):
    import json

    from sharingcity.planning.sortition.verify import main

    admin = f.bureau_admin()
    panel = panels.check_create_panel(actor=admin, title="Panel", size=5, seed_source="Lotto")
    panels.check_import_pool(actor=admin, panel=panel, data=POOL)
    panels.check_set_quotas(actor=admin, panel=panel, quotas=QUOTAS)
    panels.compute_lottery(panel.pk)
    panel.refresh_from_db()
    panels.check_draw(actor=admin, panel=panel, seed="1 2 3 4 5 6")
    published = client.get(f"/api/budgeting/panels/{panel.pk}/lottery").json()
    path = tmp_path / "lottery.json"
    path.write_text(json.dumps(published))
    members = ",".join(
        panel.volunteers.filter(status="selected").values_list("external_id", flat=True)
    )
    assert main([str(path), "1 2 3 4 5 6", "--panel", members]) == 0
    assert main([str(path), "another seed", "--panel", members]) in (0, 1)
    assert main([str(tmp_path / "missing.json"), "x"]) == 2
    assert "lottery digest: " + panel.lottery_digest in capsys.readouterr().out
