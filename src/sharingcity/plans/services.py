"""Submitting, running and cancelling planning runs."""

from __future__ import annotations

import time
import traceback
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotFound
from sharingcity.core.models import Role, User
from sharingcity.core.notifications import notify

from .kinds import RunCancelled, RunKind, run_kind
from .models import PlanningRun, RunArtifact

PLANNING_ROLES = (Role.PLANNER, Role.BUREAU_ADMIN)


def require_planner(user) -> None:
    access.require_role(user, *PLANNING_ROLES)


def _kind(key: str) -> RunKind:
    kind = run_kind(key)
    if kind is None:
        raise NotFound(
            _("Unknown kind of planning run %(key)s.") % {"key": key}, code="unknown_run_kind"
        )
    return kind


def validate_parameters(kind: RunKind, data: dict[str, Any]) -> dict[str, Any]:
    """Run the kind's form over the submitted values; every bad field is named in the error."""
    form = kind.form(data={k: v for k, v in data.items() if v is not None})
    if not form.is_valid():
        errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
        first = next(iter(errors))
        raise InvalidInput(
            "invalid_parameters",
            _("Some parameters are invalid: %(fields)s.") % {"fields": ", ".join(errors)},
            {"errors": errors},
            field=first if first != "__all__" else None,
        )
    return form.cleaned_data


def check_submit_run(
    *, actor: User, kind_key: str, title: str, parameters: dict[str, Any]
) -> PlanningRun:
    require_planner(actor)
    kind = _kind(kind_key)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("missing_title", _("Name the scenario."), field="title")
    validate_parameters(kind, parameters)
    raw = {k: v for k, v in parameters.items() if k in kind.form.base_fields}
    return do_submit_run(actor=actor, kind=kind, title=title[:200], parameters=raw)


@transaction.atomic
def do_submit_run(
    *, actor: User, kind: RunKind, title: str, parameters: dict[str, Any]
) -> PlanningRun:
    run = PlanningRun.objects.create(
        kind=kind.key, title=title, parameters=parameters, created_by=actor
    )
    audit.record(actor, "plans.run.submitted", run, kind=kind.key)
    from .tasks import execute_run_task

    transaction.on_commit(lambda: execute_run_task(run.pk))
    return run


def check_cancel_run(*, actor: User, run: PlanningRun) -> PlanningRun:
    require_planner(actor)
    if run.is_finished:
        raise Conflict("run_finished", _("This run has already finished."))
    PlanningRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    if run.status == PlanningRun.Status.QUEUED:
        PlanningRun.objects.filter(pk=run.pk, status=PlanningRun.Status.QUEUED).update(
            status=PlanningRun.Status.CANCELLED, finished_at=timezone.now()
        )
    audit.record(actor, "plans.run.cancelled", run)
    run.refresh_from_db()
    return run


class _ProgressWriter:
    """Writes progress to the run row at most every half second, and stops a cancelled run."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last = 0.0

    def __call__(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and fraction < 1.0:
            return
        self.last = now
        PlanningRun.objects.filter(pk=self.run_id).update(
            progress=max(0.0, min(1.0, float(fraction))), progress_message=str(message)[:300]
        )
        if PlanningRun.objects.filter(pk=self.run_id, cancel_requested=True).exists():
            raise RunCancelled


def execute_run(run_id: int) -> PlanningRun | None:
    """The worker's side: compute the run and store its results (called by the task queue)."""
    started = PlanningRun.objects.filter(pk=run_id, status=PlanningRun.Status.QUEUED).update(
        status=PlanningRun.Status.RUNNING, started_at=timezone.now()
    )
    if not started:
        return None  # cancelled before it started, or already taken
    run = PlanningRun.objects.get(pk=run_id)
    kind = _kind(run.kind)
    try:
        params = validate_parameters(kind, run.parameters)
        result = kind.execute(params, _ProgressWriter(run_id))
    except RunCancelled:
        PlanningRun.objects.filter(pk=run_id).update(
            status=PlanningRun.Status.CANCELLED, finished_at=timezone.now()
        )
        return PlanningRun.objects.get(pk=run_id)
    except Exception as exc:  # a failed run must say why, not take the worker down
        PlanningRun.objects.filter(pk=run_id).update(
            status=PlanningRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=5)}",
        )
    else:
        with transaction.atomic():
            for art in result.artifacts:
                a = RunArtifact(
                    run=run,
                    name=art.name,
                    label=str(art.label or art.name),
                    content_type=art.content_type,
                    inline=art.inline,
                )
                a.file.save(art.name, ContentFile(art.content), save=False)
                a.save()
            PlanningRun.objects.filter(pk=run_id).update(
                status=PlanningRun.Status.SUCCEEDED,
                progress=1.0,
                progress_message="",
                summary=result.summary,
                tables=result.tables,
                finished_at=timezone.now(),
            )
    run.refresh_from_db()
    if run.created_by_id:
        with override(run.created_by.preferred_language):
            notify(
                [run.created_by],
                kind="plans.run.finished",
                title=_("Planning run %(title)s: %(status)s")
                % {"title": run.title, "status": run.get_status_display()},
                url=reverse("plans:run", args=[run.pk]),
            )
    return run
