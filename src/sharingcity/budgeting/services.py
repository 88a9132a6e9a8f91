"""Writes of participatory budgeting: processes and their phases, projects and their costing,
secret ballots, the count, and implementation updates. Panels are in ``panels.py``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import Department, District, Role, User
from sharingcity.planning import pb

from .models import (
    Ballot,
    BudgetProcess,
    BudgetProject,
    DistrictBudget,
    ImplementationUpdate,
    PanelVolunteer,
    Tally,
)

Phase = BudgetProcess.Phase
DEFAULT_INCREMENT = 1000  # KRW per voter and run of the add-one completion
PHASE_ORDER = [
    Phase.DRAFT,
    Phase.IDEAS,
    Phase.COSTING,
    Phase.VOTING,
    Phase.RESULTS,
    Phase.IMPLEMENTATION,
    Phase.CLOSED,
]


# ------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------


def normalise_rule_parameters(rule: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check and complete the published counting parameters (every option that can change the
    outcome is explicit, see ``pb.MESCompletion``)."""
    params = dict(params or {})
    if rule not in BudgetProcess.Rule.values:
        raise InvalidInput(
            "unknown_rule",
            _("Unknown counting rule."),
            {"allowed": BudgetProcess.Rule.values},
            field="rule",
        )
    tie_break = params.get("tie_break", "lexicographic")
    if tie_break not in pb.TIE_BREAKS:
        raise InvalidInput(
            "unknown_tie_break",
            _("Unknown tie-break."),
            {"allowed": list(pb.TIE_BREAKS)},
            field="tie_break",
        )
    out: dict[str, Any] = {"tie_break": tie_break}
    if rule == BudgetProcess.Rule.MES:
        completion = params.get("completion", "add1")
        try:
            if isinstance(completion, str):
                c = pb.COMPLETIONS[completion].as_dict()
                # The add-one loop raises every voter's share by `increment` per run: one won is
                # far too fine for budgets in the billions, so a process states its step.
                if c["add_one"]:
                    c["increment"] = str(params.get("increment", DEFAULT_INCREMENT))
            else:
                c = dict(completion)
            c = pb.MESCompletion(**c).as_dict()
        except KeyError:
            raise InvalidInput(
                "unknown_completion",
                _("Unknown completion."),
                {"allowed": list(pb.COMPLETIONS)},
                field="completion",
            ) from None
        except (TypeError, ValueError, pb.PBError) as e:
            raise InvalidInput("invalid_completion", str(e), field="completion") from None
        out["completion"] = c
    return out


def check_create_process(
    *,
    actor: User,
    title: str,
    year: int,
    total_budget: int,
    electorate: str = "city",
    ballot_type: str = "approval",
    max_choices: int = 5,
    points: int = 10,
    rule: str = "mes",
    rule_parameters: Mapping[str, Any] | None = None,
    description: str = "",
    district_budgets: Mapping[str, int] | None = None,
    panel=None,
) -> BudgetProcess:
    access.require_role(actor, Role.BUREAU_ADMIN)
    title = title.strip()
    if not title:
        raise InvalidInput("missing_title", _("Give the process a title."), field="title")
    if total_budget <= 0:
        raise InvalidInput(
            "invalid_budget", _("The budget must be positive."), field="total_budget"
        )
    if electorate not in BudgetProcess.Electorate.values:
        raise InvalidInput("unknown_electorate", _("Unknown electorate."), field="electorate")
    if ballot_type not in BudgetProcess.BallotType.values:
        raise InvalidInput("unknown_ballot_type", _("Unknown ballot type."), field="ballot_type")
    if not 1 <= max_choices <= 100:
        raise InvalidInput(
            "invalid_max_choices",
            _("Allow between 1 and 100 projects per ballot."),
            field="max_choices",
        )
    if not 1 <= points <= 1000:
        raise InvalidInput(
            "invalid_points", _("Give between 1 and 1,000 points per ballot."), field="points"
        )
    if rule == BudgetProcess.Rule.PHRAGMEN and ballot_type in ("cumulative", "ranked"):
        raise InvalidInput(
            "rule_needs_approval", _("Phragmén's rule counts approval ballots only."), field="rule"
        )
    params = normalise_rule_parameters(rule, rule_parameters)
    if electorate == BudgetProcess.Electorate.PANEL and panel is None:
        raise InvalidInput("panel_required", _("Choose the panel that votes."), field="panel")
    budgets = dict(district_budgets or {})
    if electorate == BudgetProcess.Electorate.DISTRICT:
        if not budgets:
            raise InvalidInput(
                "district_budgets_required",
                _("Split the budget between the districts."),
                field="district_budgets",
            )
        if sum(budgets.values()) > total_budget:
            raise InvalidInput(
                "district_budgets_exceed_total",
                _("The districts' budgets add up to more than the total."),
                field="district_budgets",
            )
    districts = {d.code: d for d in District.objects.filter(code__in=list(budgets))}
    unknown = sorted(set(budgets) - set(districts))
    if unknown:
        raise InvalidInput(
            "unknown_district",
            _("Unknown districts: %(d)s.") % {"d": ", ".join(unknown)},
            field="district_budgets",
        )
    if any(v <= 0 for v in budgets.values()):
        raise InvalidInput(
            "invalid_budget", _("Every district budget must be positive."), field="district_budgets"
        )
    with transaction.atomic():
        process = BudgetProcess.objects.create(
            title=title[:200],
            description=description,
            year=year,
            total_budget=total_budget,
            electorate=electorate,
            ballot_type=ballot_type,
            max_choices=max_choices,
            points=points,
            rule=rule,
            rule_parameters=params,
            panel=panel,
            created_by=actor,
        )
        DistrictBudget.objects.bulk_create(
            [
                DistrictBudget(process=process, district=districts[c], amount=a)
                for c, a in budgets.items()
            ]
        )
        audit.record(actor, "budgeting.process.created", process, rule=rule, parameters=params)
    return process


def next_phase(process: BudgetProcess) -> BudgetProcess.Phase | None:
    i = PHASE_ORDER.index(process.phase)
    return PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None


def check_set_phase(*, actor: User, process: BudgetProcess, phase: str) -> BudgetProcess:
    access.require_role(actor, Role.BUREAU_ADMIN)
    if phase not in Phase.values:
        raise InvalidInput("unknown_phase", _("Unknown phase."), field="phase")
    current, target = PHASE_ORDER.index(process.phase), PHASE_ORDER.index(phase)
    if target != current + 1:
        raise Conflict(
            "phase_out_of_order",
            _("Phases go in order: the next phase is %(p)s.")
            % {"p": PHASE_ORDER[min(current + 1, len(PHASE_ORDER) - 1)].label},
        )
    if phase == Phase.VOTING:
        if not process.projects.filter(status=BudgetProject.Status.FEASIBLE).exists():
            raise Conflict("no_projects_on_ballot", _("No project has been found feasible yet."))
        if process.projects.filter(status=BudgetProject.Status.SUBMITTED).exists():
            raise Conflict(
                "costing_unfinished", _("Some projects still wait for their department's costing.")
            )
    with transaction.atomic():
        process.phase = phase
        now = timezone.now()
        if phase == Phase.VOTING:
            process.voting_opens = now
        if phase == Phase.RESULTS:
            process.voting_closes = now
        process.save(update_fields=["phase", "voting_opens", "voting_closes"])
        audit.record(actor, "budgeting.process.phase", process, phase=phase)
        if phase == Phase.RESULTS:
            do_count(process)
    return process


# ------------------------------------------------------------------------------------------------
# Projects
# ------------------------------------------------------------------------------------------------


def check_submit_project(
    *,
    actor: User,
    process: BudgetProcess,
    title: str,
    description: str,
    department: Department,
    proposed_cost: int,
    district: District | None = None,
    source_proposal_id: int | None = None,
) -> BudgetProject:
    if not access.is_staff_member(actor):
        access.require_verified_resident(actor)
    if process.phase != Phase.IDEAS:
        raise Conflict("not_collecting_ideas", _("This process is not collecting ideas now."))
    if not title.strip():
        raise InvalidInput("missing_title", _("Give the project a title."), field="title")
    limit = process.total_budget
    if process.split_by_district:
        if district is None:
            raise InvalidInput(
                "district_required", _("Say which district the project is for."), field="district"
            )
        db = process.district_budgets.filter(district=district).first()
        if db is None:
            raise InvalidInput(
                "district_not_in_process",
                _("This district has no budget in this process."),
                field="district",
            )
        limit = db.amount
    if not 0 < proposed_cost <= limit:
        raise InvalidInput(
            "invalid_cost",
            _("The cost must be positive and at most the budget (%(b)s KRW).")
            % {"b": f"{limit:,}"},
            field="proposed_cost",
        )
    with transaction.atomic():
        # Codes are numbered per process: lock the process row so two submissions cannot take one number.
        BudgetProcess.objects.select_for_update().filter(pk=process.pk).exists()
        n = process.projects.count()
        project = BudgetProject.objects.create(
            process=process,
            code=f"P{n + 1:03d}",
            title=title.strip()[:200],
            description=description,
            department=department,
            district=district,
            proposed_cost=proposed_cost,
            source_proposal_id=source_proposal_id,
        )
        if access.is_staff_member(actor):
            audit.record(actor, "budgeting.project.entered", project)
    return project


def check_cost_project(
    *, actor: User, project: BudgetProject, feasible: bool, cost: int | None, reason: str
) -> BudgetProject:
    if not access.has_role(
        actor, Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD, department=project.department_id
    ):
        raise NotAllowed(_("Only the responsible department costs this project."))
    if project.process.phase != Phase.COSTING:
        raise Conflict("not_costing", _("Projects are costed during the costing phase."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "reason_required", _("Explain the verdict to the public."), field="reason"
        )
    if feasible:
        if cost is None or cost <= 0:
            raise InvalidInput(
                "invalid_cost", _("Give the cost of a feasible project."), field="cost"
            )
        limit = project.process.total_budget
        if project.district_id and project.process.split_by_district:
            limit = project.process.district_budgets.get(district_id=project.district_id).amount
        if cost > limit:
            raise InvalidInput(
                "cost_exceeds_budget",
                _("The cost exceeds the budget available (%(b)s KRW).") % {"b": f"{limit:,}"},
                field="cost",
            )
    with transaction.atomic():
        project.status = (
            BudgetProject.Status.FEASIBLE if feasible else BudgetProject.Status.INFEASIBLE
        )
        project.cost = cost if feasible else None
        project.feasibility_reason = reason
        project.costed_by = actor
        project.costed_at = timezone.now()
        project.save(
            update_fields=["status", "cost", "feasibility_reason", "costed_by", "costed_at"]
        )
        audit.record(actor, "budgeting.project.costed", project, feasible=feasible, cost=cost)
    return project


def check_update_implementation(
    *, actor: User, project: BudgetProject, percent_done: int, note: str
) -> ImplementationUpdate:
    if not access.has_role(
        actor, Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD, department=project.department_id
    ):
        raise NotAllowed(_("Only the responsible department reports progress."))
    if project.status not in (
        BudgetProject.Status.FUNDED,
        BudgetProject.Status.IMPLEMENTING,
        BudgetProject.Status.COMPLETED,
    ):
        raise Conflict("not_funded", _("Only funded projects are implemented."))
    if not 0 <= percent_done <= 100:
        raise InvalidInput(
            "invalid_percent", _("Give a percentage between 0 and 100."), field="percent_done"
        )
    if not note.strip():
        raise InvalidInput("missing_note", _("Say what was done."), field="note")
    with transaction.atomic():
        update = ImplementationUpdate.objects.create(
            project=project, percent_done=percent_done, note=note.strip(), author=actor
        )
        project.percent_done = percent_done
        project.status = (
            BudgetProject.Status.COMPLETED
            if percent_done == 100
            else BudgetProject.Status.IMPLEMENTING
        )
        project.save(update_fields=["percent_done", "status"])
        audit.record(actor, "budgeting.project.progress", project, percent_done=percent_done)
    return update


# ------------------------------------------------------------------------------------------------
# Ballots
# ------------------------------------------------------------------------------------------------


def voter_key(process: BudgetProcess, user: User) -> str:
    msg = f"ballot|{process.pk}|{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()


def ballot_scope(process: BudgetProcess, user: User) -> District | None:
    """The district whose vote the resident takes part in (None for a city-wide vote)."""
    if not process.split_by_district:
        return None
    profile = access.resident_profile(user)
    return profile.district if profile else None


def _check_eligible(process: BudgetProcess, user: User) -> None:
    access.require_verified_resident(user)
    if process.electorate == BudgetProcess.Electorate.PANEL:
        on_panel = PanelVolunteer.objects.filter(
            panel_id=process.panel_id,
            user=user,
            status__in=[PanelVolunteer.Status.SELECTED, PanelVolunteer.Status.REPLACEMENT],
        ).exists()
        if not on_panel:
            raise NotAllowed(
                _("Only members of the citizens' panel vote in this process."), code="not_on_panel"
            )
    if (
        process.split_by_district
        and not process.district_budgets.filter(district=ballot_scope(process, user)).exists()
    ):
        raise NotAllowed(
            _("Your district has no vote in this process."), code="district_not_in_process"
        )


def ballot_projects(process: BudgetProcess, district: District | None) -> dict[str, BudgetProject]:
    qs = process.projects.filter(
        status__in=[
            BudgetProject.Status.FEASIBLE,
            BudgetProject.Status.FUNDED,
            BudgetProject.Status.NOT_FUNDED,
        ]
    )
    if process.split_by_district:
        qs = qs.filter(district=district)
    return {p.code: p for p in qs}


def scope_budget(process: BudgetProcess, district: District | None) -> int:
    if process.split_by_district and district is not None:
        return process.district_budgets.get(district=district).amount
    return process.total_budget


def validate_choices(
    process: BudgetProcess, district: District | None, choices: Any
) -> dict[str, int]:
    """Turn a submitted ballot into ``{project code: value}`` or say precisely what is wrong."""
    projects = ballot_projects(process, district)
    kind = process.ballot_type
    if kind == BudgetProcess.BallotType.CUMULATIVE:
        if not isinstance(choices, Mapping):
            raise InvalidInput("invalid_ballot", _("Give points per project."), field="choices")
        out = {}
        for code, value in choices.items():
            try:
                points = int(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    "invalid_points",
                    _("Points for %(c)s are not a whole number.") % {"c": code},
                    field="choices",
                ) from None
            if points < 0:
                raise InvalidInput(
                    "invalid_points", _("Points cannot be negative."), field="choices"
                )
            if points:
                out[str(code)] = points
        if sum(out.values()) > process.points:
            raise InvalidInput(
                "too_many_points",
                _("You gave %(n)d points; the most is %(m)d.")
                % {"n": sum(out.values()), "m": process.points},
                field="choices",
            )
    else:
        if isinstance(choices, str) or not isinstance(choices, Sequence):
            raise InvalidInput("invalid_ballot", _("Give a list of projects."), field="choices")
        codes = [str(c) for c in choices]
        if len(set(codes)) != len(codes):
            raise InvalidInput("duplicate_choice", _("A project is chosen twice."), field="choices")
        if (
            kind in (BudgetProcess.BallotType.APPROVAL, BudgetProcess.BallotType.RANKED)
            and len(codes) > process.max_choices
        ):
            raise InvalidInput(
                "too_many_choices",
                _("Choose at most %(m)d projects.") % {"m": process.max_choices},
                field="choices",
            )
        out = {
            c: (i + 1 if kind == BudgetProcess.BallotType.RANKED else 1)
            for i, c in enumerate(codes)
        }
    unknown = sorted(set(out) - set(projects))
    if unknown:
        raise InvalidInput(
            "unknown_project",
            _("Not on this ballot: %(p)s.") % {"p": ", ".join(unknown)},
            {"projects": unknown},
            field="choices",
        )
    if not out:
        raise InvalidInput("empty_ballot", _("Choose at least one project."), field="choices")
    if kind == BudgetProcess.BallotType.KNAPSACK:
        total = sum(projects[c].ballot_cost for c in out)
        budget = scope_budget(process, district)
        if total > budget:
            raise InvalidInput(
                "over_budget",
                _("Your choices cost %(t)s KRW, more than the budget of %(b)s KRW.")
                % {"t": f"{total:,}", "b": f"{budget:,}"},
                field="choices",
            )
    return out


def check_cast_ballot(*, actor: User, process: BudgetProcess, choices: Any) -> Ballot:
    """Cast or change the resident's own ballot while the vote is open."""
    _check_eligible(process, actor)
    if process.phase != Phase.VOTING:
        raise Conflict("vote_closed", _("The vote is not open."))
    district = ballot_scope(process, actor)
    values = validate_choices(process, district, choices)
    return do_cast_ballot(
        process=process,
        key=voter_key(process, actor),
        district=district,
        choices=values,
        channel=Ballot.Channel.ONLINE,
    )


def check_enter_paper_ballot(
    *, actor: User, process: BudgetProcess, resident: User, choices: Any
) -> Ballot:
    """Staff enter a paper ballot for a resident checked at a polling place; it counts as their
    one ballot (a later online ballot replaces it, as would a second paper one)."""
    access.require_staff(actor)
    _check_eligible(process, resident)
    if process.phase != Phase.VOTING:
        raise Conflict("vote_closed", _("The vote is not open."))
    district = ballot_scope(process, resident)
    values = validate_choices(process, district, choices)
    ballot = do_cast_ballot(
        process=process,
        key=voter_key(process, resident),
        district=district,
        choices=values,
        channel=Ballot.Channel.PAPER,
    )
    audit.record(actor, "budgeting.ballot.paper_entered", process)  # never what was chosen
    return ballot


@transaction.atomic
def do_cast_ballot(
    *,
    process: BudgetProcess,
    key: str,
    district: District | None,
    choices: dict[str, int],
    channel: str,
) -> Ballot:
    ballot, _created = Ballot.objects.update_or_create(
        process=process,
        voter_key=key,
        defaults={
            "choices": choices,
            "district": district,
            "channel": channel,
            "cast_at": timezone.now(),
        },
    )
    return ballot


def own_ballot(process: BudgetProcess, user: User) -> Ballot | None:
    if not user.is_authenticated:
        return None
    return Ballot.objects.filter(process=process, voter_key=voter_key(process, user)).first()


# ------------------------------------------------------------------------------------------------
# The count
# ------------------------------------------------------------------------------------------------

PB_VOTE_TYPE = {
    "approval": "approval",
    "knapsack": "approval",
    "cumulative": "cumulative",
    "ranked": "ordinal",
}


def election_for(
    process: BudgetProcess, district: District | None
) -> tuple[pb.Election, dict[str, BudgetProject]]:
    """The plain-data election the planning library counts (no model reaches the rules)."""
    projects = ballot_projects(process, district)
    ballots_qs = Ballot.objects.filter(process=process)
    if process.split_by_district:
        ballots_qs = ballots_qs.filter(district=district)
    kind = process.ballot_type
    plain: list[Any] = []
    for choices in ballots_qs.values_list("choices", flat=True).iterator(chunk_size=5000):
        if kind == BudgetProcess.BallotType.CUMULATIVE:
            plain.append({c: v for c, v in choices.items() if c in projects})
        elif kind == BudgetProcess.BallotType.RANKED:
            plain.append(
                [c for c, _ in sorted(choices.items(), key=lambda cv: cv[1]) if c in projects]
            )
        else:
            plain.append([c for c in choices if c in projects])
    election = pb.election_from_ballots(
        [pb.Project(code, p.ballot_cost, p.title) for code, p in sorted(projects.items())],
        scope_budget(process, district),
        plain,
        vote_type=PB_VOTE_TYPE[kind],
    )
    return election, projects


def count(process: BudgetProcess, election: pb.Election) -> pb.Outcome:
    params = process.rule_parameters or {}
    tie_break = params.get("tie_break", "lexicographic")
    rule = process.rule
    if rule == BudgetProcess.Rule.MES:
        completion = params.get("completion", pb.COMPLETIONS["add1"].as_dict())
        return pb.method_of_equal_shares(
            election, completion=pb.MESCompletion(**completion), tie_break=tie_break
        )
    if rule == BudgetProcess.Rule.PHRAGMEN:
        return pb.sequential_phragmen(election, tie_break=tie_break)
    if rule == BudgetProcess.Rule.GREEDY_PER_COST:
        return pb.greedy_votes_per_cost(election, tie_break=tie_break)
    return pb.greedy_utilitarian(
        election, skip=rule == BudgetProcess.Rule.GREEDY, tie_break=tie_break
    )


@transaction.atomic
def do_count(process: BudgetProcess) -> list[Tally]:
    scopes = (
        [db.district for db in process.district_budgets.select_related("district")]
        if process.split_by_district
        else [None]
    )
    tallies = []
    for district in scopes:
        election, projects = election_for(process, district)
        outcome = count(process, election)
        explanations = {}
        for code, result in outcome.projects.items():
            explanations[code] = {
                "funded": result.funded,
                "reason": result.reason,
                "step": result.step,
                "votes": result.votes,
                "sentence": result.sentence("KRW"),
                "detail": _plain(result.detail),
            }
        tallies.append(
            Tally.objects.create(
                process=process,
                district=district,
                rule=outcome.rule,
                parameters=_plain(outcome.parameters),
                budget=int(outcome.budget),
                selected=list(outcome.selected),
                spent=int(outcome.total_cost),
                voters=election.n_voters,
                explanations=explanations,
            )
        )
        funded = set(outcome.selected)
        for code, project in projects.items():
            project.status = (
                BudgetProject.Status.FUNDED if code in funded else BudgetProject.Status.NOT_FUNDED
            )
        BudgetProject.objects.bulk_update(projects.values(), ["status"])
    return tallies


def _plain(value: Any) -> Any:
    from fractions import Fraction

    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


# ------------------------------------------------------------------------------------------------
# Pabulib exchange
# ------------------------------------------------------------------------------------------------


def pabulib_text(process: BudgetProcess, district: District | None = None) -> str:
    """The process's projects and (anonymous) ballots as a Pabulib ``.pb`` file, with the
    published outcome when there is one, so anyone can check the count with other tools."""
    election, _projects = election_for(process, district)
    tally = process.tallies.filter(district=district).first()
    pf = pb.election_to_pabulib(
        election, selected=tally.selected if tally else None, rule=process.rule
    )
    pf.meta.setdefault("description", process.title)
    return pb.format_pabulib(pf)


def check_import_pabulib(
    *,
    actor: User,
    text: str,
    title: str,
    department: Department,
    rule: str = "mes",
    rule_parameters: Mapping[str, Any] | None = None,
    source: str = "upload.pb",
) -> BudgetProcess:
    """Create a counted process from a ``.pb`` file (projects, anonymous ballots, the count)."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    try:
        pf = pb.parse_pabulib(text, source=source)
        election = pb.election_from_pabulib(pf)
    except pb.PabulibFormatError as e:
        raise InvalidInput("bad_pabulib_file", str(e), {"line": getattr(e, "line", None)}) from None
    except pb.PBError as e:
        raise InvalidInput("bad_pabulib_file", str(e)) from None
    kind = {
        "approval": "approval",
        "cumulative": "cumulative",
        "ordinal": "ranked",
        "choose-1": "approval",
    }.get(election.vote_type)
    if kind is None:
        raise InvalidInput(
            "unsupported_vote_type",
            _("Ballots of type %(t)s cannot be imported.") % {"t": election.vote_type},
        )
    too_long = [p.id for p in election.projects if len(p.id) > 20]
    if too_long:
        raise InvalidInput(
            "project_id_too_long",
            _("Project ids longer than 20 characters: %(ids)s.") % {"ids": ", ".join(too_long[:5])},
        )
    longest = max((len(ballot) for ballot, _n in election.ballots()), default=1)
    process = check_create_process(
        actor=actor,
        title=title or pf.meta.get("description", source),
        year=timezone.now().year,
        total_budget=int(election.budget),
        ballot_type=kind,
        rule=rule,
        rule_parameters=rule_parameters,
        max_choices=max(1, min(100, longest)),
        points=1000,
    )
    with transaction.atomic():
        BudgetProject.objects.bulk_create(
            [
                BudgetProject(
                    process=process,
                    code=p.id[:20],
                    title=(p.name or p.id)[:200],
                    department=department,
                    proposed_cost=int(p.cost),
                    cost=int(p.cost),
                    status=BudgetProject.Status.FEASIBLE,
                    feasibility_reason=_("Imported from %(s)s.") % {"s": source},
                )
                for p in election.projects
            ]
        )
        rows, n = [], 0
        for ballot, weight in election.ballots():
            choices = {code: int(v) for code, v in ballot}
            for _copy in range(weight):
                n += 1
                rows.append(
                    Ballot(
                        process=process,
                        voter_key=f"imported-{n}",
                        choices=choices,
                        channel=Ballot.Channel.PAPER,
                    )
                )
        Ballot.objects.bulk_create(rows, batch_size=5000)
        BudgetProcess.objects.filter(pk=process.pk).update(
            phase=Phase.RESULTS, voting_closes=timezone.now()
        )
        process.refresh_from_db()
        do_count(process)
        audit.record(actor, "budgeting.process.imported", process, source=source, ballots=n)
    return process
