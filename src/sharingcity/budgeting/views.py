from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharingcity.core import access
from sharingcity.core.charts import Bar, horizontal_bars
from sharingcity.core.errors import DomainError
from sharingcity.core.http import apply_to_form
from sharingcity.core.models import Role, User

from . import panels as panel_services
from . import selectors, services
from .explain import payment_text, reason_text
from .forms import (
    CostingForm,
    PanelForm,
    ProcessForm,
    ProgressForm,
    ProjectForm,
    ReplaceForm,
    SeedForm,
    UploadForm,
    VolunteerForm,
)
from .models import BudgetProcess, BudgetProject, Panel


def _forbidden(request):
    return render(request, "core/forbidden.html", status=403)


def process_list(request):
    items = (
        selectors.processes()
        if not access.is_bureau_admin(request.user)
        else BudgetProcess.objects.all()
    )
    return render(
        request,
        "budgeting/process_list.html",
        {"processes": items, "can_create": access.is_bureau_admin(request.user)},
    )


@login_required
def process_new(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    form = ProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = services.check_create_process(
                actor=request.user,
                title=d["title"],
                description=d["description"],
                year=d["year"],
                total_budget=d["total_budget"],
                electorate=d["electorate"],
                panel=d["panel"],
                ballot_type=d["ballot_type"],
                max_choices=d["max_choices"],
                points=d["points"],
                rule=d["rule"],
                rule_parameters={
                    "completion": d["completion"],
                    "tie_break": d["tie_break"],
                    "increment": d["increment"],
                },
                district_budgets=d["district_budgets"],
            )
            return redirect("budgeting:process", p.pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "budgeting/form_page.html",
        {"form": form, "heading": _("New budget process")},
        status=400 if form.errors else 200,
    )


def process_detail(request, process_id: int):
    process = get_object_or_404(BudgetProcess, pk=process_id)
    if process.phase == BudgetProcess.Phase.DRAFT and not access.is_bureau_admin(request.user):
        return _forbidden(request)
    user = request.user
    costable = access.department_ids(user) if user.is_authenticated else set()
    return render(
        request,
        "budgeting/process.html",
        {
            "process": process,
            "projects": selectors.projects(process),
            "phases": services.PHASE_ORDER,
            "is_admin": access.is_bureau_admin(user),
            "costable": costable,
            "is_staff": access.is_staff_member(user),
            "ballot": services.own_ballot(process, user),
            "district_budgets": process.district_budgets.select_related("district"),
            "next_phase": services.next_phase(process),
        },
    )


@login_required
@require_POST
def process_phase(request, process_id: int):
    process = get_object_or_404(BudgetProcess, pk=process_id)
    try:
        services.check_set_phase(
            actor=request.user, process=process, phase=request.POST.get("phase", "")
        )
        messages.success(
            request, _("The process moved to: %(p)s.") % {"p": process.get_phase_display()}
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("budgeting:process", process.pk)


@login_required
def project_new(request, process_id: int):
    process = get_object_or_404(selectors.processes(), pk=process_id)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.check_submit_project(
                actor=request.user,
                process=process,
                title=d["title"],
                description=d["description"],
                department=d["department"],
                district=d["district"],
                proposed_cost=d["proposed_cost"],
                source_proposal_id=d["source_proposal_id"],
            )
            messages.success(
                request, _("Thank you: the department will check and cost your project.")
            )
            return redirect("budgeting:process", process.pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "budgeting/form_page.html",
        {"form": form, "heading": _("Propose a project"), "process": process},
        status=400 if form.errors else 200,
    )


@login_required
def project_costing(request, process_id: int, code: str):
    project = get_object_or_404(
        BudgetProject.objects.select_related("process", "department"),
        process_id=process_id,
        code=code,
    )
    if not access.has_role(
        request.user,
        Role.DEPARTMENT_OFFICER,
        Role.DEPARTMENT_HEAD,
        department=project.department_id,
    ):
        return _forbidden(request)
    form = CostingForm(request.POST or None, initial={"cost": project.proposed_cost})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.check_cost_project(
                actor=request.user,
                project=project,
                feasible=d["feasible"],
                cost=d["cost"],
                reason=d["reason"],
            )
            return redirect("budgeting:process", project.process_id)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "budgeting/form_page.html",
        {"form": form, "heading": _("Costing: %(p)s") % {"p": project}, "project": project},
        status=400 if form.errors else 200,
    )


@login_required
def project_progress(request, process_id: int, code: str):
    project = get_object_or_404(BudgetProject, process_id=process_id, code=code)
    if not access.has_role(
        request.user,
        Role.DEPARTMENT_OFFICER,
        Role.DEPARTMENT_HEAD,
        department=project.department_id,
    ):
        return _forbidden(request)
    form = ProgressForm(request.POST or None, initial={"percent_done": project.percent_done})
    if request.method == "POST" and form.is_valid():
        try:
            services.check_update_implementation(
                actor=request.user, project=project, **form.cleaned_data
            )
            return redirect("budgeting:project", process_id, code)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "budgeting/form_page.html",
        {"form": form, "heading": _("Progress: %(p)s") % {"p": project}},
        status=400 if form.errors else 200,
    )


def project_detail(request, process_id: int, code: str):
    project = get_object_or_404(
        BudgetProject.objects.select_related("process", "district", "department"),
        process_id=process_id,
        code=code,
        process__in=selectors.processes(),
    )
    return render(
        request,
        "budgeting/project.html",
        {
            "project": project,
            "updates": project.updates.all(),
            "can_report": access.has_role(
                request.user,
                Role.DEPARTMENT_OFFICER,
                Role.DEPARTMENT_HEAD,
                department=project.department_id,
            ),
        },
    )


@login_required
def vote(request, process_id: int):
    process = get_object_or_404(selectors.processes(), pk=process_id)
    district = services.ballot_scope(process, request.user)
    projects = sorted(services.ballot_projects(process, district).values(), key=lambda p: p.code)
    current = services.own_ballot(process, request.user)
    error = ""
    if request.method == "POST":
        if process.ballot_type == BudgetProcess.BallotType.CUMULATIVE:
            choices = {p.code: request.POST.get(f"points-{p.code}") or "0" for p in projects}
        elif process.ballot_type == BudgetProcess.BallotType.RANKED:
            ranked = sorted(
                (int(v), p.code)
                for p in projects
                if (v := request.POST.get(f"rank-{p.code}", "")).isdigit() and int(v) > 0
            )
            ranks = [r for r, _code in ranked]
            if len(set(ranks)) != len(ranks):
                choices = None
                error = _("Give each rank to one project only.")
            else:
                choices = [code for _r, code in ranked]
        else:
            choices = request.POST.getlist("project")
        if choices is not None:
            try:
                services.check_cast_ballot(actor=request.user, process=process, choices=choices)
                messages.success(
                    request, _("Your ballot is saved. You can change it until the vote closes.")
                )
                return redirect("budgeting:process", process.pk)
            except DomainError as e:
                error = e.message
    return render(
        request,
        "budgeting/vote.html",
        {
            "process": process,
            "projects": projects,
            "current": current.choices if current else {},
            "error": error,
            "budget": services.scope_budget(process, district)
            if (district or not process.split_by_district)
            else None,
        },
        status=400 if error else 200,
    )


@login_required
def paper_ballot(request, process_id: int):
    process = get_object_or_404(selectors.processes(), pk=process_id)
    if not access.is_staff_member(request.user):
        return _forbidden(request)
    error, resident = "", None
    if request.method == "POST":
        resident = User.objects.filter(username=request.POST.get("resident", "").strip()).first()
        if resident is None:
            error = _("No resident with that user name.")
        else:
            try:
                services.check_enter_paper_ballot(
                    actor=request.user,
                    process=process,
                    resident=resident,
                    choices=request.POST.getlist("project"),
                )
                messages.success(request, _("Paper ballot recorded."))
                return redirect("budgeting:paper-ballot", process.pk)
            except DomainError as e:
                error = e.message
    district = services.ballot_scope(process, resident) if resident else None
    projects = (
        sorted(services.ballot_projects(process, district).values(), key=lambda p: p.code)
        if not process.split_by_district or district
        else []
    )
    return render(
        request,
        "budgeting/paper_ballot.html",
        {"process": process, "projects": projects, "error": error},
        status=400 if error else 200,
    )


def results(request, process_id: int):
    process = get_object_or_404(selectors.processes(), pk=process_id)
    tallies = []
    projects = {p.code: p for p in selectors.projects(process)}
    for t in selectors.latest_tallies(process):
        rows = []
        order = list(t.selected) + [c for c in t.explanations if c not in set(t.selected)]
        for code in order:
            e = t.explanations[code]
            rows.append(
                {
                    "project": projects.get(code),
                    "code": code,
                    "funded": e["funded"],
                    "votes": e["votes"],
                    "reason": reason_text(e["reason"]),
                    "payment": payment_text(e.get("detail", {})),
                }
            )
        chart = horizontal_bars(
            [
                Bar(
                    f"{r['code']} {r['project'].title if r['project'] else ''}",
                    r["votes"],
                    "highlight" if r["funded"] else "muted",
                    _("funded") if r["funded"] else "",
                )
                for r in sorted(rows, key=lambda r: -r["votes"])
            ],
            title=_("Votes per project"),
            description=_("Green bars are funded projects."),
        )
        tallies.append({"tally": t, "rows": rows, "chart": chart, "money_left": t.budget - t.spent})
    return render(
        request,
        "budgeting/results.html",
        {"process": process, "tallies": tallies, "turnout": selectors.turnout_by_district(process)},
    )


# ---------------------------------------------------------------------------------------------
# Panels
# ---------------------------------------------------------------------------------------------


def panel_list(request):
    return render(
        request,
        "budgeting/panel_list.html",
        {"panels": selectors.panels(), "can_create": access.is_bureau_admin(request.user)},
    )


@login_required
def panel_new(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    form = PanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel = panel_services.check_create_panel(actor=request.user, **form.cleaned_data)
            return redirect("budgeting:panel", panel.pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "budgeting/form_page.html",
        {"form": form, "heading": _("New citizens' panel")},
        status=400 if form.errors else 200,
    )


# Keys of planning.sortition.audit's probability summary, as the panel page names them.
PROBABILITY_SUMMARY = {
    "volunteers": gettext_lazy("Volunteers"),
    "minimum": gettext_lazy("Lowest"),
    "p10": gettext_lazy("10th percentile"),
    "median": gettext_lazy("Median"),
    "mean": gettext_lazy("Mean"),
    "p90": gettext_lazy("90th percentile"),
    "maximum": gettext_lazy("Highest"),
    "at_minimum": gettext_lazy("Volunteers at the lowest probability"),
}
COUNTS = {"volunteers", "at_minimum"}


def _labelled_composition(panel: Panel) -> list[dict]:
    """Quota rows with the volunteer form's words for its features and answers; features of a pool
    imported from CSV that the form does not ask about are shown as they were written."""
    fields = VolunteerForm().fields
    rows = []
    for q in selectors.composition(panel):
        field = fields.get(q["feature"])
        answers = dict(getattr(field, "choices", []) or [])
        rows.append(
            {
                **q,
                "feature_label": field.label if field is not None else q["feature"],
                "value_label": answers.get(q["value"], q["value"]),
            }
        )
    return rows


def _labelled_summary(summary: dict) -> list[tuple[str, float, bool]]:
    return [(PROBABILITY_SUMMARY.get(k, k), v, k in COUNTS) for k, v in summary.items()]


def panel_detail(request, panel_id: int):
    panel = get_object_or_404(selectors.panels(), pk=panel_id)
    user = request.user
    mine = panel.volunteers.filter(user=user).first() if user.is_authenticated else None
    return render(
        request,
        "budgeting/panel.html",
        {
            "panel": panel,
            "is_admin": access.is_bureau_admin(user),
            "mine": mine,
            "composition": _labelled_composition(panel) if panel.quotas else [],
            "members": selectors.panel_members(panel) if panel.stage == Panel.Stage.DRAWN else [],
            "volunteer_form": VolunteerForm(),
            "upload_form": UploadForm(),
            "seed_form": SeedForm(),
            "replace_form": ReplaceForm(),
            "summary": _labelled_summary(panel.audit_report.get("probability_summary", {})),
        },
    )


@login_required
@require_POST
def panel_action(request, panel_id: int, action: str):
    panel = get_object_or_404(Panel, pk=panel_id)
    try:
        if action == "volunteer":
            form = VolunteerForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Please answer every question."))
                return redirect("budgeting:panel", panel.pk)
            panel_services.check_volunteer(
                actor=request.user,
                panel=panel,
                features=form.cleaned_data,
                household=form.cleaned_data["household"],
            )
            messages.success(request, _("Thank you for volunteering."))
        elif action == "withdraw":
            panel_services.check_withdraw(actor=request.user, panel=panel)
        elif action == "pool":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a CSV file."))
            else:
                n = panel_services.check_import_pool(
                    actor=request.user, panel=panel, data=upload.read()
                )
                messages.success(request, _("%(n)d volunteers imported.") % {"n": n})
        elif action == "quotas":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a CSV file."))
            else:
                panel_services.check_set_quotas(
                    actor=request.user,
                    panel=panel,
                    quotas=panel_services.parse_quotas_csv(upload.read()),
                )
                messages.success(request, _("Quotas set; the pool is closed."))
        elif action == "lottery":
            panel_services.check_publish_lottery(actor=request.user, panel=panel)
            messages.success(request, _("The selection probabilities are being computed."))
        elif action == "draw":
            panel_services.check_draw(
                actor=request.user, panel=panel, seed=request.POST.get("seed", "")
            )
            messages.success(request, _("The panel is drawn."))
        elif action == "replace":
            new = panel_services.check_replace(
                actor=request.user,
                panel=panel,
                declined=request.POST.get("declined", "").split(","),
                seed=request.POST.get("seed", ""),
            )
            messages.success(request, _("Replacements drawn: %(ids)s") % {"ids": ", ".join(new)})
        else:
            return _forbidden(request)
    except DomainError as e:
        messages.error(request, e.message)
        for row in e.details.get("rows", []):
            messages.error(request, _("line %(line)s: %(error)s") % row)
    return redirect("budgeting:panel", panel.pk)
