"""What the sharing hub shows on the bureau's dashboard and publishes as open data.

Read-only queries over this app's models, registered with ``core.registry`` (insights never
imports this module). Metrics take ``(start, end, district)``: aware datetimes (start inclusive,
end exclusive, either None) and a district code or None. Resources owned by residents are
published without coordinates or address (a resident's parking bay is their home)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sharingcity.core.registry import (
    Metric,
    OpenDataExport,
    register_export,
    register_metric,
    register_personal_data,
)

from .models import (
    Booking,
    Designation,
    EnterpriseApplication,
    HomeShareHost,
    HomeShareStudent,
    ItemHold,
    Kind,
    Resource,
    Review,
    WeeklyWindow,
)

CHUNK = 2000
#: Bookings that happened or will happen (not refused, cancelled or expired).
TAKEN = (
    Booking.State.APPROVED,
    Booking.State.CHECKED_OUT,
    Booking.State.COMPLETED,
    Booking.State.DISPUTED,
)
#: When a dashboard asks for utilisation without a window, the last four weeks.
DEFAULT_UTILISATION_DAYS = 28


def _name_field(prefix: str) -> str:
    return f"{prefix}__name_{'ko' if (get_language() or 'ko').startswith('ko') else 'en'}"


def _bookings(start, end, district):
    q = Q(kind=Booking.Kind.BOOKING, state__in=TAKEN)
    if start is not None:
        q &= Q(start__gte=start)
    if end is not None:
        q &= Q(start__lt=end)
    if district:
        q &= Q(resource__district__code=district)
    return Booking.objects.filter(q)


def _hours_by(qs, key: str) -> tuple[dict, dict]:
    """Bookings and hours per ``key``, summed by the database."""
    counts: dict[str, int] = {}
    hours: dict[str, float] = {}
    for r in qs.values(key).annotate(n=Count("id"), length=Sum(F("end") - F("start"))):
        counts[r[key]] = r["n"]
        hours[r[key]] = r["length"].total_seconds() / 3600 if r["length"] is not None else 0.0
    return counts, hours


def bookings_by_kind(start, end, district) -> list[dict]:
    """Bookings taken (approved, in use, completed or disputed) and hours shared per kind of
    resource, by the booking's start in the window."""
    labels = dict(Kind.choices)
    counts, hours = _hours_by(_bookings(start, end, district), "resource__kind")
    return [
        {"label": str(labels.get(k, k)), "value": round(hours[k], 1), "bookings": counts[k]}
        for k in sorted(counts, key=lambda k: (-hours[k], k))
    ]


def bookings_by_district(start, end, district) -> list[dict]:
    """Bookings taken and hours shared per district of the resource."""
    name = _name_field("resource__district")
    counts, hours = _hours_by(_bookings(start, end, district), name)
    return [
        {"label": k, "value": round(hours[k], 1), "bookings": counts[k]}
        for k in sorted(counts, key=lambda k: (-hours[k], k))
    ]


def _weekday_counts(start: datetime, end: datetime) -> list[int]:
    """How many of each weekday (Monday = 0) the window's whole local days hold."""
    first = timezone.localtime(start).date()
    days = (timezone.localtime(end).date() - first).days
    counts = [days // 7] * 7
    for k in range(days % 7):
        counts[(first.weekday() + k) % 7] += 1
    return counts


def _open_hours(windows: list[tuple[int, time, time]], weekdays: list[int]) -> float:
    """Opening hours of a weekly timetable over a window with ``weekdays[d]`` days of each."""
    total = 0.0
    for weekday, opens, closes in windows:
        o = opens.hour + opens.minute / 60
        c = 24.0 if closes == time(0) else closes.hour + closes.minute / 60
        total += max(0.0, c - o) * weekdays[weekday]
    return total


def public_space_utilisation(start, end, district) -> list[dict]:
    """Rooms in public buildings: booked hours as a percent of opening hours in the window
    (whole local days; the last four weeks when no window is given), per district."""
    end = end or timezone.now()
    start = start or end - timedelta(days=DEFAULT_UTILISATION_DAYS)
    rooms = Resource.objects.filter(
        kind=Kind.ROOM, owner_department__isnull=False, status=Resource.Status.ACTIVE
    )
    if district:
        rooms = rooms.filter(district__code=district)
    name = _name_field("district")
    room_district = dict(rooms.values_list("id", name))
    windows: defaultdict[int, list] = defaultdict(list)
    for rid, wd, o, c in WeeklyWindow.objects.filter(resource__in=rooms).values_list(
        "resource_id", "weekday", "opens", "closes"
    ):
        windows[rid].append((wd, o, c))
    weekdays = _weekday_counts(start, end)
    open_h: defaultdict[str, float] = defaultdict(float)
    for rid, d in room_district.items():
        open_h[d] += _open_hours(windows[rid], weekdays)
    # Hours inside the window, summed by the database: the rows never come to Python.
    inside = ExpressionWrapper(
        Least(F("end"), Value(end)) - Greatest(F("start"), Value(start)),
        output_field=DurationField(),
    )
    booked: defaultdict[str, float] = defaultdict(float)
    for row in (
        Booking.objects.filter(
            resource__in=rooms,
            kind=Booking.Kind.BOOKING,
            state__in=TAKEN,
            start__lt=end,
            end__gt=start,
        )
        .values("resource__" + name)
        .annotate(length=Sum(inside))
        .order_by()
    ):
        if row["length"] is not None:
            booked[row["resource__" + name]] += row["length"].total_seconds() / 3600
    return [
        {
            "label": d,
            "value": round(100 * booked[d] / open_h[d], 1) if open_h[d] else 0.0,
            "booked_hours": round(booked[d], 1),
            "open_hours": round(open_h[d], 1),
        }
        for d in sorted(open_h, key=lambda d: (-(booked[d] / open_h[d] if open_h[d] else 0), d))
    ]


def enterprises(start, end, district) -> list[dict]:
    """Sharing enterprises per legal form: designated in the window (by the start of their
    designation) and active today (valid and not revoked)."""
    today = timezone.localdate()
    labels = dict(EnterpriseApplication.LegalForm.choices)
    qs = Designation.objects.all()
    if district:
        qs = qs.filter(organisation__district__code=district)
    window = Q()
    if start is not None:
        window &= Q(valid_from__gte=timezone.localtime(start).date())
    if end is not None:
        window &= Q(valid_from__lt=timezone.localtime(end).date())
    rows = (
        qs.values("application__legal_form")
        .annotate(
            designated=Count("id", filter=window),
            value=Count(
                "id",
                filter=Q(valid_from__lte=today, valid_until__gte=today, revoked_at__isnull=True),
            ),
        )
        .order_by("application__legal_form")
    )
    return [
        {
            "label": str(labels.get(r["application__legal_form"], r["application__legal_form"])),
            "designated": r["designated"],
            "value": r["value"],
        }
        for r in rows
    ]


register_metric(
    Metric(
        "sharing.enterprises",
        _("Sharing enterprises designated and active"),
        enterprises,
        app="sharing",
        chart="bars",
        columns=(
            ("label", _("Legal form")),
            ("designated", _("Designated in the period")),
            ("value", _("Active today")),
        ),
        order=40,
    )
)
register_metric(
    Metric(
        "sharing.bookings_by_kind",
        _("Hours shared by kind of resource"),
        bookings_by_kind,
        app="sharing",
        unit="h",
        chart="bars",
        columns=(("label", _("Kind")), ("bookings", _("Bookings")), ("value", _("Hours shared"))),
        order=41,
    )
)
register_metric(
    Metric(
        "sharing.bookings_by_district",
        _("Hours shared by district"),
        bookings_by_district,
        app="sharing",
        unit="h",
        chart="bars",
        columns=(
            ("label", _("District")),
            ("bookings", _("Bookings")),
            ("value", _("Hours shared")),
        ),
        order=42,
    )
)
register_metric(
    Metric(
        "sharing.public_space_utilisation",
        _("Public-space utilisation by district"),
        public_space_utilisation,
        app="sharing",
        unit="%",
        chart="bars",
        columns=(
            ("label", _("District")),
            ("booked_hours", _("Hours booked")),
            ("open_hours", _("Opening hours")),
            ("value", _("Utilisation (%)")),
        ),
        order=43,
    )
)

# --------------------------------------------------------------------------- open data


def _owner_kind(r: dict) -> str:
    if r["owner_department_id"]:
        return "department"
    if r["owner_organisation_id"]:
        return "organisation"
    return "resident" if r["owner_user_id"] else "partner"


def resource_rows():
    """Shared resources; a resident's own resource is listed without its location."""
    for r in (
        Resource.objects.exclude(status=Resource.Status.RETIRED)
        .order_by("pk")
        .values(
            "id",
            "kind",
            "category",
            "title",
            "district__code",
            "latitude",
            "longitude",
            "accessible",
            "capacity",
            "status",
            "price_per_hour",
            "price_per_day",
            "owner_department_id",
            "owner_organisation_id",
            "owner_user_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        owner = _owner_kind(r)
        private = owner == "resident"
        yield {
            "id": r["id"],
            "kind": r["kind"],
            "category": r["category"],
            "title": "" if private else r["title"],
            "district": r["district__code"],
            "latitude": None if private else r["latitude"],
            "longitude": None if private else r["longitude"],
            "step_free": r["accessible"],
            "capacity": r["capacity"],
            "status": r["status"],
            "owner_kind": owner,
            "price_per_hour": r["price_per_hour"],
            "price_per_day": r["price_per_day"],
        }


def booking_rows():
    """Taken bookings: which resource, when, for how many; never who."""
    for r in (
        Booking.objects.filter(kind=Booking.Kind.BOOKING, state__in=TAKEN)
        .order_by("pk")
        .values(
            "id",
            "resource_id",
            "resource__kind",
            "resource__district__code",
            "start",
            "end",
            "state",
            "attendees",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "resource_id": r["resource_id"],
            "kind": r["resource__kind"],
            "district": r["resource__district__code"],
            "start": r["start"],
            "end": r["end"],
            "hours": round((r["end"] - r["start"]).total_seconds() / 3600, 2),
            "state": r["state"],
            "people": r["attendees"],
        }


def enterprise_rows():
    today = timezone.localdate()
    for r in (
        Designation.objects.order_by("pk")
        .values(
            "id",
            "organisation__name",
            "organisation__district__code",
            "application__legal_form",
            "valid_from",
            "valid_until",
            "revoked_at",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "enterprise": r["organisation__name"],
            "district": r["organisation__district__code"],
            "legal_form": r["application__legal_form"],
            "valid_from": r["valid_from"],
            "valid_until": r["valid_until"],
            "active": r["revoked_at"] is None and r["valid_from"] <= today <= r["valid_until"],
        }


register_export(
    OpenDataExport(
        "resources",
        _("Shared resources"),
        (
            "id",
            "kind",
            "category",
            "title",
            "district",
            "latitude",
            "longitude",
            "step_free",
            "capacity",
            "status",
            "owner_kind",
            "price_per_hour",
            "price_per_day",
        ),
        resource_rows,
        description=_(
            "Rooms, items, parking bays, vehicles and clothing to share; residents' own resources without title or location."
        ),
        field_descriptions={
            "id": _("Resource number"),
            "kind": _("room, item, parking, vehicle or clothing"),
            "category": _("Category within the kind"),
            "title": _("Name (empty for a resident's own resource)"),
            "district": _("District code"),
            "latitude": _("Latitude (WGS 84), empty for a resident's own resource"),
            "longitude": _("Longitude (WGS 84), empty for a resident's own resource"),
            "step_free": _("Step-free access"),
            "capacity": _("People it holds"),
            "status": _("active or maintenance"),
            "owner_kind": _("department, organisation, resident or partner"),
            "price_per_hour": _("Price per hour (KRW)"),
            "price_per_day": _("Price per day (KRW)"),
        },
        field_types={
            "id": "int",
            "latitude": "float",
            "longitude": "float",
            "step_free": "bool",
            "capacity": "int",
            "price_per_hour": "int",
            "price_per_day": "int",
        },
        geo=True,
        app="sharing",
    )
)
register_export(
    OpenDataExport(
        "bookings",
        _("Bookings of shared resources"),
        ("id", "resource_id", "kind", "district", "start", "end", "hours", "state", "people"),
        booking_rows,
        description=_("Every booking taken, without who booked it."),
        field_descriptions={
            "id": _("Booking number"),
            "resource_id": _("Resource booked"),
            "kind": _("Kind of resource"),
            "district": _("District code of the resource"),
            "start": _("From"),
            "end": _("Until"),
            "hours": _("Length in hours"),
            "state": _("approved, checked_out, completed or disputed"),
            "people": _("People using it"),
        },
        field_types={
            "id": "int",
            "resource_id": "int",
            "start": "datetime",
            "end": "datetime",
            "hours": "float",
            "people": "int",
        },
        app="sharing",
    )
)
register_export(
    OpenDataExport(
        "sharing_enterprises",
        _("Designated sharing enterprises"),
        ("id", "enterprise", "district", "legal_form", "valid_from", "valid_until", "active"),
        enterprise_rows,
        description=_("Organisations designated as sharing enterprises by the city."),
        field_descriptions={
            "id": _("Designation number"),
            "enterprise": _("Organisation's name"),
            "district": _("District code"),
            "legal_form": _("Legal form"),
            "valid_from": _("Designated from"),
            "valid_until": _("Designated until"),
            "active": _("Valid today and not revoked"),
        },
        field_types={"id": "int", "valid_from": "date", "valid_until": "date", "active": "bool"},
        app="sharing",
    )
)

# --------------------------------------------------------------------------- personal data


def collect(user) -> dict:
    """Everything the sharing hub holds about one resident."""
    return {
        "bookings": list(
            Booking.objects.filter(booker=user)
            .order_by("pk")
            .values(
                "id",
                "resource_id",
                "resource__title",
                "start",
                "end",
                "state",
                "purpose",
                "vehicle_plate",
            )
        ),
        "resources_owned": list(
            Resource.objects.filter(owner_user=user)
            .order_by("pk")
            .values("id", "title", "kind", "address")
        ),
        "item_holds": list(
            ItemHold.objects.filter(user=user).values("resource_id", "state", "created_at")
        ),
        "reviews_written": list(
            Review.objects.filter(author=user).values(
                "booking_id", "about", "rating", "text", "created_at"
            )
        ),
        "home_share_host": list(
            HomeShareHost.objects.filter(user=user).values(
                "district__code", "birth_year", "rent", "room"
            )
        ),
        "home_share_student": list(
            HomeShareStudent.objects.filter(user=user).values("university", "districts", "max_rent")
        ),
    }


def anonymise(user) -> None:
    """Booking history stays for the counts without what identifies the person (purpose, plate);
    their own listings and home-share profiles are withdrawn."""
    Booking.objects.filter(booker=user).update(purpose="", vehicle_plate="")
    Resource.objects.filter(owner_user=user).update(
        status=Resource.Status.RETIRED, address="", title=str(_("withdrawn"))
    )
    HomeShareHost.objects.filter(user=user).update(active=False, room="")
    HomeShareStudent.objects.filter(user=user).update(active=False)
    Review.objects.filter(author=user).update(text="")


register_personal_data("sharing", collect, anonymise)
