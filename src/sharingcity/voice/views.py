"""Pages of citizen voice: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharingcity.core import access
from sharingcity.core.errors import DomainError
from sharingcity.core.http import apply_to_form
from sharingcity.core.models import Department, User

from . import ladder, selectors, services
from .forms import (
    CommentForm,
    EventForm,
    EventOutcomeForm,
    FilterForm,
    FollowUpForm,
    InvolveForm,
    NoteForm,
    OfflineProposalForm,
    PartnerForm,
    ProgressForm,
    ProposalForm,
    RankingForm,
    ReplyForm,
    ReportForm,
    RoutingRuleForm,
    RungFormSet,
    TemplateForm,
    TransferForm,
)
from .models import (
    AnswerTemplate,
    Comment,
    Event,
    LadderRung,
    Proposal,
    RankingVote,
    Registration,
    Reply,
    RoutingRule,
)

COMMENTS_SHOWN = 100


def _forbidden(request):
    return render(request, "core/forbidden.html", status=403)


def _filters(data) -> selectors.ProposalFilters:
    return selectors.ProposalFilters(
        **{
            k: (data.get(k) or "").strip()[:200]
            for k in ("q", "status", "district", "department", "category", "channel")
        },
        sort=(data.get("sort") or "recent"),
    )


# --------------------------------------------------------------------------- public pages


def proposal_list(request):
    filters = _filters(request.GET)
    status = 200
    try:
        page = selectors.proposal_page(filters, cursor=request.GET.get("cursor") or None)
    except DomainError as e:
        messages.error(request, e.message)
        page, status = selectors.KeysetPage([], None), 400
    ctx = {"form": FilterForm(request.GET or None), "page": page, "query": filters.query_string()}
    template = "voice/_proposal_rows.html" if request.htmx else "voice/proposal_list.html"
    return render(request, template, ctx, status=status)


@login_required
def proposal_new(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = services.check_submit_online(
                author=request.user,
                title=d["title"],
                body=d["body"],
                category=d["category"].code,
                district=d["district"].code,
            )
        except DomainError as e:
            apply_to_form(form, e)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your proposal was received; the department responsible will reply to you."
                ),
            )
            return redirect("voice:proposal-detail", proposal.pk)
    elif request.method == "GET" and access.resident_profile(request.user):
        form.initial["district"] = access.resident_profile(request.user).district.code
    return render(
        request,
        "voice/proposal_form.html",
        {"form": form, "similar": []},
        status=400 if form.errors else 200,
    )


def proposal_similar(request):
    text = " ".join((request.GET.get(k) or "")[:500] for k in ("title", "body")).strip()
    similar = selectors.similar_proposals(text) if len(text) >= 4 else []
    return render(request, "voice/_similar.html", {"similar": similar})


def proposal_detail(request, pk: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "category", "district", "lead_department", "partner", "author"
        ),
        pk=pk,
    )
    return render(request, "voice/proposal_detail.html", _detail_context(request, proposal))


def _detail_context(request, proposal: Proposal, **extra) -> dict:
    user = request.user
    rungs = ladder.ladder()
    next_rung = next((r for r in rungs if r.threshold > proposal.support_count), None)
    follow_up = getattr(proposal, "follow_up", None) if hasattr(proposal, "follow_up") else None
    ctx = {
        "proposal": proposal,
        "timeline": selectors.public_timeline(proposal),
        "replies": selectors.published_replies(proposal),
        # Long threads stay cheap: the page shows the latest comments; the API pages through all.
        "comments": list(
            selectors.visible_comments(proposal).order_by("-created_at", "-id")[:COMMENTS_SHOWN]
        )[::-1],
        "comments_shown": COMMENTS_SHOWN,
        "progress_updates": proposal.progress_updates.all(),
        "supported": selectors.supports(user, proposal),
        "rungs": rungs,
        "next_rung": next_rung,
        "reached": {r.threshold: r for r in proposal.rungs.all()},
        "comment_form": extra.pop("comment_form", CommentForm()),
        "report_form": ReportForm(),
        "follow_up": follow_up,
        "follow_up_form": extra.pop("follow_up_form", FollowUpForm()),
        "is_author": user.is_authenticated and proposal.author_id == user.pk,
        "is_staff_member": access.is_staff_member(user),
        "events": proposal.events.all(),
    }
    ctx.update(extra)
    return ctx


@login_required
@require_POST
def support(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.do_withdraw_support(user=request.user, proposal_id=pk)
            msg = _("Your support was withdrawn.")
        else:
            services.do_support(user=request.user, proposal_id=pk)
            msg = _("Thank you for your support.")
        ok = True
    except DomainError as e:
        msg, ok = e.message, False
    proposal.refresh_from_db()
    if request.htmx:
        ctx = {
            "proposal": proposal,
            "supported": selectors.supports(request.user, proposal),
            "support_message": msg,
            "support_ok": ok,
        }
        return render(request, "voice/_support_box.html", ctx, status=200 if ok else 409)
    (messages.success if ok else messages.error)(request, msg)
    return redirect("voice:proposal-detail", pk)


@login_required
@require_POST
def comment(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.check_comment(
                actor=request.user, proposal=proposal, body=form.cleaned_data["body"]
            )
            messages.success(request, _("Your comment was posted."))
            return redirect(reverse("voice:proposal-detail", args=[pk]) + "#comments")
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "voice/proposal_detail.html",
        _detail_context(request, proposal, comment_form=form),
        status=400,
    )


@login_required
@require_POST
def report_comment(request, comment_id: int):
    c = get_object_or_404(Comment, pk=comment_id)
    form = ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("invalid_reason", _("Choose why you report this comment."))
        services.check_report_comment(
            actor=request.user, comment=c, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Thank you: moderators will look at this comment."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(reverse("voice:proposal-detail", args=[c.proposal_id]) + "#comments")


@login_required
@require_POST
def follow_up(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.check_answer_follow_up(
                actor=request.user,
                proposal=proposal,
                resolved=form.cleaned_data["resolved"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Thank you for telling us."))
            return redirect("voice:proposal-detail", pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "voice/proposal_detail.html",
        _detail_context(request, proposal, follow_up_form=form),
        status=400,
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        services.check_withdraw_proposal(actor=request.user, proposal=proposal)
        messages.success(request, _("Your proposal was withdrawn."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("voice:proposal-detail", pk)


# --------------------------------------------------------------------------- staff: intake and inbox


@login_required
def offline_intake(request):
    if not access.is_staff_member(request.user):
        return _forbidden(request)
    form = OfflineProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = services.check_submit_offline(
                actor=request.user,
                channel=d["channel"],
                title=d["title"],
                body=d["body"],
                category=d["category"].code,
                district=d["district"].code,
                contact_name=d["contact_name"],
                contact=d["contact"],
                received_at=d["received_at"],
            )
        except DomainError as e:
            apply_to_form(form, e)
        else:
            messages.success(request, _("Proposal %(ref)s recorded.") % {"ref": proposal.reference})
            return redirect("voice:manage", proposal.pk)
    return render(
        request, "voice/offline_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _queue_department(request) -> Department | None:
    code = request.GET.get("department") or request.POST.get("department")
    if code:
        return Department.objects.filter(code=code).first()
    mine = sorted(access.department_ids(request.user))
    return Department.objects.filter(pk=mine[0]).first() if mine else None


@login_required
def inbox(request):
    user = request.user
    if not (access.is_staff_member(user) or access.is_overseer(user)):
        return _forbidden(request)
    department = _queue_department(request)
    departments = (
        Department.objects.all()
        if access.can_watch_all_departments(user)
        else Department.objects.filter(pk__in=access.department_ids(user))
    )
    if department is None:
        if not departments:
            return _forbidden(request)
        department = departments[0]
    if not selectors.can_view_queue(user, department.pk):
        return _forbidden(request)
    can_act = services.is_department_staff(user, department.pk)
    if request.method == "POST":
        if not can_act:
            return _forbidden(request)
        ids = [int(i) for i in request.POST.getlist("proposal") if i.isdigit()]
        try:
            if not ids:
                raise DomainError("nothing_selected", _("Select at least one proposal."))
            proposals = list(Proposal.objects.filter(pk__in=ids))
            if request.POST.get("bulk") == "assign":
                officer = User.objects.filter(pk=request.POST.get("officer") or 0).first()
                n = services.check_bulk_assign(actor=user, proposals=proposals, officer=officer)
                messages.success(request, _("%(n)d proposals assigned.") % {"n": n})
            elif request.POST.get("bulk") == "publish":
                drafts = list(
                    Reply.objects.filter(
                        proposal_id__in=ids, department=department, published_at__isnull=True
                    )
                )
                if not drafts:
                    raise DomainError(
                        "no_drafts", _("None of the selected proposals has a draft reply.")
                    )
                n = services.check_bulk_publish(actor=user, replies=drafts)
                messages.success(request, _("%(n)d replies published.") % {"n": n})
            else:
                raise DomainError("invalid_bulk", _("Choose an action."))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(
            reverse("voice:inbox")
            + f"?department={department.code}&state={request.POST.get('state', 'open')}"
        )
    state = request.GET.get("state", "open")
    try:
        page = selectors.inbox(
            department,
            state=state,
            cursor=request.GET.get("cursor") or None,
            assigned_to=int(request.GET["mine"]) if request.GET.get("mine", "").isdigit() else None,
        )
    except DomainError as e:
        messages.error(request, e.message)
        page = selectors.KeysetPage([], None)
    return render(
        request,
        "voice/inbox.html",
        {
            "department": department,
            "departments": departments,
            "page": page,
            "state": state,
            "can_act": can_act,
            "officers": services.officers_of(department.pk),
            "now": timezone.now(),
            "query": f"department={department.code}&state={state}",
        },
    )


def _manage_allowed(user, proposal) -> bool:
    return access.is_staff_member(user)


@login_required
def manage(request, pk: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "category", "district", "lead_department", "partner", "author", "assigned_officer"
        ),
        pk=pk,
    )
    user = request.user
    if not _manage_allowed(user, proposal):
        return _forbidden(request)
    forms_ = {
        "transfer": TransferForm(prefix="transfer"),
        "involve": InvolveForm(prefix="involve"),
        "partner": PartnerForm(prefix="partner"),
        "note": NoteForm(prefix="note"),
        "progress": ProgressForm(prefix="progress"),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "transfer":
                f = forms_["transfer"] = TransferForm(request.POST, prefix="transfer")
                if f.is_valid():
                    services.check_transfer(
                        actor=user,
                        proposal=proposal,
                        department=f.cleaned_data["department"].code,
                        reason=f.cleaned_data["reason"],
                    )
                    messages.success(request, _("Transferred."))
                    return redirect("voice:manage", pk)
            elif which == "involve":
                f = forms_["involve"] = InvolveForm(request.POST, prefix="involve")
                if f.is_valid():
                    services.check_involve(
                        actor=user, proposal=proposal, department=f.cleaned_data["department"].code
                    )
                    return redirect("voice:manage", pk)
            elif which == "partner":
                f = forms_["partner"] = PartnerForm(request.POST, prefix="partner")
                if f.is_valid():
                    services.check_hand_to_partner(
                        actor=user,
                        proposal=proposal,
                        organisation_id=f.cleaned_data["organisation"].pk,
                        note=f.cleaned_data["note"],
                    )
                    return redirect("voice:manage", pk)
            elif which == "note":
                f = forms_["note"] = NoteForm(request.POST, prefix="note")
                if f.is_valid():
                    services.check_add_note(
                        actor=user, proposal=proposal, body=f.cleaned_data["body"]
                    )
                    return redirect("voice:manage", pk)
            elif which == "progress":
                f = forms_["progress"] = ProgressForm(request.POST, prefix="progress")
                if f.is_valid():
                    services.check_post_progress(
                        actor=user,
                        proposal=proposal,
                        percent=f.cleaned_data["percent"],
                        body=f.cleaned_data["body"],
                    )
                    return redirect("voice:manage", pk)
            elif which == "assign":
                officer = User.objects.filter(pk=request.POST.get("officer") or 0).first()
                services.check_assign(actor=user, proposal=proposal, officer=officer)
                return redirect("voice:manage", pk)
            elif which == "publish":
                reply = get_object_or_404(
                    Reply, pk=request.POST.get("reply") or 0, proposal=proposal
                )
                services.check_publish_reply(actor=user, reply=reply)
                messages.success(request, _("The reply was published and the resident told."))
                return redirect("voice:manage", pk)
            else:
                raise DomainError("invalid_form", _("Unknown action."))
            f = forms_.get(which)
            status = 400
        except DomainError as e:
            f = forms_.get(which)
            if f is not None and f.is_bound:
                apply_to_form(f, e)
            else:
                messages.error(request, e.message)
            status = 400 if e.status == 400 else e.status
    ctx = {
        "proposal": proposal,
        "forms": forms_,
        "obligations": proposal.obligations.select_related("department"),
        "replies": proposal.replies.select_related("department", "author"),
        "notes": proposal.notes.select_related("author", "department"),
        "timeline": selectors.public_timeline(proposal, staff=True),
        "involved": proposal.departments.all(),
        "officers": services.officers_of(proposal.lead_department_id),
        "can_manage": services.can_manage(user, proposal),
        "can_answer": services.answering_department(user, proposal) is not None,
    }
    return render(request, "voice/manage.html", ctx, status=status)


@login_required
def reply(request, pk: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related("lead_department", "category", "district"), pk=pk
    )
    user = request.user
    if not access.is_staff_member(user):
        return _forbidden(request)
    department = services.answering_department(user, proposal)
    if department is None:
        return _forbidden(request)
    initial = {}
    tpl_id = request.GET.get("template")
    if tpl_id and tpl_id.isdigit():
        tpl = AnswerTemplate.objects.filter(pk=tpl_id).first()
        if tpl:
            initial = {"body": tpl.body, "outcome": tpl.outcome}
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        publish = request.POST.get("action") == "publish"
        try:
            services.check_reply(
                actor=user,
                proposal=proposal,
                kind=d["kind"],
                outcome=d["outcome"],
                body=d["body"],
                reason=d["reason"],
                publish=publish,
            )
        except DomainError as e:
            apply_to_form(form, e)
        else:
            messages.success(
                request,
                _("The reply was published and the resident told.")
                if publish
                else _("Draft saved."),
            )
            return redirect("voice:manage", pk)
    templates = AnswerTemplate.objects.filter(
        department__in=[department]
    ) | AnswerTemplate.objects.filter(department__isnull=True)
    return render(
        request,
        "voice/reply_form.html",
        {"proposal": proposal, "form": form, "department": department, "templates": templates},
        status=400 if form.errors else 200,
    )


@login_required
def overdue_board(request):
    user = request.user
    if not (access.is_staff_member(user) or access.is_overseer(user)):
        return _forbidden(request)
    department = Department.objects.filter(code=request.GET.get("department", "")).first()
    page = Paginator(selectors.overdue(department=department), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "voice/overdue.html",
        {
            "page": page,
            "summary": selectors.overdue_by_department(),
            "department": department,
            "now": timezone.now(),
            "query": f"department={department.code}" if department else "",
        },
    )


@login_required
def routing_rules(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    form = RoutingRuleForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                rule = get_object_or_404(RoutingRule, pk=request.POST["delete"])
                services.check_delete_routing_rule(actor=request.user, rule=rule)
                return redirect("voice:routing-rules")
            if form.is_valid():
                d = form.cleaned_data
                services.check_set_routing_rule(
                    actor=request.user,
                    category=d["category"].code,
                    department=d["department"].code,
                    district=d["district"].code if d["district"] else None,
                )
                messages.success(request, _("Rule saved."))
                return redirect("voice:routing-rules")
        except DomainError as e:
            apply_to_form(form, e)
    rules = RoutingRule.objects.select_related("category", "district", "department").order_by(
        "category__order", "district__name_en"
    )
    unrouted = Proposal.objects.filter(lead_department__isnull=True, status="received").order_by(
        "received_at"
    )[:50]
    return render(
        request,
        "voice/routing_rules.html",
        {
            "form": form,
            "rules": rules,
            "unrouted": unrouted,
            "departments": Department.objects.all(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def route(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        services.check_route(
            actor=request.user, proposal=proposal, department=request.POST.get("department", "")
        )
        messages.success(request, _("Sent to the department."))
    except DomainError as e:
        if e.status == 403:
            return _forbidden(request)
        messages.error(request, e.message)
    return redirect("voice:routing-rules")


@login_required
def ladder_page(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    initial = [
        {
            "threshold": r.threshold,
            "window_days": r.window_days,
            "action": r.action,
            "answer_days": r.answer_days,
        }
        for r in ladder.ladder()
    ]
    formset = RungFormSet(request.POST or None, initial=initial, prefix="rung")
    error = None
    if request.method == "POST" and formset.is_valid():
        rungs = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.check_set_ladder(
                actor=request.user,
                rungs=[{k: v for k, v in r.items() if k != "DELETE"} for r in rungs],
            )
            messages.success(request, _("The support ladder was saved."))
            return redirect("voice:ladder")
        except DomainError as e:
            error = e.message
    return render(
        request,
        "voice/ladder.html",
        {"formset": formset, "error": error, "stored": LadderRung.objects.exists()},
        status=400 if (error or formset.errors) else 200,
    )


@login_required
def answer_templates(request):
    user = request.user
    if not access.is_staff_member(user):
        return _forbidden(request)
    mine = Department.objects.filter(pk__in=access.department_ids(user))
    department = _queue_department(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.check_save_template(
                actor=user,
                department=department.code if department else None,
                title=d["title"],
                outcome=d["outcome"],
                body=d["body"],
            )
            messages.success(request, _("Template saved."))
            return redirect(
                reverse("voice:templates")
                + (f"?department={department.code}" if department else "")
            )
        except DomainError as e:
            apply_to_form(form, e)
    templates = AnswerTemplate.objects.select_related("department").filter(
        department__in=list(mine)
    ) | AnswerTemplate.objects.filter(department__isnull=True)
    return render(
        request,
        "voice/templates.html",
        {"form": form, "templates": templates, "department": department},
        status=400 if form.errors else 200,
    )


@login_required
def moderation(request):
    if not services.can_moderate(request.user):
        return _forbidden(request)
    if request.method == "POST":
        c = get_object_or_404(Comment, pk=request.POST.get("comment") or 0)
        try:
            services.check_moderate_comment(
                actor=request.user, comment=c, decision=request.POST.get("decision", "")
            )
            messages.success(request, _("Decision recorded."))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("voice:moderation")
    qs = (
        Comment.objects.filter(report_count__gt=0, reviewed_at__isnull=True)
        .select_related("proposal", "author")
        .prefetch_related("reports")
        .order_by("-report_count", "created_at")
    )
    return render(
        request,
        "voice/moderation.html",
        {"page": Paginator(qs, 50).get_page(request.GET.get("page"))},
    )


# --------------------------------------------------------------------------- ranking vote


def ranking_list(request):
    votes = (
        RankingVote.objects.exclude(state=RankingVote.State.DRAFT)
        if not access.is_bureau_admin(request.user)
        else RankingVote.objects.all()
    )
    return render(
        request,
        "voice/ranking_list.html",
        {"votes": votes, "is_admin": access.is_bureau_admin(request.user)},
    )


def ranking_detail(request, pk: int):
    vote = get_object_or_404(RankingVote, pk=pk)
    admin = access.is_bureau_admin(request.user)
    if vote.state == RankingVote.State.DRAFT and not admin:
        return _forbidden(request)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        try:
            if request.POST.get("step"):
                services.check_advance_ranking(
                    actor=request.user, vote=vote, step=request.POST["step"]
                )
            else:
                ids = [int(i) for i in request.POST.getlist("candidate") if i.isdigit()]
                services.check_cast_ballot(voter=request.user, vote=vote, candidate_ids=ids)
                messages.success(request, _("Your ballot was recorded."))
            return redirect("voice:ranking-detail", pk)
        except DomainError as e:
            messages.error(request, e.message)
            status = e.status
    candidates = list(vote.candidates.all())
    mine = set()
    if request.user.is_authenticated:
        ballot = vote.ballots.filter(voter=request.user).first()
        mine = set(ballot.candidates.values_list("pk", flat=True)) if ballot else set()
    results = (
        sorted(candidates, key=lambda c: (-c.approvals, c.pk))
        if vote.state == RankingVote.State.PUBLISHED
        else []
    )
    return render(
        request,
        "voice/ranking_detail.html",
        {
            "vote": vote,
            "candidates": candidates,
            "mine": mine,
            "results": results,
            "chart": _ranking_chart(results) if results else None,
            "is_admin": admin,
            "ballots": vote.ballots.count() if vote.state == RankingVote.State.PUBLISHED else None,
        },
        status=status,
    )


def _ranking_chart(results) -> dict:
    """Geometry of a horizontal bar chart, drawn by the template as SVG (no JavaScript)."""
    top = max((c.approvals for c in results), default=0) or 1
    bar_h, gap, label_w, width = 26, 10, 0, 600
    rows = []
    for i, c in enumerate(results):
        w = round((width - 80) * c.approvals / top)
        rows.append(
            {
                "rank": i + 1,
                "title": c.title,
                "approvals": c.approvals,
                "y": i * (bar_h + gap),
                "w": w,
                "tx": w + 6,
            }
        )
    return {
        "rows": rows,
        "height": len(rows) * (bar_h + gap),
        "width": width,
        "bar_h": bar_h,
        "label_w": label_w,
    }


@login_required
def ranking_new(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    form = RankingForm(
        request.POST or None, initial={"year": timezone.now().year, "max_approvals": 3}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        cands = [{"title": line.strip()} for line in d["candidates"].splitlines() if line.strip()]
        try:
            vote = services.check_create_ranking(
                actor=request.user,
                title=d["title"],
                year=d["year"],
                max_approvals=d["max_approvals"],
                candidates=cands,
            )
            return redirect("voice:ranking-detail", vote.pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "voice/simple_form.html",
        {"form": form, "title": _("New ranking vote"), "button": _("Create the vote")},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- events


def event_list(request):
    upcoming = Event.objects.filter(starts_at__gte=timezone.now()).select_related(
        "department", "district"
    )
    past = (
        Event.objects.filter(starts_at__lt=timezone.now())
        .select_related("department", "district")
        .order_by("-starts_at")
    )
    return render(
        request,
        "voice/event_list.html",
        {
            "upcoming": upcoming[:100],
            "past": Paginator(past, 20).get_page(request.GET.get("page")),
            "can_create": access.is_staff_member(request.user),
        },
    )


def event_detail(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("department", "district"), pk=pk)
    user = request.user
    staff = user.is_authenticated and services._can_run_event(user, event)
    outcome_form = EventOutcomeForm(
        prefix="outcome",
        initial={
            "outcome": event.outcome,
            "proposals": ", ".join(str(p) for p in event.proposals.values_list("pk", flat=True)),
        },
    )
    status = 200
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        action = request.POST.get("action")
        try:
            if action == "register":
                reg = services.check_register(user=user, event=event)
                messages.success(
                    request,
                    _("You have a place.")
                    if reg.state == Registration.State.CONFIRMED
                    else _("The event is full: you are on the waiting list."),
                )
            elif action == "cancel":
                services.check_cancel_registration(user=user, event=event)
                messages.success(request, _("Your sign-up was cancelled."))
            elif action == "attendance":
                ids = [int(i) for i in request.POST.getlist("attended") if i.isdigit()]
                n = services.check_record_attendance(actor=user, event=event, attended_user_ids=ids)
                messages.success(request, _("Attendance recorded: %(n)d present.") % {"n": n})
            elif action == "outcome":
                outcome_form = EventOutcomeForm(request.POST, prefix="outcome")
                if not outcome_form.is_valid():
                    raise DomainError("invalid_input", _("Check the form."))
                services.check_record_event_outcome(
                    actor=user,
                    event=event,
                    outcome=outcome_form.cleaned_data["outcome"],
                    proposal_ids=outcome_form.cleaned_data["proposals"],
                )
            elif action == "cancel_event":
                services.check_cancel_event(actor=user, event=event)
            else:
                raise DomainError("invalid_action", _("Unknown action."))
            return redirect("voice:event-detail", pk)
        except DomainError as e:
            if action == "outcome" and outcome_form.is_bound:
                apply_to_form(outcome_form, e)
            else:
                messages.error(request, e.message)
            status = e.status
    mine = (
        Registration.objects.filter(event=event, user=user)
        .exclude(state=Registration.State.CANCELLED)
        .first()
        if user.is_authenticated
        else None
    )
    regs = selectors.registrations(event)
    return render(
        request,
        "voice/event_detail.html",
        {
            "event": event,
            "mine": mine,
            "staff": staff,
            "regs": regs if staff else None,
            "confirmed": len(regs["confirmed"]),
            "waitlisted": len(regs["waitlisted"]),
            "outcome_form": outcome_form,
            "started": event.starts_at <= timezone.now(),
        },
        status=status,
    )


@login_required
def event_new(request):
    if not access.is_staff_member(request.user):
        return _forbidden(request)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            event = services.check_create_event(
                actor=request.user,
                kind=d["kind"],
                topic=d["topic"],
                description=d["description"],
                department=d["department"].code,
                district=d["district"].code,
                place=d["place"],
                starts_at=d["starts_at"],
                capacity=d["capacity"],
            )
            return redirect("voice:event-detail", event.pk)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "voice/simple_form.html",
        {"form": form, "title": _("New event"), "button": _("Create the event")},
        status=400 if form.errors else 200,
    )
