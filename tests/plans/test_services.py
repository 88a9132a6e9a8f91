import pytest
from django import forms

from sharingcity.core.errors import InvalidInput, NotAllowed, NotFound
from sharingcity.core.models import Role, RoleAssignment
from sharingcity.plans import services
from sharingcity.plans.kinds import Artifact, RunKind, RunResult, register_run_kind
from sharingcity.plans.models import PlanningRun
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


class SquaresForm(forms.Form):
    n = forms.IntegerField(min_value=1, max_value=1000)
    fail = forms.BooleanField(required=False)


def squares(params, progress):
    total = 0
    for i in range(1, params["n"] + 1):
        total += i * i
        progress(i / params["n"], f"{i} of {params['n']}")
    if params["fail"]:
        raise RuntimeError("asked to fail")
    return RunResult(summary={"sum of squares": total}, tables={"last": [{"i": params["n"], "square": params["n"] ** 2}]},
                     artifacts=[Artifact("result.txt", str(total).encode(), "text/plain")])


register_run_kind(RunKind("test-squares", "Squares", "A run for the tests", SquaresForm, squares))


@pytest.fixture
def planner():
    u = f.user("planner")
    RoleAssignment.objects.create(user=u, role=Role.PLANNER)
    return u


def test_run_executes_in_background_and_stores_results(planner):
    run = services.check_submit_run(actor=planner, kind_key="test-squares", title="ten", parameters={"n": "10"})
    run.refresh_from_db()  # tasks run inline under pytest, on commit
    assert run.status == PlanningRun.Status.SUCCEEDED and run.progress == 1.0
    assert run.summary == {"sum of squares": 385}
    assert run.artifacts.get().file.read() == b"385"
    assert planner.notifications.filter(kind="plans.run.finished").exists()


def test_failed_run_says_why(planner):
    run = services.check_submit_run(actor=planner, kind_key="test-squares", title="boom", parameters={"n": "3", "fail": "on"})
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.FAILED and "asked to fail" in run.error


def test_bad_parameters_are_named_and_nothing_is_queued(planner):
    with pytest.raises(InvalidInput) as e:
        services.check_submit_run(actor=planner, kind_key="test-squares", title="bad", parameters={"n": "-1"})
    assert "n" in e.value.details["errors"]
    with pytest.raises(InvalidInput):
        services.check_submit_run(actor=planner, kind_key="test-squares", title=" ", parameters={"n": "1"})
    with pytest.raises(NotFound):
        services.check_submit_run(actor=planner, kind_key="nope", title="x", parameters={})
    assert not PlanningRun.objects.exists()


def test_only_planners_run(planner):
    with pytest.raises(NotAllowed):
        services.check_submit_run(actor=f.resident(), kind_key="test-squares", title="x", parameters={"n": "1"})


def test_cancel_before_start(planner):
    run = PlanningRun.objects.create(kind="test-squares", title="q", parameters={"n": "5"}, created_by=planner)
    services.check_cancel_run(actor=planner, run=run)
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.CANCELLED
    assert services.execute_run(run.pk) is None


def test_api_and_pages(planner, client, api_client):
    api_client.login_token(planner)
    r = api_client.post("/api/plans/runs", {"kind": "test-squares", "title": "api", "parameters": {"n": 4}})
    assert r.status_code == 202
    run_id = r.json()["id"]
    r = api_client.get(f"/api/plans/runs/{run_id}")
    assert r.json()["status"] == "succeeded" and r.json()["summary"]["sum of squares"] == 30
    bad = api_client.post("/api/plans/runs", {"kind": "test-squares", "title": "api", "parameters": {"n": "x"}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_parameters"
    client.force_login(planner)
    assert client.get("/en/plans/").status_code == 200
    page = client.get(f"/en/plans/runs/{run_id}/")
    assert b"sum of squares" in page.content
    assert client.get(f"/en/plans/runs/{run_id}/files/result.txt").status_code == 200
    assert b"api" in client.get(f"/en/plans/compare/?run={run_id}").content
    r = client.post("/en/plans/new/test-squares/", {"title": "", "n": "0"})
    assert r.status_code == 400
    client.force_login(f.resident())
    assert client.get("/en/plans/").status_code == 403
