"""Item lending around the booking core: the holds queue, damage reports and maintenance."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import audit
from sharingcity.core.errors import Conflict, InvalidInput
from sharingcity.core.models import User
from sharingcity.core.notifications import notify

from .. import rules
from ..models import Booking, DamageReport, ItemHold, Kind, MaintenanceTicket, Resource
from .booking import QUEUE_READY_DAYS, check_person


def check_join_queue(*, actor: User, resource: Resource, now=None) -> ItemHold:
    now = now or timezone.now()
    if resource.kind not in (Kind.ITEM, Kind.CLOTHING, Kind.VEHICLE):
        raise InvalidInput("no_queue", _("Only items have a waiting queue."))
    check_person(actor, resource, now=now)
    try:
        with transaction.atomic():
            hold = ItemHold.objects.create(resource=resource, user=actor, created_at=now)
    except IntegrityError:
        raise Conflict("already_queued", _("You are in this queue already.")) from None
    if (
        not Booking.objects.filter(
            resource=resource, state__in=Booking.ACTIVE, end__gt=now
        ).exists()
        and resource.status == Resource.Status.ACTIVE
    ):
        advance_queue(resource, now=now)
        hold.refresh_from_db()
    return hold


def queue_position(hold: ItemHold) -> int:
    """1 for the first person waiting."""
    return ItemHold.objects.filter(
        Q(created_at__lt=hold.created_at) | Q(created_at=hold.created_at, pk__lte=hold.pk),
        resource=hold.resource_id,
        state=ItemHold.State.WAITING,
    ).count()


def check_leave_queue(*, actor: User, hold: ItemHold) -> ItemHold:
    if hold.user_id != actor.pk:
        raise InvalidInput("not_your_hold", _("This is not your place in the queue."))
    n = ItemHold.objects.filter(
        pk=hold.pk, state__in=[ItemHold.State.WAITING, ItemHold.State.READY]
    ).update(state=ItemHold.State.CANCELLED)
    if not n:
        raise Conflict("invalid_transition", _("This place in the queue is closed already."))
    hold.state = ItemHold.State.CANCELLED
    if hold.ready_until:
        advance_queue(hold.resource)
    return hold


def advance_queue(resource: Resource, *, now=None) -> ItemHold | None:
    """The item came back: the first waiting person may pick it up within two days."""
    now = now or timezone.now()
    if ItemHold.objects.filter(
        resource=resource, state=ItemHold.State.READY, ready_until__gt=now
    ).exists():
        return None
    nxt = ItemHold.objects.filter(resource=resource, state=ItemHold.State.WAITING).first()
    if nxt is None:
        return None
    nxt.state = ItemHold.State.READY
    nxt.ready_until = now + timedelta(days=QUEUE_READY_DAYS)
    nxt.save(update_fields=["state", "ready_until"])
    notify(
        [nxt.user],
        kind="sharing.queue.ready",
        title=_("%(r)s is ready for you; book the pick-up within %(d)d days")
        % {"r": resource.title, "d": QUEUE_READY_DAYS},
        url=f"/ko/sharing/resources/{resource.pk}/",
    )
    return nxt


def expire_ready_holds(now=None) -> int:
    now = now or timezone.now()
    stale = list(ItemHold.objects.filter(state=ItemHold.State.READY, ready_until__lte=now))
    for hold in stale:
        ItemHold.objects.filter(pk=hold.pk).update(state=ItemHold.State.EXPIRED)
        advance_queue(hold.resource, now=now)
    return len(stale)


def do_report_damage(*, actor: User, booking: Booking, description: str) -> DamageReport:
    """Damage found at return: recorded, the unit goes to maintenance, the owner is told."""
    description = description.strip()
    if not description:
        raise InvalidInput("description_required", _("Describe the damage."), field="damage")
    rules.require_see_booking(actor, booking)
    with transaction.atomic():
        report = DamageReport.objects.create(
            booking=booking, reported_by=actor, description=description
        )
        MaintenanceTicket.objects.create(
            resource=booking.resource, damage=report, opened_by=actor, description=description
        )
        Resource.objects.filter(pk=booking.resource_id).update(status=Resource.Status.MAINTENANCE)
        booking.resource.status = Resource.Status.MAINTENANCE
        notify(
            rules.approvers(booking.resource),
            kind="sharing.damage",
            title=_("Damage reported: %(r)s") % {"r": booking.resource.title},
            body=description,
        )
    return report


def check_open_ticket(*, actor: User, resource: Resource, description: str) -> MaintenanceTicket:
    rules.require_manage(actor, resource)
    if not description.strip():
        raise InvalidInput(
            "description_required", _("Describe what needs repair."), field="description"
        )
    with transaction.atomic():
        ticket = MaintenanceTicket.objects.create(
            resource=resource, opened_by=actor, description=description.strip()
        )
        Resource.objects.filter(pk=resource.pk).update(status=Resource.Status.MAINTENANCE)
        audit.record(actor, "sharing.ticket.opened", resource)
    resource.status = Resource.Status.MAINTENANCE
    return ticket


TICKET_FLOW = {
    MaintenanceTicket.State.OPEN: (
        MaintenanceTicket.State.REPAIRING,
        MaintenanceTicket.State.RESOLVED,
        MaintenanceTicket.State.RETIRED,
    ),
    MaintenanceTicket.State.REPAIRING: (
        MaintenanceTicket.State.RESOLVED,
        MaintenanceTicket.State.RETIRED,
    ),
}


def check_update_ticket(*, actor: User, ticket: MaintenanceTicket, state: str) -> MaintenanceTicket:
    rules.require_manage(actor, ticket.resource)
    if state not in TICKET_FLOW.get(ticket.state, ()):
        raise Conflict(
            "invalid_transition",
            _("A ticket that is %(s)s cannot become %(t)s.")
            % {"s": ticket.get_state_display(), "t": state},
        )
    with transaction.atomic():
        ticket.state = state
        if state in (MaintenanceTicket.State.RESOLVED, MaintenanceTicket.State.RETIRED):
            ticket.closed_at = timezone.now()
            still_open = (
                MaintenanceTicket.objects.filter(
                    resource=ticket.resource,
                    state__in=[MaintenanceTicket.State.OPEN, MaintenanceTicket.State.REPAIRING],
                )
                .exclude(pk=ticket.pk)
                .exists()
            )
            status = (
                Resource.Status.RETIRED
                if state == MaintenanceTicket.State.RETIRED
                else (Resource.Status.MAINTENANCE if still_open else Resource.Status.ACTIVE)
            )
            Resource.objects.filter(pk=ticket.resource_id).update(status=status)
            ticket.resource.status = status
        ticket.save(update_fields=["state", "closed_at"])
        audit.record(actor, "sharing.ticket." + state, ticket.resource)
        if ticket.resource.status == Resource.Status.ACTIVE:
            advance_queue(ticket.resource)
    return ticket
