import pytest

from sharingcity.budgeting import services
from sharingcity.budgeting.models import Ballot, BudgetProcess, BudgetProject
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting_process():
    admin = f.bureau_admin()
    dept = f.department()
    process = services.check_create_process(
        actor=admin, title="Budget", year=2026, total_budget=1000, rule="greedy"
    )
    for code, cost in (("P001", 600), ("P002", 500)):
        BudgetProject.objects.create(
            process=process,
            code=code,
            title=f"Project {code}",
            department=dept,
            proposed_cost=cost,
            cost=cost,
            status="feasible",
            feasibility_reason="Feasible.",
        )
    BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
    process.refresh_from_db()
    return process, admin


def test_vote_page_and_results_page(client, voting_process):
    process, admin = voting_process
    voter = f.resident()
    client.force_login(voter)
    assert client.get(f"/en/budget/{process.pk}/vote/").status_code == 200
    r = client.post(f"/en/budget/{process.pk}/vote/", {"project": ["P001", "P999"]})
    assert r.status_code == 400 and b"P999" in r.content and not Ballot.objects.exists()
    assert client.post(f"/en/budget/{process.pk}/vote/", {"project": ["P001"]}).status_code == 302
    services.check_set_phase(actor=admin, process=process, phase="results")
    for lang in ("en", "ko"):
        page = client.get(f"/{lang}/budget/{process.pk}/results/")
        assert page.status_code == 200 and b"<svg" in page.content and b"P001" in page.content
    assert b"Funded" in client.get(f"/en/budget/{process.pk}/results/").content


def test_api_ballot_and_results(api_client, voting_process):
    process, admin = voting_process
    voter = f.resident()
    api_client.login_token(voter)
    r = api_client.put(f"/api/budgeting/processes/{process.pk}/ballot", {"choices": ["P002"]})
    assert r.status_code == 200 and r.json()["choices"] == {"P002": 1}
    bad = api_client.put(f"/api/budgeting/processes/{process.pk}/ballot", {"choices": ["nope"]})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_project"
    assert (
        api_client.put(f"/api/budgeting/processes/{process.pk}/ballot", {"choices": 5}).status_code
        == 422
    )
    assert api_client.get(f"/api/budgeting/processes/{process.pk}/ballot").json()["choices"] == {
        "P002": 1
    }
    services.check_set_phase(actor=admin, process=process, phase="results")
    results = api_client.get(f"/api/budgeting/processes/{process.pk}/results").json()
    assert results[0]["selected"] == ["P002"] and results[0]["voters"] == 1
    assert "P001" in results[0]["explanations"]


def test_public_pages_and_permissions(client, voting_process):
    process, admin = voting_process
    assert client.get("/en/budget/").status_code == 200
    assert client.get(f"/ko/budget/{process.pk}/").status_code == 200
    assert client.get(f"/en/budget/{process.pk}/projects/P001/").status_code == 200
    assert client.get("/en/budget/panels/").status_code == 200
    client.force_login(f.resident())
    assert client.get("/en/budget/new/").status_code == 403
    assert client.get(f"/en/budget/{process.pk}/paper-ballots/").status_code == 403
    client.force_login(admin)
    r = client.post("/en/budget/new/", {"title": "", "year": "x"})
    assert r.status_code == 400
