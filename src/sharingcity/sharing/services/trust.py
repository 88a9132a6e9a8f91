"""Trust: double-blind reviews after completed bookings, reports and disputes to staff."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import User
from sharingcity.core.notifications import notify

from .. import rules
from ..models import Booking, Report, Resource, Review

REPORT_REASONS = ("safety", "damage", "fraud", "misleading", "discrimination", "other")


def check_review(*, actor: User, booking: Booking, rating: int, text: str = "", now=None) -> Review:
    """The booker reviews the resource and its owner; the owner reviews the booker. Only after
    a completed booking; hidden until both have written or ``Review.BLIND_DAYS`` have passed."""
    now = now or timezone.now()
    if booking.state != Booking.State.COMPLETED or booking.kind != Booking.Kind.BOOKING:
        raise Conflict("not_completed", _("Reviews open once the booking is completed."))
    if booking.booker_id == actor.pk:
        about = Review.About.RESOURCE
    elif rules.can_manage(actor, booking.resource):
        about = Review.About.BOOKER
    else:
        raise NotAllowed(_("Only the two parties of a booking review it."), code="not_a_party")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("invalid_rating", _("Rate from 1 to 5."), field="rating")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking,
                author=actor,
                about=about,
                rating=rating,
                text=text.strip()[:4000],
                created_at=now,
            )
            if Review.objects.filter(booking=booking).count() == 2:
                Review.objects.filter(booking=booking, published_at__isnull=True).update(
                    published_at=now
                )
                review.published_at = now
    except IntegrityError:
        raise Conflict("already_reviewed", _("You have reviewed this booking already.")) from None
    return review


def publish_blind_reviews(now=None) -> int:
    """Reviews whose counterpart did not come within the blind period are published alone."""
    now = now or timezone.now()
    return Review.objects.filter(
        published_at__isnull=True, created_at__lte=now - timedelta(days=Review.BLIND_DAYS)
    ).update(published_at=now)


def check_report(
    *,
    actor: User,
    reason: str,
    text: str,
    resource: Resource | None = None,
    booking: Booking | None = None,
) -> Report:
    access.require_login(actor)
    if reason not in REPORT_REASONS:
        raise InvalidInput(
            "invalid_reason",
            _("Choose a reason."),
            {"allowed": list(REPORT_REASONS)},
            field="reason",
        )
    if not text.strip():
        raise InvalidInput("text_required", _("Say what happened."), field="text")
    if (resource is None) == (booking is None):
        raise InvalidInput("target_required", _("Report either a resource or a booking."))
    if booking is not None:
        rules.require_see_booking(actor, booking)
    report = Report.objects.create(
        reporter=actor,
        resource=resource or booking.resource,
        booking=booking,
        reason=reason,
        text=text.strip(),
    )
    _tell_staff(report)
    return report


def check_dispute(*, actor: User, booking: Booking, text: str) -> Report:
    """Either party disputes a booking in use or completed; staff mediate."""
    rules.require_see_booking(actor, booking)
    if not text.strip():
        raise InvalidInput("text_required", _("Say what is disputed."), field="text")
    with transaction.atomic():
        n = Booking.objects.filter(
            pk=booking.pk, state__in=[Booking.State.CHECKED_OUT, Booking.State.COMPLETED]
        ).update(state=Booking.State.DISPUTED)
        if not n:
            raise Conflict(
                "invalid_transition",
                _("Only a booking in use or completed can be disputed."),
                {"state": booking.state},
            )
        booking.state = Booking.State.DISPUTED
        report = Report.objects.create(
            reporter=actor,
            resource=booking.resource,
            booking=booking,
            is_dispute=True,
            reason="dispute",
            text=text.strip(),
        )
        _tell_staff(report)
    return report


def check_resolve_report(
    *, actor: User, report: Report, resolution: str, dismiss: bool = False
) -> Report:
    access.require_staff(actor)
    if not resolution.strip():
        raise InvalidInput("resolution_required", _("Write the resolution."), field="resolution")
    with transaction.atomic():
        n = Report.objects.filter(pk=report.pk, state=Report.State.OPEN).update(
            state=Report.State.DISMISSED if dismiss else Report.State.RESOLVED,
            resolution=resolution.strip(),
            resolved_by=actor,
        )
        if not n:
            raise Conflict("invalid_transition", _("This report is closed already."))
        report.refresh_from_db()
        if report.is_dispute and report.booking_id:
            Booking.objects.filter(pk=report.booking_id, state=Booking.State.DISPUTED).update(
                state=Booking.State.COMPLETED
            )
        audit.record(actor, "sharing.report.closed", report, dismissed=dismiss)
        notify(
            [report.reporter],
            kind="sharing.report.closed",
            title=_("Your report was answered"),
            body=report.resolution,
        )
    return report


def _tell_staff(report: Report) -> None:
    people = rules.approvers(report.resource) if report.resource_id else []
    notify(
        people,
        kind="sharing.report",
        title=_("New report on %(r)s") % {"r": report.resource},
        body=report.text[:500],
        url="/ko/sharing/reports/",
    )
