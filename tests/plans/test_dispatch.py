import csv
import io

import pytest

from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import Role, RoleAssignment
from sharingcity.planning.dispatch import POLICIES
from sharingcity.plans import dispatch, services
from sharingcity.plans.models import PlanningRun
from tests import factories as f

# Runs go through the task queue on commit: those tests need real transactions.
pytestmark = pytest.mark.django_db
end_to_end = pytest.mark.django_db(transaction=True)

SMALL = {
    "fleet_size": "40",
    "requests_per_day": "400",
    "start_hour": "9",
    "hours": "1",
    "seed": "3",
}


@pytest.fixture
def planner():
    u = f.user("dispatch-planner")
    RoleAssignment.objects.create(user=u, role=Role.PLANNER)
    return u


def test_every_library_policy_is_offered():
    offered = {value for value, _ in dispatch.DispatchScenarioForm().fields["policy"].choices}
    assert offered == set(POLICIES)


@end_to_end
def test_scenario_runs_end_to_end_and_stores_charts_tables_and_csv(planner):
    run = services.check_submit_run(
        actor=planner,
        kind_key="call-taxi-dispatch",
        title="batch, 40 taxis",
        parameters={**SMALL, "policy": "batch"},
    )
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.SUCCEEDED, run.error
    s = run.summary
    assert s["invariant violations"] == 0
    assert s["requests"] == s["served"] + s["refused or unserved"] > 0
    assert 0 <= s["median wait (min)"] <= s["p90 wait (min)"] <= s["max wait (min)"]
    assert 0 < s["empty driving (%)"] < 100 and s["ride / direct (mean)"] >= 1.0
    by_district = run.tables["Waits by district"]
    assert len(by_district) == 25 and sum(r["requests"] for r in by_district) == s["requests"]
    names = {a.name: a for a in run.artifacts.all()}
    assert {n for n, a in names.items() if a.inline} == {
        "wait-distribution.png",
        "waits-by-district.png",
        "empty-driving.png",
    }
    assert names["wait-distribution.png"].file.read()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(io.StringIO(names["requests.csv"].file.read().decode())))
    assert len(rows) == s["requests"]
    assert sum(r["status"] == "served" for r in rows) == s["served"]
    assert all(r["reason"] for r in rows if r["status"] != "served")


@end_to_end
def test_two_scenarios_side_by_side(planner, client):
    runs = [
        services.check_submit_run(
            actor=planner,
            kind_key="call-taxi-dispatch",
            title=f"{policy} scenario",
            parameters={**SMALL, "policy": policy},
        )
        for policy in ("baseline", "batch")
    ]
    client.force_login(planner)
    page = client.get(f"/en/plans/runs/{runs[0].pk}/")
    assert page.status_code == 200 and b"Waits by district" in page.content
    assert b"waits-by-district.png" in page.content
    both = client.get(f"/en/plans/compare/?run={runs[0].pk}&run={runs[1].pk}").content.decode()
    assert "baseline scenario" in both and "batch scenario" in both
    assert "mean wait (min)" in both and "empty-driving.png" in both


def test_same_seed_same_run_and_policies_differ(planner):
    params = {**SMALL, "policy": "baseline"}
    a = dispatch.execute(dispatch_params(params), lambda *_: None)
    b = dispatch.execute(dispatch_params(params), lambda *_: None)
    assert a.summary == b.summary
    c = dispatch.execute(dispatch_params({**params, "policy": "reposition"}), lambda *_: None)
    assert c.summary["requests"] == a.summary["requests"]
    assert c.summary != a.summary


def test_progress_is_reported_through_the_simulated_window():
    seen = []
    dispatch.execute(
        dispatch_params({**SMALL, "policy": "insertion"}), lambda x, m: seen.append((x, m))
    )
    fractions = [x for x, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m.startswith("simulated 09:") for _, m in seen)


def dispatch_params(raw):
    form = dispatch.DispatchScenarioForm(data=raw)
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fleet_size": "0"}, "fleet_size"),
        ({"policy": "fastest"}, "policy"),
        ({"requests_per_day": "-5"}, "requests_per_day"),
        ({"requests_per_day": "many"}, "requests_per_day"),
        ({"start_hour": "22", "hours": "3"}, "hours"),
        ({"hours": "0.1"}, "hours"),
        ({"fleet_size": "1500", "hours": "24", "requests_per_day": "15000"}, "hours"),
        ({"seed": "-1"}, "seed"),
        ({"advance_share": "1.5"}, "advance_share"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_queued(planner, change, field):
    with pytest.raises(InvalidInput) as e:
        services.check_submit_run(
            actor=planner,
            kind_key="call-taxi-dispatch",
            title="bad",
            parameters={**SMALL, "policy": "baseline", **change},
        )
    assert field in e.value.details["errors"]
    assert not PlanningRun.objects.exists()
