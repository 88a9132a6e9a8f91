from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from sharingcity.core.errors import NotFound
from sharingcity.core.http import AUTH
from sharingcity.core.models import Department, District, User

from . import panels as panel_services
from . import selectors, services
from .models import BudgetProcess, BudgetProject, Panel

router = Router(tags=["budgeting"])


class ProcessOut(Schema):
    id: int
    title: str
    description: str
    year: int
    phase: str
    total_budget: int
    electorate: str
    ballot_type: str
    max_choices: int
    points: int
    rule: str
    rule_parameters: dict[str, Any]
    district_budgets: dict[str, int]


class ProjectOut(Schema):
    code: str
    title: str
    description: str
    district: str | None
    department: str
    proposed_cost: int
    cost: int | None
    status: str
    feasibility_reason: str
    percent_done: int
    source_proposal_id: int | None


class ProjectIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    department: str = Field(..., min_length=1, max_length=60)
    district: str | None = Field(None, max_length=40)
    proposed_cost: int = Field(..., gt=0)
    source_proposal_id: int | None = Field(None, ge=1)


class CostingIn(Schema):
    feasible: bool
    cost: int | None = Field(None, gt=0)
    reason: str = Field(..., min_length=1, max_length=5000)


class BallotIn(Schema):
    choices: list[str] | dict[str, int]


class BallotOut(Schema):
    process: int
    choices: dict[str, int]
    channel: str
    cast_at: datetime


class PaperBallotIn(BallotIn):
    resident_id: int


class TallyOut(Schema):
    district: str | None
    rule: str
    parameters: dict[str, Any]
    budget: int
    spent: int
    money_left: int
    voters: int
    selected: list[str]
    explanations: dict[str, Any]


class PanelOut(Schema):
    id: int
    title: str
    size: int
    stage: str
    algorithm: str
    one_per_household: bool
    quotas: list[dict[str, Any]]
    seed_source: str
    seed: str
    lottery_digest: str
    minimum_probability: float | None


class VolunteerIn(Schema):
    gender: str = Field(..., min_length=1, max_length=60)
    housing: str = Field(..., min_length=1, max_length=60)
    education: str = Field(..., min_length=1, max_length=60)
    household: str = Field("", max_length=200)


def _process(process_id: int) -> BudgetProcess:
    return get_object_or_404(selectors.processes(), pk=process_id)


def _process_out(p: BudgetProcess) -> dict:
    return {
        **{f: getattr(p, f) for f in ProcessOut.model_fields if f != "district_budgets"},
        "district_budgets": {
            db.district.code: db.amount for db in p.district_budgets.select_related("district")
        },
    }


def _project_out(p: BudgetProject) -> dict:
    return {
        **{
            f: getattr(p, f)
            for f in (
                "code",
                "title",
                "description",
                "proposed_cost",
                "cost",
                "status",
                "feasibility_reason",
                "percent_done",
                "source_proposal_id",
            )
        },
        "district": p.district.code if p.district else None,
        "department": p.department.code,
    }


@router.get("/processes", response=list[ProcessOut], summary="Budget processes")
def list_processes(request):
    return [_process_out(p) for p in selectors.processes()]


@router.get(
    "/processes/{process_id}",
    response=ProcessOut,
    summary="A budget process and its published rule",
)
def get_process(request, process_id: int):
    return _process_out(_process(process_id))


@router.get(
    "/processes/{process_id}/projects", response=list[ProjectOut], summary="Projects of a process"
)
def list_projects(request, process_id: int):
    return [_project_out(p) for p in selectors.projects(_process(process_id))]


@router.post(
    "/processes/{process_id}/projects",
    response={201: ProjectOut},
    auth=AUTH,
    summary="Submit a project idea",
)
def submit_project(request, process_id: int, payload: ProjectIn):
    process = _process(process_id)
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise NotFound("Unknown department.", code="unknown_department")
    district = None
    if payload.district:
        district = District.objects.filter(code=payload.district).first()
        if district is None:
            raise NotFound("Unknown district.", code="unknown_district")
    p = services.check_submit_project(
        actor=request.user,
        process=process,
        title=payload.title,
        description=payload.description,
        department=department,
        district=district,
        proposed_cost=payload.proposed_cost,
        source_proposal_id=payload.source_proposal_id,
    )
    return Status(201, _project_out(p))


@router.post(
    "/processes/{process_id}/projects/{code}/costing",
    response=ProjectOut,
    auth=AUTH,
    summary="Record the department's costing",
)
def cost_project(request, process_id: int, code: str, payload: CostingIn):
    project = get_object_or_404(BudgetProject, process_id=process_id, code=code)
    return _project_out(
        services.check_cost_project(
            actor=request.user,
            project=project,
            feasible=payload.feasible,
            cost=payload.cost,
            reason=payload.reason,
        )
    )


@router.put(
    "/processes/{process_id}/ballot",
    response=BallotOut,
    auth=AUTH,
    summary="Cast or change my ballot",
)
def cast_ballot(request, process_id: int, payload: BallotIn):
    b = services.check_cast_ballot(
        actor=request.user, process=_process(process_id), choices=payload.choices
    )
    return {"process": process_id, "choices": b.choices, "channel": b.channel, "cast_at": b.cast_at}


@router.get("/processes/{process_id}/ballot", response=BallotOut, auth=AUTH, summary="My ballot")
def my_ballot(request, process_id: int):
    b = services.own_ballot(_process(process_id), request.user)
    if b is None:
        raise NotFound("You have not voted in this process.", code="no_ballot")
    return {"process": process_id, "choices": b.choices, "channel": b.channel, "cast_at": b.cast_at}


@router.post(
    "/processes/{process_id}/paper-ballots",
    response={201: BallotOut},
    auth=AUTH,
    summary="Enter a paper ballot (staff)",
)
def paper_ballot(request, process_id: int, payload: PaperBallotIn):
    resident = get_object_or_404(User, pk=payload.resident_id)
    b = services.check_enter_paper_ballot(
        actor=request.user, process=_process(process_id), resident=resident, choices=payload.choices
    )
    return Status(
        201,
        {"process": process_id, "choices": b.choices, "channel": b.channel, "cast_at": b.cast_at},
    )


@router.get(
    "/processes/{process_id}/results",
    response=list[TallyOut],
    summary="Published results with explanations",
)
def results(request, process_id: int):
    process = _process(process_id)
    return [
        {
            "district": t.district.code if t.district else None,
            "rule": t.rule,
            "parameters": t.parameters,
            "budget": t.budget,
            "spent": t.spent,
            "money_left": t.budget - t.spent,
            "voters": t.voters,
            "selected": t.selected,
            "explanations": t.explanations,
        }
        for t in selectors.latest_tallies(process)
    ]


@router.get("/panels", response=list[PanelOut], summary="Citizens' panels")
def list_panels(request):
    return list(Panel.objects.all())


@router.get("/panels/{panel_id}", response=PanelOut, summary="A panel")
def get_panel(request, panel_id: int):
    return get_object_or_404(Panel, pk=panel_id)


@router.get(
    "/panels/{panel_id}/lottery",
    response=dict,
    summary="The published lottery (panels and their tickets) to re-run the draw",
)
def panel_lottery(request, panel_id: int) -> dict:
    panel = get_object_or_404(Panel, pk=panel_id)
    if not panel.lottery:
        raise NotFound("The lottery is not published yet.", code="lottery_not_published")
    return {
        "digest": panel.lottery_digest,
        "seed_source": panel.seed_source,
        "seed": panel.seed,
        "lottery": panel.lottery,
        "audit": {k: v for k, v in panel.audit_report.items() if k != "replacements"},
    }


@router.post(
    "/panels/{panel_id}/volunteer", response={201: dict}, auth=AUTH, summary="Volunteer for a panel"
)
def volunteer(request, panel_id: int, payload: VolunteerIn):
    panel = get_object_or_404(Panel, pk=panel_id)
    v = panel_services.check_volunteer(
        actor=request.user, panel=panel, features=payload.dict(), household=payload.household
    )
    return Status(201, {"volunteer_id": v.external_id})


@router.get(
    "/processes/{process_id}/pabulib",
    summary="The process as a Pabulib .pb file (anonymous ballots)",
)
def export_pabulib(request, process_id: int, district: str | None = None):
    from django.http import HttpResponse

    process = _process(process_id)
    scope = None
    if district:
        scope = District.objects.filter(code=district).first()
        if scope is None:
            raise NotFound("Unknown district.", code="unknown_district")
    text = services.pabulib_text(process, scope)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="process-{process.pk}.pb"'
    return response


class ImportIn(Schema):
    text: str = Field(..., min_length=1, max_length=50_000_000)
    title: str = Field("", max_length=200)
    department: str = Field(..., min_length=1, max_length=60)
    rule: str = Field("mes", max_length=20)
    rule_parameters: dict[str, Any] = {}


@router.post(
    "/processes/import-pabulib",
    response={201: ProcessOut},
    auth=AUTH,
    summary="Create a counted process from a .pb file",
)
def import_pabulib(request, payload: ImportIn):
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise NotFound("Unknown department.", code="unknown_department")
    process = services.check_import_pabulib(
        actor=request.user,
        text=payload.text,
        title=payload.title,
        department=department,
        rule=payload.rule,
        rule_parameters=payload.rule_parameters,
    )
    return Status(201, _process_out(process))
