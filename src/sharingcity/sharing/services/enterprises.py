"""Designated sharing enterprises: application, the bureau's review stages, the designation
(3 years, with the right to the Sharing City brand), renewals, grants and fund loans."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import Organisation, Role, User
from sharingcity.core.notifications import notify

from ..models import Designation, EnterpriseApplication, Grant, Loan, Repayment

Stage = EnterpriseApplication.Stage
FLOW = {
    Stage.SUBMITTED: Stage.DOCUMENTS,
    Stage.DOCUMENTS: Stage.SITE_VISIT,
    Stage.SITE_VISIT: Stage.PRESENTATION,
    Stage.PRESENTATION: Stage.COMMITTEE,
}
MIN_ACTIVITY_MONTHS = 6
REQUIRED_DOCUMENTS = ("business_registration", "activity_report", "business_plan")
DOCUMENT_LABELS = {
    "business_registration": gettext_lazy("Business registration certificate"),
    "activity_report": gettext_lazy("Report of the sharing activity"),
    "business_plan": gettext_lazy("Business plan"),
}
BRN = re.compile(r"^\d{3}-?\d{2}-?\d{5}$")  # 사업자등록번호 123-45-67890


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month) - (1 if b.day < a.day else 0)


def check_apply(
    *,
    actor: User,
    organisation: Organisation,
    legal_form: str,
    registration_number: str,
    sharing_since: date,
    description: str,
    documents: list[str],
    today: date | None = None,
    renewal_of: Designation | None = None,
) -> EnterpriseApplication:
    today = today or timezone.localdate()
    if organisation.pk not in access.organisation_ids(actor):
        raise NotAllowed(_("Only the organisation's operators may apply."), code="not_operator")
    if legal_form not in EnterpriseApplication.LegalForm.values:
        raise InvalidInput("invalid_legal_form", _("Choose the legal form."), field="legal_form")
    if not BRN.match(registration_number.strip()):
        raise InvalidInput(
            "invalid_registration_number",
            _("Give the business registration number as 123-45-67890."),
            field="registration_number",
        )
    if sharing_since > today:
        raise InvalidInput("invalid_date", _("The date is in the future."), field="sharing_since")
    if _months_between(sharing_since, today) < MIN_ACTIVITY_MONTHS:
        raise InvalidInput(
            "too_little_activity",
            _("At least %(n)d months of sharing activity are needed.") % {"n": MIN_ACTIVITY_MONTHS},
            field="sharing_since",
        )
    missing = [d for d in REQUIRED_DOCUMENTS if d not in documents]
    if missing:
        raise InvalidInput(
            "missing_documents",
            _("These documents are missing: %(d)s.")
            % {"d": ", ".join(str(DOCUMENT_LABELS[d]) for d in missing)},
            {"missing": missing},
            field="documents",
        )
    if not description.strip():
        raise InvalidInput(
            "description_required", _("Describe the sharing activity."), field="description"
        )
    if renewal_of is not None and renewal_of.organisation_id != organisation.pk:
        raise InvalidInput(
            "invalid_renewal",
            _("Only the organisation's own designation can be renewed."),
            field="renewal_of",
        )
    if EnterpriseApplication.objects.filter(
        organisation=organisation, stage__in=list(FLOW)
    ).exists():
        raise Conflict("application_open", _("This organisation has an application under review."))
    return EnterpriseApplication.objects.create(
        organisation=organisation,
        applicant=actor,
        legal_form=legal_form,
        registration_number=registration_number.strip(),
        sharing_since=sharing_since,
        description=description.strip(),
        documents=list(documents),
        renewal_of=renewal_of,
    )


def _bureau(actor: User) -> None:
    access.require_role(actor, Role.BUREAU_ADMIN)


def check_review_stage(
    *,
    actor: User,
    application: EnterpriseApplication,
    passed: bool,
    note: str = "",
    score: int | None = None,
) -> EnterpriseApplication:
    """Record the current stage's review and move on (or reject)."""
    _bureau(actor)
    if application.stage not in FLOW:
        raise Conflict("invalid_transition", _("This application is decided already."))
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput("invalid_score", _("Score from 0 to 100."), field="score")
    if not passed and not note.strip():
        raise InvalidInput(
            "reason_required", _("Say why the application stops here."), field="note"
        )
    with transaction.atomic():
        application.reviews = [
            *application.reviews,
            {
                "stage": application.stage,
                "by": actor.pk,
                "at": timezone.now().isoformat(),
                "score": score,
                "passed": passed,
                "note": note.strip(),
            },
        ]
        application.stage = FLOW[application.stage] if passed else Stage.REJECTED
        application.save(update_fields=["reviews", "stage"])
        audit.record(actor, "sharing.enterprise.review", application, passed=passed)
    return application


def check_decide(
    *,
    actor: User,
    application: EnterpriseApplication,
    designate: bool,
    note: str = "",
    today: date | None = None,
) -> Designation | None:
    """The Sharing Promotion Committee's decision: a 3-year designation with the brand right."""
    _bureau(actor)
    today = today or timezone.localdate()
    if application.stage != Stage.COMMITTEE:
        raise Conflict("invalid_transition", _("The committee decides after the presentation."))
    with transaction.atomic():
        application.stage = Stage.DESIGNATED if designate else Stage.REJECTED
        application.reviews = [
            *application.reviews,
            {
                "stage": "committee",
                "by": actor.pk,
                "at": timezone.now().isoformat(),
                "passed": designate,
                "note": note.strip(),
            },
        ]
        application.save(update_fields=["stage", "reviews"])
        designation = None
        if designate:
            start = today
            if application.renewal_of and application.renewal_of.valid_until >= today:
                start = application.renewal_of.valid_until + timezone.timedelta(days=1)
            designation = Designation.objects.create(
                organisation=application.organisation,
                application=application,
                valid_from=start,
                valid_until=start.replace(year=start.year + Designation.VALID_YEARS)
                - timezone.timedelta(days=1),
            )
        audit.record(actor, "sharing.enterprise.decided", application, designated=designate)
        notify(
            [application.applicant],
            kind="sharing.enterprise.decided",
            title=_("Designation decided: %(o)s") % {"o": application.organisation},
            body=note,
        )
    return designation


def check_request_grant(
    *, actor: User, designation: Designation, track: str, project: str, amount: int
) -> Grant:
    if designation.organisation_id not in access.organisation_ids(actor):
        raise NotAllowed(_("Only the organisation's operators may ask."), code="not_operator")
    if not designation.is_current():
        raise Conflict("not_designated", _("Only currently designated enterprises get grants."))
    if track not in Grant.Track.values:
        raise InvalidInput("invalid_track", _("Choose a track."), field="track")
    if amount <= 0:
        raise InvalidInput("invalid_amount", _("The amount must be positive."), field="amount")
    if not project.strip():
        raise InvalidInput("project_required", _("Name the project."), field="project")
    return Grant.objects.create(
        designation=designation, track=track, project=project.strip(), amount_requested=amount
    )


def check_award_grant(*, actor: User, grant: Grant, amount: int, report_due: date) -> Grant:
    _bureau(actor)
    if grant.state != Grant.State.REQUESTED:
        raise Conflict("invalid_transition", _("This grant is decided already."))
    if not 0 <= amount <= grant.amount_requested:
        raise InvalidInput(
            "invalid_amount", _("Award between 0 and the amount requested."), field="amount"
        )
    grant.amount_awarded = amount
    grant.report_due = report_due
    grant.state = Grant.State.AWARDED if amount else Grant.State.REFUSED
    grant.save()
    audit.record(actor, "sharing.grant.decided", grant, amount=amount)
    return grant


def check_grant_report(*, actor: User, grant: Grant) -> Grant:
    if grant.designation.organisation_id not in access.organisation_ids(actor):
        raise NotAllowed(_("Only the organisation's operators may report."), code="not_operator")
    if grant.state != Grant.State.AWARDED:
        raise Conflict("invalid_transition", _("Only awarded grants are reported on."))
    grant.state = Grant.State.REPORTED
    grant.report_received_at = timezone.now()
    grant.save(update_fields=["state", "report_received_at"])
    return grant


def instalments(amount: int, annual_rate: Decimal, months: int) -> list[int]:
    """Equal monthly instalments (annuity), whole won, the last one absorbing the rounding."""
    r = float(annual_rate) / 100 / 12
    pay = amount / months if r == 0 else amount * r / (1 - (1 + r) ** -months)
    total = round(pay * months)
    each = round(pay)
    return [each] * (months - 1) + [total - each * (months - 1)]


def check_grant_loan(
    *,
    actor: User,
    organisation: Organisation,
    amount: int,
    annual_rate: Decimal,
    term_months: int,
    disbursed_on: date,
) -> Loan:
    _bureau(actor)
    if amount <= 0:
        raise InvalidInput("invalid_amount", _("The amount must be positive."), field="amount")
    if not 1 <= term_months <= 120:
        raise InvalidInput("invalid_term", _("The term is 1 to 120 months."), field="term_months")
    if not Decimal(0) <= annual_rate <= Decimal(20):
        raise InvalidInput("invalid_rate", _("The rate is 0 to 20 %."), field="annual_rate")
    with transaction.atomic():
        loan = Loan.objects.create(
            organisation=organisation,
            amount=amount,
            annual_rate=annual_rate,
            term_months=term_months,
            disbursed_on=disbursed_on,
        )
        rows = []
        for i, pay in enumerate(instalments(amount, annual_rate, term_months), start=1):
            m = disbursed_on.month - 1 + i
            y = disbursed_on.year + m // 12
            day = min(disbursed_on.day, 28)
            rows.append(Repayment(loan=loan, due=date(y, m % 12 + 1, day), amount=pay))
        Repayment.objects.bulk_create(rows)
        audit.record(actor, "sharing.loan.granted", loan, amount=amount)
    return loan


def check_record_repayment(*, actor: User, repayment: Repayment) -> Repayment:
    _bureau(actor)
    n = Repayment.objects.filter(pk=repayment.pk, paid_at__isnull=True).update(
        paid_at=timezone.now()
    )
    if not n:
        raise Conflict("already_paid", _("This instalment is recorded as paid already."))
    repayment.refresh_from_db()
    audit.record(actor, "sharing.loan.repaid", repayment.loan, amount=repayment.amount)
    return repayment
