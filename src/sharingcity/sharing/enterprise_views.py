"""Pages of the designated sharing enterprises: an organisation's operators apply (and renew),
follow their applications, ask for grants and report on them; the bureau reviews applications
stage by stage, decides, awards grants and grants fund loans. Every write is a check_* service
of ``services.enterprises``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharingcity.core import access
from sharingcity.core.errors import DomainError
from sharingcity.core.models import Organisation

from . import selectors
from .forms import (
    ApplicationForm,
    AwardForm,
    DecisionForm,
    GrantRequestForm,
    LoanForm,
    StageReviewForm,
)
from .models import EnterpriseApplication, Grant, Repayment
from .pages import posted, submit
from .services import enterprises
from .services.enterprises import DOCUMENT_LABELS


def _forbidden(request):
    return render(request, "core/forbidden.html", status=403)


def documents_shown(application: EnterpriseApplication) -> list[dict]:
    """The documents handed in: the required ones by name, the others as given (links open)."""
    return [
        {
            "label": DOCUMENT_LABELS.get(d, d),
            "url": d if d.startswith(("https://", "http://")) else "",
        }
        for d in application.documents
    ]


# --------------------------------------------------------------------------- operators


@login_required
def apply(request):
    org_ids = access.organisation_ids(request.user)
    if not org_ids:
        return _forbidden(request)
    organisations = Organisation.objects.filter(pk__in=org_ids)
    designations = selectors.designations_of(org_ids)
    initial = {}
    renewal = request.GET.get("renewal", "")
    if renewal.isdigit():
        d = get_object_or_404(designations, pk=int(renewal))
        initial = {"renewal_of": d.pk, "organisation": d.organisation_id}
    form = ApplicationForm(
        posted(request),
        organisations=organisations,
        designations=designations,
        initial=initial,
    )
    done = submit(
        request,
        form,
        enterprises.check_apply,
        success=_("Your application was received; the bureau will review it."),
        to="sharing:enterprise-mine",
    )
    if done:
        return done
    renewing = form["renewal_of"].value()
    return render(
        request,
        "sharing/enterprise_apply.html",
        {"form": form, "renewing": bool(renewing)},
        status=400 if form.errors else 200,
    )


@login_required
def mine(request):
    org_ids = access.organisation_ids(request.user)
    if not org_ids:
        return _forbidden(request)
    grant_form = GrantRequestForm(
        posted(request),
        designations=selectors.current_designations_of(org_ids),
        prefix="grant",
    )
    done = submit(
        request,
        grant_form,
        enterprises.check_request_grant,
        success=_("The grant request was sent to the bureau."),
        to="sharing:enterprise-mine",
    )
    if done:
        return done
    applications = [
        {
            "application": a,
            "history": selectors.review_history(a),
            "documents": documents_shown(a),
        }
        for a in selectors.applications_of(org_ids)[:50]
    ]
    return render(
        request,
        "sharing/enterprise_mine.html",
        {
            "applications": applications,
            "designations": selectors.designations_of(org_ids),
            "loans": selectors.loans_of(org_ids),
            "grant_form": grant_form,
        },
        status=400 if grant_form.errors else 200,
    )


@login_required
@require_POST
def grant_report(request, pk: int):
    grant = get_object_or_404(
        Grant.objects.select_related("designation"),
        pk=pk,
        designation__organisation_id__in=access.organisation_ids(request.user),
    )
    try:
        enterprises.check_grant_report(actor=request.user, grant=grant)
        messages.success(request, _("The report is recorded as received."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("sharing:enterprise-mine")


# --------------------------------------------------------------------------- the bureau


@login_required
def review_queue(request):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    page = Paginator(selectors.enterprise_review_queue(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sharing/enterprise_queue.html",
        {
            "page": page,
            "grants": selectors.grants_waiting()[:100],
            "decided": selectors.enterprise_decided(),
        },
    )


def _bureau_forms(application, data=None, action=""):
    """The forms of the application page; only the one posted is bound."""
    stage = application.stage
    forms = {
        "review": StageReviewForm(data if action == "review" else None, prefix="review")
        if stage in enterprises.FLOW
        else None,
        "decide": DecisionForm(data if action == "decide" else None, prefix="decide")
        if stage == EnterpriseApplication.Stage.COMMITTEE
        else None,
        "loan": LoanForm(data if action == "loan" else None, prefix="loan"),
    }
    return forms


def _award_forms(grants, data=None, grant_pk=None):
    return {
        g.pk: AwardForm(data if g.pk == grant_pk else None, prefix=f"award-{g.pk}")
        for g in grants
        if g.state == Grant.State.REQUESTED
    }


def _decided(designation) -> str:
    if designation is None:
        return _("Not designated; the applicant was told.")
    return _("Designated until %(d)s.") % {"d": designation.valid_until.isoformat()}


def _post_to_service(request, application, forms, awards, grants):
    """Run the posted form through its service; return a redirect or None (errors shown)."""
    action = request.POST.get("action", "")
    here = reverse("sharing:enterprise-application", args=[application.pk])
    if action == "repaid":
        repayment = get_object_or_404(
            Repayment,
            pk=_int(request.POST.get("repayment")),
            loan__organisation=application.organisation_id,
        )
        try:
            enterprises.check_record_repayment(actor=request.user, repayment=repayment)
            messages.success(request, _("The instalment is recorded as paid."))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(here)
    if action == "award":
        grant = grants.get(_int(request.POST.get("grant")))
        form = awards.get(grant.pk) if grant else None
        service, success, context = (
            enterprises.check_award_grant,
            _("The grant decision is recorded."),
            {"grant": grant},
        )
    else:
        form = forms.get(action)
        service, success, context = {
            "review": (
                enterprises.check_review_stage,
                _("The review is recorded."),
                {"application": application},
            ),
            "decide": (enterprises.check_decide, _decided, {"application": application}),
            "loan": (
                enterprises.check_grant_loan,
                _("The loan and its repayment schedule are recorded."),
                {"organisation": application.organisation},
            ),
        }.get(action, (None, "", {}))
    if form is None:
        return None
    return submit(request, form, service, success=success, to=here, **context)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@login_required
def application_detail(request, pk: int):
    if not access.is_bureau_admin(request.user):
        return _forbidden(request)
    application = get_object_or_404(
        EnterpriseApplication.objects.select_related("organisation", "applicant", "renewal_of"),
        pk=pk,
    )
    org_ids = [application.organisation_id]
    designations = list(selectors.designations_of(org_ids))
    grants = {g.pk: g for d in designations for g in d.grants.all()}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _bureau_forms(application, request.POST, action)
    awards = _award_forms(
        grants.values(),
        request.POST,
        _int(request.POST.get("grant")) if action == "award" else None,
    )
    if request.method == "POST":
        done = _post_to_service(request, application, forms, awards, grants)
        if done is not None:
            return done
    bound = [f for f in [*forms.values(), *awards.values()] if f is not None and f.is_bound]
    return render(
        request,
        "sharing/enterprise_application.html",
        {
            "application": application,
            "history": selectors.review_history(application),
            "documents": documents_shown(application),
            "forms": forms,
            "awards": awards,
            "designations": designations,
            "loans": selectors.loans_of(org_ids),
        },
        status=400 if any(f.errors for f in bound) else 200,
    )
