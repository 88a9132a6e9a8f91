from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharingcity.core import access
from sharingcity.core.errors import DomainError
from sharingcity.core.http import apply_to_form

from . import selectors, services
from .kinds import run_kind, run_kinds
from .models import PlanningRun, RunArtifact


def _planner_or_403(request):
    if not access.has_role(request.user, *services.PLANNING_ROLES):
        return render(request, "core/forbidden.html", status=403)
    return None


@login_required
def index(request):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    kind = request.GET.get("kind") or None
    page = Paginator(selectors.runs(kind=kind), 25).get_page(request.GET.get("page"))
    return render(request, "plans/index.html", {"kinds": run_kinds(), "page": page, "kind": kind})


@login_required
def new_run(request, kind_key: str):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    kind = run_kind(kind_key)
    if kind is None:
        raise Http404
    form = kind.form(request.POST or None)
    title_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            run = services.check_submit_run(
                actor=request.user,
                kind_key=kind.key,
                title=request.POST.get("title", ""),
                parameters=request.POST.dict(),
            )
            return redirect("plans:run", run.pk)
        except DomainError as e:
            if e.field == "title":
                title_error = e.message
            else:
                apply_to_form(form, e)
    return render(
        request,
        "plans/new_run.html",
        {
            "kind": kind,
            "form": form,
            "title_error": title_error,
            "title": request.POST.get("title", ""),
        },
        status=400 if (form.errors or title_error) else 200,
    )


@login_required
def run_detail(request, run_id: int):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    run = get_object_or_404(selectors.runs(), pk=run_id)
    template = "plans/_run_status.html" if request.htmx else "plans/run.html"
    return render(request, template, {"run": run, "kind": run_kind(run.kind)})


@login_required
@require_POST
def cancel_run(request, run_id: int):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    run = get_object_or_404(PlanningRun, pk=run_id)
    try:
        services.check_cancel_run(actor=request.user, run=run)
        messages.success(request, _("The run was asked to stop."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("plans:run", run.pk)


@login_required
def artifact(request, run_id: int, name: str):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    art = get_object_or_404(RunArtifact, run_id=run_id, name=name)
    return FileResponse(
        art.file.open("rb"),
        content_type=art.content_type,
        as_attachment=not art.inline,
        filename=art.name,
    )


@login_required
def compare(request):
    if (denied := _planner_or_403(request)) is not None:
        return denied
    ids = [int(i) for i in request.GET.getlist("run") if i.isdigit()]
    runs = selectors.runs_to_compare(ids)
    keys: list[str] = []
    for r in runs:
        keys += [k for k in r.summary if k not in keys]
    rows = [{"key": k, "values": [r.summary.get(k, "—") for r in runs]} for k in keys]
    return render(request, "plans/compare.html", {"runs": runs, "rows": rows})
