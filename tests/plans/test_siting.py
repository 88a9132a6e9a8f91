import csv
import io

import pytest

from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import District, Role, RoleAssignment
from sharingcity.planning.seoul import DISTRICTS
from sharingcity.planning.siting import p_median
from sharingcity.plans import services, siting
from sharingcity.plans.models import PlanningRun
from tests import factories as f
from tests.sharing import factories as sf

# Runs go through the task queue on commit: those tests need real transactions.
pytestmark = pytest.mark.django_db
end_to_end = pytest.mark.django_db(transaction=True)

SMALL = {
    "model": "p-median",
    "sites": "3",
    "standard_minutes": "15",
    "demand_group": "65plus",
    "zones_per_district": "2",
    "candidates": "district-points",
    "candidates_per_district": "2",
    "speed_kmh": "20",
    "detour_factor": "1.3",
    "curve_max": "4",
    "time_limit": "10",
    "seed": "2",
}


@pytest.fixture
def planner():
    u = f.user("siting-planner")
    RoleAssignment.objects.create(user=u, role=Role.PLANNER)
    return u


@pytest.fixture
def seoul():
    for d in DISTRICTS:
        District.objects.create(
            code=d.code,
            name_ko=d.name_ko,
            name_en=d.name_en,
            population=d.population,
            latitude=d.latitude,
            longitude=d.longitude,
        )


def cleaned(raw):
    form = siting.SitingForm(data=raw)
    assert form.is_valid(), form.errors
    return form.cleaned_data


@end_to_end
def test_p_median_run_end_to_end(planner, seoul, client):
    run = services.check_submit_run(
        actor=planner, kind_key="service-siting", title="3 centres", parameters=SMALL
    )
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.SUCCEEDED, run.error
    s = run.summary
    assert s["zones"] == 50 and s["candidates"] == 50 and s["sites chosen"] == 3
    assert s["status"] == "optimal" and s["gap (%)"] == 0
    # Demand is the districts' population times the 65+ share.
    assert s["demand"] == pytest.approx(sum(d.population for d in DISTRICTS) * 0.19, abs=1)
    # The optimum the platform reports is the library's on the same inputs.
    inputs = siting.build_inputs(cleaned(SMALL))
    assert s["objective"] == pytest.approx(
        p_median(inputs.demand, inputs.travel, 3).objective, rel=1e-6
    )
    rows = run.tables["Chosen sites and catchments"]
    assert len(rows) == 3 and sum(r["zones served"] for r in rows) == 50
    assert all(r["districts in catchment"] for r in rows)
    curve = run.tables["Curve"]
    assert [r["sites"] for r in curve] == [1, 2, 3, 4]
    travel = [r["mean travel (min)"] for r in curve]
    assert travel == sorted(travel, reverse=True)
    assert curve[2]["mean travel (min)"] == pytest.approx(s["mean travel (min)"], abs=0.01)
    names = {a.name: a for a in run.artifacts.all()}
    assert {n for n, a in names.items() if a.inline} == {"siting-map.png", "siting-curve.png"}
    assert names["siting-map.png"].file.read()[:4] == b"\x89PNG"
    zones = list(csv.DictReader(io.StringIO(names["siting-zones.csv"].file.read().decode())))
    assert len(zones) == 50 and all(z["site_name"] for z in zones)
    client.force_login(planner)
    page = client.get(f"/en/plans/runs/{run.pk}/").content.decode()
    assert "Chosen sites and catchments" in page and "siting-map.png" in page


def test_covering_models_and_job_seekers(seoul):
    mc = siting.execute(
        cleaned(
            {
                **SMALL,
                "model": "maximal covering",
                "standard_minutes": "10",
                "demand_group": "job-seekers",
            }
        ),
        lambda *_: None,
    )
    assert mc.summary["objective"] <= mc.summary["demand"]
    assert mc.summary["covered within standard (%)"] == pytest.approx(
        100 * mc.summary["objective"] / mc.summary["demand"], abs=0.1
    )
    covered = [r["covered (%)"] for r in mc.tables["Curve"]]
    assert covered == sorted(covered)
    sc = siting.execute(
        cleaned({**SMALL, "model": "set covering", "standard_minutes": "30"}), lambda *_: None
    )
    assert sc.summary["covered within standard (%)"] == 100.0
    assert (
        sc.summary["status"] == "optimal" and sc.summary["objective"] == sc.summary["sites chosen"]
    )


def test_public_buildings_of_the_sharing_hub_are_candidates(seoul):
    dept = f.department()
    for k, d in enumerate(DISTRICTS[:6]):
        sf.room(
            dept,
            title=f"Hall {k}",
            address=f"{k} Street",
            district=District.objects.get(code=d.code),
            latitude=d.latitude + 0.002,
            longitude=d.longitude,
        )
    sf.room(
        dept,
        title="Second room, same hall",
        latitude=DISTRICTS[0].latitude + 0.002,
        longitude=DISTRICTS[0].longitude,
    )
    sf.item()  # not a public building
    params = cleaned({**SMALL, "candidates": "public-buildings", "curve_max": "3"})
    inputs = siting.build_inputs(params)
    assert len(inputs.site_names) == 6 and inputs.site_names[0] == "Hall 0 (0 Street)"
    result = siting.execute(params, lambda *_: None)
    assert all(r["site"].startswith("Hall ") for r in result.tables["Chosen sites and catchments"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "centre of gravity"}, "model"),
        ({"sites": "0"}, "sites"),
        ({"sites": "51"}, "sites"),  # only 50 candidates
        ({"curve_max": "31"}, "curve_max"),
        ({"standard_minutes": "-3"}, "standard_minutes"),
        ({"model": "set covering", "standard_minutes": "1"}, "standard_minutes"),
        ({"demand_group": "dogs"}, "demand_group"),
        ({"demand_share": "1.5"}, "demand_share"),
        ({"speed_kmh": "0"}, "speed_kmh"),
        ({"time_limit": "0"}, "time_limit"),
        ({"candidates": "public-buildings"}, "__all__"),  # the hub lists no public rooms
    ],
)
def test_bad_parameters_are_refused(planner, seoul, change, field):
    with pytest.raises(InvalidInput) as e:
        services.check_submit_run(
            actor=planner, kind_key="service-siting", title="bad", parameters={**SMALL, **change}
        )
    assert field in e.value.details["errors"]
    assert not PlanningRun.objects.exists()


def test_no_districts_is_refused(planner):
    with pytest.raises(InvalidInput) as e:
        services.check_submit_run(
            actor=planner, kind_key="service-siting", title="empty", parameters=SMALL
        )
    assert "load the demo city" in str(e.value.details["errors"]["__all__"])


def test_one_site_is_the_exact_one_median(seoul):
    params = cleaned({**SMALL, "sites": "1", "curve_max": "1"})
    inputs = siting.build_inputs(params)
    best = float((inputs.demand @ inputs.travel).min())
    result = siting.execute(params, lambda *_: None)
    assert result.summary["objective"] == pytest.approx(best, abs=0.01)
    assert result.summary["gap (%)"] == 0 and result.summary["sites chosen"] == 1
