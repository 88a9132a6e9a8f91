import pytest

from sharingcity.budgeting import services
from sharingcity.budgeting.models import Ballot, BudgetProcess, BudgetProject, Tally
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return f.bureau_admin("pb-admin")


def make_process(admin, **kw):
    args = {
        "title": "Budget",
        "year": 2026,
        "total_budget": 1000,
        "rule": "mes",
        "rule_parameters": {"completion": "add1", "increment": 1},
    } | kw
    return services.check_create_process(actor=admin, **args)


def advance(admin, process, *phases):
    for phase in phases:
        services.check_set_phase(actor=admin, process=process, phase=phase)
    process.refresh_from_db()


def test_whole_process_from_ideas_to_implementation(admin):
    dept = f.department()
    officer, other_officer = f.officer(dept), f.officer(f.department("housing", name_en="Housing"))
    process = make_process(admin)
    advance(admin, process, "ideas")
    resident = f.resident("idea-maker")
    a = services.check_submit_project(
        actor=resident,
        process=process,
        title="Lights",
        description="",
        department=dept,
        proposed_cost=600,
    )
    b = services.check_submit_project(
        actor=resident,
        process=process,
        title="Trees",
        description="",
        department=dept,
        proposed_cost=500,
    )
    c = services.check_submit_project(
        actor=officer,
        process=process,
        title="Bench",
        description="",
        department=dept,
        proposed_cost=300,
    )
    with pytest.raises(Conflict):
        advance(admin, process, "costing", "voting")  # costing unfinished
    with pytest.raises(NotAllowed):
        services.check_cost_project(
            actor=other_officer, project=a, feasible=True, cost=600, reason="ok"
        )
    with pytest.raises(InvalidInput):
        services.check_cost_project(
            actor=officer, project=a, feasible=False, cost=None, reason="  "
        )
    for p, cost in ((a, 600), (b, 500), (c, 300)):
        services.check_cost_project(
            actor=officer, project=p, feasible=True, cost=cost, reason="Checked on site."
        )
    advance(admin, process, "voting")
    voters = [f.resident() for _ in range(5)]
    for v, choice in zip(
        voters, [["P001"], ["P001"], ["P001", "P003"], ["P002"], ["P002", "P003"]], strict=True
    ):
        services.check_cast_ballot(actor=v, process=process, choices=choice)
    services.check_cast_ballot(
        actor=voters[0], process=process, choices=["P001", "P003"]
    )  # changed, still one ballot
    assert Ballot.objects.filter(process=process).count() == 5
    advance(admin, process, "results")
    tally = Tally.objects.get(process=process)
    assert tally.voters == 5 and tally.spent <= tally.budget
    assert set(tally.selected) <= {"P001", "P002", "P003"}
    funded = set(
        BudgetProject.objects.filter(process=process, status="funded").values_list(
            "code", flat=True
        )
    )
    assert funded == set(tally.selected)
    assert all(e["reason"] for e in tally.explanations.values())
    advance(admin, process, "implementation")
    project = BudgetProject.objects.get(process=process, code=tally.selected[0])
    services.check_update_implementation(
        actor=officer, project=project, percent_done=100, note="Done."
    )
    project.refresh_from_db()
    assert project.status == "completed"


def test_mes_result_matches_the_planning_library(admin):
    from sharingcity.planning import pb

    dept = f.department()
    process = make_process(admin, total_budget=100)
    BudgetProject.objects.bulk_create(
        [
            BudgetProject(
                process=process,
                code=c,
                title=c,
                department=dept,
                proposed_cost=cost,
                cost=cost,
                status="feasible",
            )
            for c, cost in (("A", 60), ("B", 50), ("C", 40))
        ]
    )
    BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
    process.refresh_from_db()
    ballots = [["A"], ["A"], ["A", "C"], ["B"], ["B", "C"], ["C"]]
    for choice in ballots:
        services.check_cast_ballot(actor=f.resident(), process=process, choices=choice)
    election, _ = services.election_for(process, None)
    expected = pb.method_of_equal_shares(
        election, completion=pb.MESCompletion(add_one=True, increment=1)
    )
    services.check_set_phase(actor=admin, process=process, phase="results")
    assert Tally.objects.get(process=process).selected == list(expected.selected)


def test_ballot_rules_and_secrecy(admin):
    dept = f.department()
    process = make_process(admin, ballot_type="approval", max_choices=2)
    BudgetProject.objects.bulk_create(
        [
            BudgetProject(
                process=process,
                code=c,
                title=c,
                department=dept,
                proposed_cost=100,
                cost=100,
                status="feasible",
            )
            for c in ("P001", "P002", "P003")
        ]
    )
    BudgetProject.objects.create(
        process=process,
        code="P004",
        title="x",
        department=dept,
        proposed_cost=1,
        status="infeasible",
    )
    voter = f.resident()
    with pytest.raises(Conflict):
        services.check_cast_ballot(actor=voter, process=process, choices=["P001"])  # not open yet
    BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
    process.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.check_cast_ballot(
            actor=f.resident(verified=False), process=process, choices=["P001"]
        )
    for bad, code in (
        (["P001", "P002", "P003"], "too_many_choices"),
        (["P001", "P001"], "duplicate_choice"),
        (["P004"], "unknown_project"),
        ([], "empty_ballot"),
        ("P001", "invalid_ballot"),
    ):
        with pytest.raises(InvalidInput) as e:
            services.check_cast_ballot(actor=voter, process=process, choices=bad)
        assert e.value.code == code
    assert not Ballot.objects.exists()
    services.check_cast_ballot(actor=voter, process=process, choices=["P001"])
    ballot = Ballot.objects.get()
    stored = {f.name: getattr(ballot, f.attname) for f in Ballot._meta.fields}
    assert voter.pk not in stored.values() and voter.username not in str(stored)
    assert services.own_ballot(process, voter) == ballot


def test_knapsack_cumulative_and_ranked(admin):
    dept = f.department()
    for kind, ok, bad, code in (
        ("knapsack", ["P001", "P002"], ["P001", "P002", "P003"], "over_budget"),
        ("cumulative", {"P001": 6, "P002": 4}, {"P001": 11}, "too_many_points"),
        ("ranked", ["P003", "P001"], ["P001", "P002", "P003", "P001"], "duplicate_choice"),
    ):
        process = make_process(
            admin, ballot_type=kind, total_budget=250, rule="greedy", points=10, max_choices=3
        )
        BudgetProject.objects.bulk_create(
            [
                BudgetProject(
                    process=process,
                    code=c,
                    title=c,
                    department=dept,
                    proposed_cost=100,
                    cost=100,
                    status="feasible",
                )
                for c in ("P001", "P002", "P003")
            ]
        )
        BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
        process.refresh_from_db()
        voter = f.resident()
        with pytest.raises(InvalidInput) as e:
            services.check_cast_ballot(actor=voter, process=process, choices=bad)
        assert e.value.code == code
        services.check_cast_ballot(actor=voter, process=process, choices=ok)
        services.check_set_phase(actor=admin, process=process, phase="results")
        assert Tally.objects.get(process=process).spent <= 250


def test_district_processes_count_each_district_with_its_budget(admin):
    dept = f.department()
    jongno, mapo = f.district(), f.district("mapo", name_en="Mapo-gu")
    process = make_process(
        admin,
        electorate="district",
        total_budget=300,
        rule="greedy",
        district_budgets={"jongno": 100, "mapo": 150},
    )
    for d, code in ((jongno, "P001"), (mapo, "P002")):
        BudgetProject.objects.create(
            process=process,
            code=code,
            title=code,
            department=dept,
            district=d,
            proposed_cost=90,
            cost=90,
            status="feasible",
        )
    BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
    process.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.check_cast_ballot(
            actor=f.resident(district_code="jongno"), process=process, choices=["P002"]
        )  # other district's project
    services.check_cast_ballot(
        actor=f.resident(district_code="mapo"), process=process, choices=["P002"]
    )
    services.check_set_phase(actor=admin, process=process, phase="results")
    tallies = {t.district.code: t for t in Tally.objects.filter(process=process)}
    assert tallies["mapo"].selected == ["P002"] and tallies["mapo"].budget == 150
    assert tallies["jongno"].voters == 0


def test_paper_ballot_by_staff_counts_once_and_is_audited_without_choices(admin):
    dept = f.department()
    process = make_process(admin)
    BudgetProject.objects.create(
        process=process,
        code="P001",
        title="x",
        department=dept,
        proposed_cost=10,
        cost=10,
        status="feasible",
    )
    BudgetProcess.objects.filter(pk=process.pk).update(phase="voting")
    process.refresh_from_db()
    resident, officer = f.resident(), f.officer(dept)
    with pytest.raises(NotAllowed):
        services.check_enter_paper_ballot(
            actor=f.resident(), process=process, resident=resident, choices=["P001"]
        )
    services.check_enter_paper_ballot(
        actor=officer, process=process, resident=resident, choices=["P001"]
    )
    services.check_cast_ballot(actor=resident, process=process, choices=["P001"])
    assert Ballot.objects.filter(process=process).count() == 1
    entry = AuditEntry.objects.get(action="budgeting.ballot.paper_entered")
    assert "P001" not in str(entry.data)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"title": " "}, "missing_title"),
        ({"total_budget": 0}, "invalid_budget"),
        ({"rule": "dictator"}, "unknown_rule"),
        ({"rule_parameters": {"completion": "magic"}}, "unknown_completion"),
        ({"rule_parameters": {"tie_break": "coin"}}, "unknown_tie_break"),
        ({"rule_parameters": {"completion": "add1", "increment": "-5"}}, "invalid_completion"),
        ({"electorate": "district", "district_budgets": {}}, "district_budgets_required"),
        ({"electorate": "district", "district_budgets": {"atlantis": 5}}, "unknown_district"),
        ({"electorate": "panel"}, "panel_required"),
        ({"ballot_type": "ranked", "rule": "phragmen"}, "rule_needs_approval"),
    ],
)
def test_bad_process_input(admin, kwargs, code):
    with pytest.raises(InvalidInput) as e:
        make_process(admin, **kwargs)
    assert e.value.code == code
    assert not BudgetProcess.objects.exists()


def test_only_bureau_admins_create_and_phases_go_in_order(admin):
    with pytest.raises(NotAllowed):
        make_process(f.officer())
    process = make_process(admin)
    with pytest.raises(Conflict):
        services.check_set_phase(actor=admin, process=process, phase="voting")


def test_pabulib_round_trip_and_bad_files(admin, shared_data):
    from sharingcity.planning import pb

    dept = f.department()
    path = shared_data("pabulib") / "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"
    process = services.check_import_pabulib(
        actor=admin,
        text=path.read_text(encoding="utf-8"),
        title="",
        department=dept,
        rule="greedy",
        source=path.name,
    )
    election = pb.election_from_pabulib(pb.read_pabulib(path))
    expected = pb.greedy_utilitarian(election)
    assert Tally.objects.get(process=process).selected == list(expected.selected)
    again = pb.election_from_pabulib(pb.parse_pabulib(services.pabulib_text(process)))
    assert again.n_voters == election.n_voters and sorted(p.id for p in again.projects) == sorted(
        p.id for p in election.projects
    )
    with pytest.raises(InvalidInput) as e:
        services.check_import_pabulib(
            actor=admin, text="META\nkey;value\nbudget;x\n", title="bad", department=dept
        )
    assert e.value.code == "bad_pabulib_file" and "PROJECTS" in e.value.message
    bad_cost = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n1;1\n"
    with pytest.raises(InvalidInput) as e:
        services.check_import_pabulib(actor=admin, text=bad_cost, title="bad", department=dept)
    assert e.value.details["line"] == 7, e.value.message
    assert BudgetProcess.objects.count() == 1
