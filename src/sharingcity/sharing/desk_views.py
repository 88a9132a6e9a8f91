"""The lending desk of an item, clothing or vehicle owner (a department, an organisation or a
resident): pick-ups and returns with their condition notes, deposits, damage reports,
maintenance tickets and the waiting queues. Check-out and return post to
``views.booking_action`` (the same ``check_check_out``/``check_check_in`` as the booking page);
tickets and queues go through ``services.lending``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharingcity.core.errors import DomainError

from . import selectors
from .forms import TicketForm
from .models import ItemHold, MaintenanceTicket
from .pages import posted, submit
from .services import lending


@login_required
def desk(request):
    resources = selectors.lent_resources(request.user)
    if not resources.exists():
        return render(request, "core/forbidden.html", status=403)
    form = TicketForm(posted(request), resources=resources)
    done = submit(
        request,
        form,
        lending.check_open_ticket,
        success=_("The ticket is open; the unit is in maintenance."),
        to="sharing:desk",
    )
    if done:
        return done
    return render(
        request,
        "sharing/desk.html",
        {**selectors.desk(request.user), "ticket_form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def ticket(request, pk: int):
    ticket = get_object_or_404(
        MaintenanceTicket.objects.select_related("resource"),
        pk=pk,
        resource__in=selectors.lent_resources(request.user).values("pk"),
    )
    try:
        lending.check_update_ticket(
            actor=request.user, ticket=ticket, state=request.POST.get("state", "")
        )
        messages.success(
            request,
            _("Ticket: %(s)s. The unit is %(r)s.")
            % {"s": ticket.get_state_display(), "r": ticket.resource.get_status_display()},
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("sharing:desk")


@login_required
@require_POST
def leave_queue(request, pk: int):
    hold = get_object_or_404(ItemHold.objects.select_related("resource"), pk=pk, user=request.user)
    try:
        lending.check_leave_queue(actor=request.user, hold=hold)
        messages.success(request, _("You left the queue for %(r)s.") % {"r": hold.resource})
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("sharing:my-bookings")
