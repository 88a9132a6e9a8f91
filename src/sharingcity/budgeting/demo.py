"""Demo data: a counted city-wide vote with Method of Equal Shares, a district vote under way,
projects in every state, and a citizens' panel drawn by LEXIMIN."""

from __future__ import annotations

from django.utils import timezone

from sharingcity.core.demo import DemoCity
from sharingcity.core.models import Role, User

from . import panels, services
from .models import Ballot, BudgetProcess, BudgetProject, DistrictBudget, PanelVolunteer

IDEAS = [
    ("Night-time safe-walk lighting", "safety", 180_000_000),
    ("Community kitchen for older residents", "welfare", 240_000_000),
    ("Rooftop garden on the district office", "environment", 90_000_000),
    ("Free repair café every Saturday", "economy", 40_000_000),
    ("Barrier-free playground", "parks", 320_000_000),
    ("Youth coding club", "education", 60_000_000),
    ("Shared e-cargo bikes for markets", "transport", 150_000_000),
    ("Mental-health drop-in centre", "health", 280_000_000),
    ("Neighbourhood tool library", "economy", 35_000_000),
    ("Street trees along the stream", "environment", 210_000_000),
    ("Mobile library bus", "culture", 130_000_000),
    ("Bus shelter heating", "transport", 110_000_000),
    ("Public toilets open at night", "safety", 95_000_000),
    ("Language exchange for migrants", "women-family", 25_000_000),
    ("Shared study rooms in schools after hours", "education", 70_000_000),
    ("Village festival for shared meals", "culture", 45_000_000),
]


def populate(city: DemoCity) -> dict[str, int]:
    rng = city.rng
    admin = User.objects.get(username="admin")
    depts = city.departments
    verified = [u for u in city.residents if u.resident.is_verified]

    # A counted city-wide vote.
    process = services.check_create_process(
        actor=admin,
        title="2026 Seoul citizens' budget",
        year=2026,
        total_budget=1_000_000_000,
        electorate="city",
        ballot_type="approval",
        max_choices=5,
        rule="mes",
        rule_parameters={"completion": "add1", "tie_break": "lexicographic"},
        description="Ideas from residents, costed by the departments, decided by Method of Equal Shares.",
    )
    projects = []
    for i, (title, dept, cost) in enumerate(IDEAS, start=1):
        feasible = i % 7 != 0
        projects.append(
            BudgetProject(
                process=process,
                code=f"P{i:03d}",
                title=title,
                description=f"{title}: proposed by residents.",
                department=depts[dept],
                district=None if i % 3 else rng.choice(city.districts),
                proposed_cost=cost,
                cost=int(cost * rng.uniform(0.85, 1.15)) if feasible else None,
                status=BudgetProject.Status.FEASIBLE
                if feasible
                else BudgetProject.Status.INFEASIBLE,
                feasibility_reason="Checked on site; the cost includes three years of running costs."
                if feasible
                else "The site belongs to the national government.",
                costed_at=timezone.now(),
            )
        )
    BudgetProject.objects.bulk_create(projects)
    on_ballot = [p.code for p in projects if p.status == BudgetProject.Status.FEASIBLE]
    popularity = {c: rng.random() ** 2 for c in on_ballot}
    voters = rng.sample(verified, min(len(verified), 1200 * city.scale))
    ballots = []
    for u in voters:
        k = rng.randint(1, 5)
        picks = set()
        while len(picks) < k:
            picks.add(rng.choices(on_ballot, [popularity[c] + 0.05 for c in on_ballot])[0])
        ballots.append(
            Ballot(
                process=process,
                voter_key=services.voter_key(process, u),
                choices={c: 1 for c in sorted(picks)},
                channel=Ballot.Channel.PAPER if rng.random() < 0.1 else Ballot.Channel.ONLINE,
            )
        )
    Ballot.objects.bulk_create(ballots, batch_size=5000)
    BudgetProcess.objects.filter(pk=process.pk).update(phase=BudgetProcess.Phase.VOTING)
    process.refresh_from_db()
    services.check_set_phase(actor=admin, process=process, phase=BudgetProcess.Phase.RESULTS)
    services.check_set_phase(actor=admin, process=process, phase=BudgetProcess.Phase.IMPLEMENTATION)
    for project in process.projects.filter(status=BudgetProject.Status.FUNDED)[:4]:
        officer = city.officers_by_department[project.department.code][0]
        services.check_update_implementation(
            actor=officer,
            project=project,
            percent_done=rng.choice([10, 40, 75, 100]),
            note="Contract signed and works under way.",
        )

    # A district vote under way (knapsack ballots), with sub-budgets.
    chosen = city.districts[:5]
    district_process = BudgetProcess.objects.create(
        title="2027 district budgets",
        year=2027,
        total_budget=500_000_000,
        electorate="district",
        ballot_type="knapsack",
        rule="greedy",
        rule_parameters=services.normalise_rule_parameters("greedy", {}),
        phase=BudgetProcess.Phase.VOTING,
        voting_opens=timezone.now(),
        created_by=admin,
    )
    DistrictBudget.objects.bulk_create(
        [DistrictBudget(process=district_process, district=d, amount=100_000_000) for d in chosen]
    )
    n = 0
    for d in chosen:
        for title, dept, cost in rng.sample(IDEAS, 4):
            n += 1
            BudgetProject.objects.create(
                process=district_process,
                code=f"P{n:03d}",
                title=title,
                department=depts[dept],
                district=d,
                proposed_cost=cost // 4,
                cost=cost // 4,
                status=BudgetProject.Status.FEASIBLE,
                feasibility_reason="Feasible within the district's budget.",
            )

    # A citizens' panel drawn by LEXIMIN from volunteers.
    panel = panels.check_create_panel(
        actor=admin,
        title="2026 citizens' budget panel",
        size=25,
        algorithm="leximin",
        seed_source="Lotto 6/45, draw of the first Saturday after the call closes",
    )
    pool = rng.sample(verified, min(len(verified), 250))
    PanelVolunteer.objects.bulk_create(
        [
            PanelVolunteer(
                panel=panel,
                user=u,
                external_id=f"v{i:04d}",
                features={
                    "district": u.resident.district.code,
                    "age_band": u.resident.age_band,
                    "gender": rng.choice(["female", "male"]),
                    "housing": rng.choice(["owner", "tenant"]),
                },
            )
            for i, u in enumerate(pool)
        ]
    )
    quotas = [{"feature": "gender", "value": g, "min": 11, "max": 14} for g in ("female", "male")]
    quotas += [{"feature": "housing", "value": h, "min": 9, "max": 16} for h in ("owner", "tenant")]
    panels.check_set_quotas(actor=admin, panel=panel, quotas=quotas)
    panels.compute_lottery(panel.pk)
    panel.refresh_from_db()
    panels.check_draw(actor=admin, panel=panel, seed="Lotto 6/45 draw 1150: 3 11 19 27 38 42 + 7")
    city.staff.setdefault(Role.BUREAU_ADMIN, [admin])
    return {"budget_processes": 2, "ballots": len(ballots)}
