"""A resident's own parking bays: publish a bay with the weekly hours it is free, change those
hours, and see who parks when (by vehicle plate) and who stayed too long. Writes go through
``services.resources`` (``check_share_parking_bay``, ``check_set_windows``); bookings, their
approval and the car leaving stay on the booking pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from sharingcity.core import access

from . import selectors
from .forms import ParkingBayForm, WeeklyFreeForm
from .pages import posted, submit
from .services import resources


def free_hours(bay) -> list[dict]:
    return [
        {"day": WEEKDAYS[w.weekday], "opens": w.opens, "closes": w.closes}
        for w in bay.windows.all()
    ]


@login_required
def bays(request):
    rows = [{"bay": b, "hours": free_hours(b)} for b in selectors.parking_bays(request.user)]
    return render(request, "sharing/parking_bays.html", {"rows": rows})


@login_required
def bay_new(request):
    profile = access.resident_profile(request.user)
    form = ParkingBayForm(
        posted(request), initial={"district": profile.district.code} if profile else {}
    )
    done = submit(
        request,
        form,
        resources.check_share_parking_bay,
        success=_("Your bay is published; people can book it in its free hours."),
        to="sharing:parking",
        on_error=form.place_error,
    )
    if done:
        return done
    return render(
        request, "sharing/parking_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def bay_detail(request, pk: int):
    bay = get_object_or_404(selectors.parking_bays(request.user), pk=pk)
    form = WeeklyFreeForm(posted(request), initial=WeeklyFreeForm.initial_for(bay))
    done = submit(
        request,
        form,
        resources.check_set_windows,
        success=_("The free hours are saved."),
        to=reverse("sharing:parking-bay", args=[bay.pk]),
        on_error=form.place_error,
        resource=bay,
    )
    if done:
        return done
    return render(
        request,
        "sharing/parking_bay.html",
        {"bay": bay, "hours": free_hours(bay), "form": form, **selectors.bay_bookings(bay)},
        status=400 if form.errors else 200,
    )
