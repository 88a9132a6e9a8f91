"""Pages of the sharing hub: thin views over the selectors and the check_* services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharingcity.core import access
from sharingcity.core.errors import DomainError
from sharingcity.core.http import apply_to_form

from . import rules, selectors
from .forms import (
    BlockForm,
    BookingForm,
    ConditionForm,
    DenyForm,
    FeedUploadForm,
    ReportForm,
    ReviewForm,
    SearchForm,
)
from .models import Booking, PartnerPlatform, Resource
from .services import booking as bk
from .services import hub, lending, trust


def search(request):
    form = SearchForm(request.GET or None)
    results, svg, query = None, "", ""
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        params = selectors.Search(
            kind=d["kind"],
            district=d["district"].code if d["district"] else "",
            q=d["q"],
            category=d["category"],
            size=d["size"],
            accessible=d["accessible"],
            free_from=d["free_from"],
            free_to=d["free_to"],
        )
        try:
            qs = selectors.search(params)
            counts = selectors.counts_by_district(params)
        except DomainError as e:
            apply_to_form(form, e)
        else:
            paginator = Paginator(qs, 25)
            paginator.count = sum(counts.values())  # the map's exact counts: no second COUNT
            results = paginator.get_page(request.GET.get("page"))
            svg = mark_safe(selectors.district_map_svg(counts))  # noqa: S308 - escaped in the selector
            query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    return render(
        request,
        "sharing/search.html",
        {
            "form": form,
            "page": results,
            "map_svg": svg,
            "query": query,
            "free_from": form.cleaned_data.get("free_from")
            if form.is_bound and form.is_valid()
            else None,
            "free_to": form.cleaned_data.get("free_to")
            if form.is_bound and form.is_valid()
            else None,
        },
        status=400 if form.errors else 200,
    )


def resource_detail(request, pk: int):
    resource = get_object_or_404(
        Resource.objects.select_related(
            "district", "owner_department", "owner_organisation", "partner"
        ),
        pk=pk,
    )
    initial = {}
    for field in ("start", "end"):
        if request.GET.get(field):
            initial[field] = request.GET[field][:16]
    form = BookingForm(request.POST or None, resource=resource, initial=initial)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url(request)}")
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d.get("weeks"):
                    series = bk.check_book_weekly(
                        actor=request.user,
                        resource=resource,
                        start=d["start"],
                        end=d["end"],
                        weeks=d["weeks"],
                        purpose=d["purpose"],
                        attendees=d["attendees"],
                    )
                    messages.success(
                        request,
                        _("%(n)d dates booked; %(s)d skipped.")
                        % {"n": series.bookings.count(), "s": len(series.skipped)},
                    )
                    for s in series.skipped:
                        messages.warning(request, f"{s['start'][:16]}: {s['message']}")
                else:
                    b = bk.check_book(
                        actor=request.user,
                        resource=resource,
                        start=d["start"],
                        end=d["end"],
                        purpose=d["purpose"],
                        attendees=d["attendees"],
                        vehicle_plate=d.get("vehicle_plate", ""),
                    )
                    messages.success(
                        request,
                        _("Requested: the owner will approve or deny it.")
                        if b.state == Booking.State.REQUESTED
                        else _("Booked."),
                    )
                return redirect("sharing:my-bookings")
            except DomainError as e:
                apply_to_form(form, e)
    upcoming = resource.bookings.filter(state__in=Booking.ACTIVE, end__gte=timezone.now()).order_by(
        "start"
    )[:20]
    return render(
        request,
        "sharing/resource.html",
        {
            "resource": resource,
            "form": form,
            "upcoming": upcoming,
            "windows": resource.windows.all(),
            "reviews": selectors.published_reviews(resource)[:10],
            "can_manage": rules.can_manage(request.user, resource),
            "block_form": BlockForm(),
        },
        status=400 if form.errors else 200,
    )


def _login_url(request) -> str:
    from django.conf import settings
    from django.urls import reverse

    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"


@login_required
def my_bookings(request):
    page = Paginator(selectors.bookings_of(request.user), 30).get_page(request.GET.get("page"))
    feed = request.build_absolute_uri(
        f"/{request.LANGUAGE_CODE}/sharing/feeds/{selectors.feed_token(user=request.user)}.ics"
    )
    return render(
        request,
        "sharing/my_bookings.html",
        {"page": page, "feed_url": feed, "holds": selectors.holds_of(request.user)},
    )


@login_required
def booking_detail(request, pk: int):
    try:
        booking = selectors.booking_for(request.user, pk)
    except DomainError:
        raise Http404 from None
    return render(
        request,
        "sharing/booking.html",
        {
            "booking": booking,
            "can_manage": rules.can_manage(request.user, booking.resource),
            "is_booker": booking.booker_id == request.user.pk,
            "condition_form": ConditionForm(),
            "deny_form": DenyForm(),
            "review_form": ReviewForm(),
            "report_form": ReportForm(),
        },
    )


@login_required
@require_POST
def booking_action(request, pk: int, action: str):
    try:
        booking = selectors.booking_for(request.user, pk)
    except DomainError:
        raise Http404 from None
    post = request.POST
    try:
        if action == "approve":
            bk.check_approve(actor=request.user, booking=booking)
            messages.success(request, _("Approved; the booker was told."))
        elif action == "deny":
            bk.check_deny(actor=request.user, booking=booking, reason=post.get("reason", ""))
            messages.success(request, _("Denied; the booker was told why."))
        elif action == "cancel":
            bk.check_cancel(actor=request.user, booking=booking, reason=post.get("reason", ""))
            messages.success(request, _("Cancelled."))
        elif action == "confirm":
            bk.check_confirm_hold(actor=request.user, booking=booking)
        elif action in ("check-out", "check-in") and not (form := ConditionForm(post)).is_valid():
            for name, errors in form.errors.items():
                messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        elif action == "check-out":
            bk.check_check_out(
                actor=request.user, booking=booking, condition=post.get("condition", "")
            )
            messages.success(request, _("Checked in."))
        elif action == "check-in":
            bk.check_check_in(
                actor=request.user,
                booking=booking,
                condition=post.get("condition", ""),
                damage=post.get("damage", ""),
            )
            messages.success(request, _("Completed."))
        elif action == "review":
            form = ReviewForm(post)
            if not form.is_valid():
                messages.error(request, _("Choose a rating from 1 to 5."))
            else:
                trust.check_review(actor=request.user, booking=booking, **form.cleaned_data)
                messages.success(
                    request, _("Thank you. Reviews appear when both have written or after 7 days.")
                )
        elif action == "dispute":
            trust.check_dispute(actor=request.user, booking=booking, text=post.get("text", ""))
            messages.success(request, _("Staff were told about the dispute."))
        elif action == "report":
            form = ReportForm(post)
            if not form.is_valid():
                messages.error(request, _("Choose a reason and say what happened."))
            else:
                trust.check_report(actor=request.user, booking=booking, **form.cleaned_data)
                messages.success(request, _("Thank you; staff will look at it."))
        else:
            raise Http404
    except DomainError as e:
        messages.error(request, e.message)
    if post.get("next") == "approvals":
        return redirect("sharing:approvals")
    if post.get("next") == "desk":
        return redirect("sharing:desk")
    return redirect("sharing:booking", pk=pk)


@login_required
def approvals(request):
    page = Paginator(selectors.approval_queue(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sharing/approvals.html", {"page": page, "deny_form": DenyForm()})


@login_required
@require_POST
def block(request, pk: int):
    resource = get_object_or_404(Resource, pk=pk)
    form = BlockForm(request.POST)
    if form.is_valid():
        try:
            bk.check_block(actor=request.user, resource=resource, **form.cleaned_data)
            messages.success(request, _("The time is blocked."))
        except DomainError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, _("Give a valid start and end."))
    return redirect("sharing:resource", pk=pk)


@login_required
@require_POST
def join_queue(request, pk: int):
    resource = get_object_or_404(Resource, pk=pk)
    try:
        hold = lending.check_join_queue(actor=request.user, resource=resource)
        messages.success(
            request,
            _("You are number %(n)d in the queue.") % {"n": max(lending.queue_position(hold), 1)},
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("sharing:resource", pk=pk)


@login_required
def manage(request):
    resources = selectors.managed_resources(request.user).select_related("district")
    page = Paginator(resources, 50).get_page(request.GET.get("page"))
    return render(request, "sharing/manage.html", {"page": page})


def feed(request, token: str):
    found = selectors.feed_for_token(token)
    if found is None:
        raise Http404
    _name, text = found
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sharing.ics"'
    return response


def directory(request):
    return render(request, "sharing/directory.html", {"rows": selectors.directory()})


def partners(request):
    form = None
    if access.is_bureau_admin(request.user):
        form = FeedUploadForm(request.POST or None, request.FILES or None)
    run = None
    if request.method == "POST" and form is not None and form.is_valid():
        platform = get_object_or_404(PartnerPlatform, pk=request.POST.get("platform"))
        try:
            run = hub.check_import(
                actor=request.user, platform=platform, data=form.cleaned_data["file"].read()
            )
            if run.failed:
                form.add_error(None, run.failed)
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "sharing/partners.html",
        {"platforms": PartnerPlatform.objects.all(), "form": form, "run": run},
        status=400 if form is not None and form.errors else 200,
    )
