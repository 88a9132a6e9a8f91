from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from sharingcity.core.http import AUTH

from . import selectors, services
from .kinds import run_kinds
from .models import PlanningRun

router = Router(tags=["plans"])


class KindOut(Schema):
    key: str
    label: str
    description: str
    parameters: list[str]


class RunIn(Schema):
    kind: str = Field(..., min_length=1, max_length=60)
    title: str = Field(..., min_length=1, max_length=200)
    parameters: dict[str, Any] = {}


class ArtifactOut(Schema):
    name: str
    content_type: str
    url: str


class RunOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    progress: float
    progress_message: str
    parameters: dict[str, Any]
    summary: dict[str, Any]
    error: str
    created_at: datetime
    finished_at: datetime | None
    artifacts: list[ArtifactOut]


def _out(run: PlanningRun) -> dict:
    return {
        **{
            f: getattr(run, f)
            for f in (
                "id",
                "kind",
                "title",
                "status",
                "progress",
                "progress_message",
                "parameters",
                "summary",
                "error",
                "created_at",
                "finished_at",
            )
        },
        "artifacts": [
            {
                "name": a.name,
                "content_type": a.content_type,
                "url": reverse("plans:artifact", args=[run.pk, a.name]),
            }
            for a in run.artifacts.all()
        ],
    }


@router.get("/kinds", response=list[KindOut], summary="Kinds of planning run")
def list_kinds(request):
    return [
        {
            "key": k.key,
            "label": str(k.label),
            "description": str(k.description),
            "parameters": list(k.form.base_fields),
        }
        for k in run_kinds()
    ]


@router.get("/runs", response=list[RunOut], auth=AUTH, summary="Planning runs, newest first")
def list_runs(request, kind: str | None = None, limit: int = Query(50, ge=1, le=200)):
    services.require_planner(request.user)
    return [_out(r) for r in selectors.runs(kind=kind)[:limit]]


@router.post(
    "/runs",
    response={202: RunOut},
    auth=AUTH,
    summary="Submit a planning run (runs in the background)",
)
def submit_run(request, payload: RunIn):
    run = services.check_submit_run(
        actor=request.user,
        kind_key=payload.kind,
        title=payload.title,
        parameters=payload.parameters,
    )
    run.refresh_from_db()
    return Status(202, _out(run))


@router.get(
    "/runs/{run_id}", response=RunOut, auth=AUTH, summary="A run with its progress and results"
)
def get_run(request, run_id: int):
    services.require_planner(request.user)
    return _out(get_object_or_404(selectors.runs(), pk=run_id))


@router.post("/runs/{run_id}/cancel", response=RunOut, auth=AUTH, summary="Ask a run to stop")
def cancel_run(request, run_id: int):
    run = services.check_cancel_run(
        actor=request.user, run=get_object_or_404(PlanningRun, pk=run_id)
    )
    return _out(run)
