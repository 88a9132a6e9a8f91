"""Reads of the sharing hub: the search across everything, queues, feeds and the directory."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access
from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import District, Organisation, User

from . import ics, rules
from .models import (
    Booking,
    DamageReport,
    Designation,
    EnterpriseApplication,
    FeedToken,
    Grant,
    HomeShareHost,
    HomeShareMatch,
    HomeShareStudent,
    ItemHold,
    Kind,
    Loan,
    MaintenanceTicket,
    Report,
    Resource,
    Review,
)

KM_PER_DEG_LAT = 111.32


@dataclass(frozen=True)
class Search:
    kind: str = ""
    category: str = ""
    district: str = ""
    q: str = ""
    accessible: bool = False
    near: tuple[float, float] | None = None  # (latitude, longitude)
    radius_km: float | None = None
    free_from: datetime | None = None
    free_to: datetime | None = None
    size: str = ""
    owner_organisation: int | None = None


class _TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def overlapping_active(start: datetime, end: datetime) -> QuerySet[Booking]:
    """Active bookings whose buffered range overlaps ``[start, end)``, for per-unit probes. On
    PostgreSQL the range is written as the exclusion constraint writes it, so a probe for one
    unit uses the constraint's (unit, range) GiST index."""
    qs = Booking.objects.filter(state__in=Booking.ACTIVE)
    if connection.vendor == "postgresql":
        return qs.annotate(
            span=_TsTzRange(F("blocked_start"), F("blocked_end"), RangeBoundary())
        ).filter(span__overlap=(start, end))
    return qs.filter(blocked_start__lt=end, blocked_end__gt=start)


def busy_resource_ids(start: datetime, end: datetime) -> QuerySet[Booking]:
    """Ids of the units with an active booking overlapping ``[start, end)``, across all units.
    On PostgreSQL the two-argument range matches only the span index (see migration 0003)."""
    qs = Booking.objects.filter(state__in=Booking.ACTIVE)
    if connection.vendor == "postgresql":
        qs = qs.annotate(span=_TsTzRange(F("blocked_start"), F("blocked_end"))).filter(
            span__overlap=(start, end)
        )
    else:
        qs = qs.filter(blocked_start__lt=end, blocked_end__gt=start)
    return qs.order_by().values_list("resource_id", flat=True).distinct()


def search(params: Search) -> QuerySet[Resource]:
    """Every shareable thing (our own and partners' listings) matching ``params``.

    "Free between" is an anti-join: resources with no active booking overlapping the window.
    Distance uses an equirectangular approximation (error under 0.1 % inside Seoul), first as
    a bounding box the (latitude, longitude) index can use, then as the ordering."""
    qs = Resource.objects.filter(status=Resource.Status.ACTIVE).select_related(
        "district", "owner_department", "owner_organisation", "partner"
    )
    if params.kind:
        if params.kind not in Kind.values:
            raise InvalidInput(
                "invalid_kind", _("Unknown kind."), {"allowed": Kind.values}, field="kind"
            )
        qs = qs.filter(kind=params.kind)
    if params.category:
        qs = qs.filter(category=params.category)
    if params.district:
        qs = qs.filter(district__code=params.district)
    if params.size:
        qs = qs.filter(size__iexact=params.size)
    if params.owner_organisation:
        qs = qs.filter(owner_organisation_id=params.owner_organisation)
    if params.q:
        for word in params.q.split()[:6]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(category__icontains=word)
                | Q(address__icontains=word)
            )
    if params.accessible:
        qs = qs.filter(accessible=True)
    if (params.free_from is None) != (params.free_to is None):
        raise InvalidInput(
            "incomplete_window",
            _("Give both the start and the end of the free time."),
            field="free_to",
        )
    if params.free_from is not None and params.free_to is not None:
        if params.free_from >= params.free_to:
            raise InvalidInput(
                "invalid_range", _("The end must be after the start."), field="free_to"
            )
        busy = overlapping_active(params.free_from, params.free_to).filter(resource=OuterRef("pk"))
        # partner listings have no calendar here: they cannot be shown as free
        qs = qs.filter(partner__isnull=True).exclude(Exists(busy))
    if params.near is not None:
        lat, lon = params.near
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput("invalid_point", _("The point is off the map."), field="near")
        kx = KM_PER_DEG_LAT * math.cos(math.radians(lat))
        if params.radius_km is not None:
            if params.radius_km <= 0:
                raise InvalidInput(
                    "invalid_radius", _("The radius must be positive."), field="radius_km"
                )
            dlat = params.radius_km / KM_PER_DEG_LAT
            dlon = params.radius_km / kx
            qs = qs.filter(
                latitude__range=(lat - dlat, lat + dlat),
                longitude__range=(lon - dlon, lon + dlon),
            )
        qs = qs.annotate(
            distance_sq=ExpressionWrapper(
                (F("latitude") - lat) * (F("latitude") - lat) * KM_PER_DEG_LAT**2
                + (F("longitude") - lon) * (F("longitude") - lon) * kx * kx,
                output_field=FloatField(),
            )
        )
        if params.radius_km is not None:
            qs = qs.filter(distance_sq__lte=params.radius_km**2)
        return qs.order_by("distance_sq", "id")
    return qs.order_by("id")


def distance_km(resource: Resource) -> float | None:
    d = getattr(resource, "distance_sq", None)
    return None if d is None else math.sqrt(max(d, 0.0))


def counts_by_district(params: Search) -> dict[str, int]:
    """Matches of ``search(params)`` per district code, exact, for the map and the total.

    With a free window they are counted as all matches minus the busy ones: the few active
    bookings overlapping the window come through the span index, where probing every matching
    resource for a booking took 600 ms at 100,000 resources and 5 M bookings."""
    search(params)  # the same validation as the list
    base = search(replace(params, free_from=None, free_to=None))
    if params.free_from is not None:
        base = base.filter(partner__isnull=True)
    # grouped by the key alone (no join); the codes of the 25 districts are looked up once
    counts = {
        r["district_id"]: r["n"]
        for r in base.order_by().values("district_id").annotate(n=Count("pk"))
    }
    if params.free_from is not None and params.free_to is not None:
        busy = base.filter(pk__in=busy_resource_ids(params.free_from, params.free_to))
        for r in busy.order_by().values("district_id").annotate(n=Count("pk")):
            counts[r["district_id"]] -= r["n"]
    codes = dict(District.objects.filter(pk__in=list(counts)).values_list("pk", "code"))
    counts = {codes[pk]: n for pk, n in counts.items()}
    return {code: n for code, n in counts.items() if n > 0}


def district_map_svg(counts: dict[str, int], *, width: int = 420, height: int = 320) -> str:
    """A server-rendered map: each district a circle at its centre, sized by the matches."""
    from django.utils.html import escape

    districts = list(District.objects.all())
    if not districts:
        return ""
    lats = [d.latitude for d in districts]
    lons = [d.longitude for d in districts]
    pad = 30
    la0, la1 = min(lats), max(lats)
    lo0, lo1 = min(lons), max(lons)
    top = max(counts.values(), default=0) or 1

    def xy(d: District) -> tuple[float, float]:
        x = pad + (d.longitude - lo0) / ((lo1 - lo0) or 1) * (width - 2 * pad)
        y = pad + (la1 - d.latitude) / ((la1 - la0) or 1) * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="map-title" class="district-map"><title id="map-title">'
        f"{escape(_('Matches by district'))}</title>"
        f'<rect width="{width}" height="{height}" fill="#f4f7fb"/>'
    ]
    for d in districts:
        x, y = xy(d)
        n = counts.get(d.code, 0)
        r = 4 + 14 * math.sqrt(n / top) if n else 3
        fill = "#1f6feb" if n else "#c9d1d9"
        label = f"{d.name}: {n}"
        parts.append(
            f'<g><title>{escape(label)}</title><circle cx="{x}" cy="{y}" r="{r:.1f}" '
            f'fill="{fill}" fill-opacity="0.75" stroke="#0b3d91" stroke-width="0.5"/>'
            f'<text x="{x}" y="{y + r + 9:.1f}" font-size="8" text-anchor="middle" '
            f'fill="#24292f">{escape(d.name)} {n}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- people's views -----------------------------------------------------------------------


def bookings_of(user: User) -> QuerySet[Booking]:
    """A resident sees only their own bookings."""
    return (
        Booking.objects.filter(booker=user, kind=Booking.Kind.BOOKING)
        .select_related("resource", "resource__district")
        .order_by("-start", "-id")
    )


def managed_resources(user: User) -> QuerySet[Resource]:
    if access.is_bureau_admin(user):
        return Resource.objects.filter(partner__isnull=True)
    return Resource.objects.filter(
        Q(owner_department_id__in=access.department_ids(user))
        | Q(owner_organisation_id__in=access.organisation_ids(user))
        | Q(owner_user=user)
    )


def approval_queue(user: User) -> QuerySet[Booking]:
    """Requests waiting for this approver: officers of the owning department, operators of the
    owning organisation, the owning resident (bureau admins see all)."""
    return (
        Booking.objects.filter(
            state=Booking.State.REQUESTED, resource__in=managed_resources(user).values("pk")
        )
        .select_related("resource", "booker", "resource__district")
        .order_by("start", "id")
    )


def booking_for(user: User, pk: int) -> Booking:
    from sharingcity.core.errors import NotFound

    booking = (
        Booking.objects.select_related("resource", "booker", "resource__district")
        .filter(pk=pk)
        .first()
    )
    if booking is None or not rules.can_see_booking(user, booking):
        raise NotFound(_("No such booking."))
    return booking


def published_reviews(resource: Resource) -> QuerySet[Review]:
    return Review.objects.filter(
        booking__resource=resource, about=Review.About.RESOURCE, published_at__isnull=False
    ).order_by("-published_at")


def open_reports() -> QuerySet[Report]:
    return Report.objects.filter(state=Report.State.OPEN).select_related(
        "reporter", "resource", "booking"
    )


# --- calendar feeds -----------------------------------------------------------------------

FEED_STATES = (*Booking.ACTIVE, Booking.State.COMPLETED)


def _events(qs: QuerySet[Booking], *, private: bool) -> list[ics.Event]:
    out = []
    for b in qs.select_related("resource")[:2000]:
        status = (
            "TENTATIVE" if b.state in (Booking.State.HELD, Booking.State.REQUESTED) else "CONFIRMED"
        )
        summary = b.resource.title if private else _("Booked")
        if b.kind != Booking.Kind.BOOKING:
            summary = f"{b.resource.title}: {b.get_kind_display()}"
        out.append(
            ics.Event(
                uid=f"booking-{b.pk}@sharing.city",
                start=b.start,
                end=b.end,
                summary=str(summary),
                description=b.purpose if private else "",
                location=b.resource.address,
                status=status,
            )
        )
    return out


def feed_for_token(token: str) -> tuple[str, str] | None:
    """(calendar name, iCalendar text) for a feed token of a resource, a user or an
    organisation; None when the token is unknown."""
    since = timezone.now() - timezone.timedelta(days=90)
    resource = Resource.objects.filter(ics_token=token).first()
    if resource is not None:
        qs = resource.bookings.filter(state__in=FEED_STATES, end__gte=since)
        return resource.title, ics.calendar(resource.title, _events(qs, private=False))
    ft = FeedToken.objects.filter(token=token).select_related("user", "organisation").first()
    if ft is None:
        return None
    if ft.user_id:
        qs = Booking.objects.filter(
            booker=ft.user, kind=Booking.Kind.BOOKING, state__in=FEED_STATES, end__gte=since
        )
        name = _("My bookings: %(u)s") % {"u": ft.user}
    else:
        qs = Booking.objects.filter(
            Q(organisation=ft.organisation) | Q(resource__owner_organisation=ft.organisation),
            state__in=FEED_STATES,
            end__gte=since,
        )
        name = str(ft.organisation)
    return name, ics.calendar(name, _events(qs, private=True))


def feed_token(*, user: User | None = None, organisation: Organisation | None = None) -> str:
    kw = {"user": user} if user is not None else {"organisation": organisation}
    return FeedToken.objects.get_or_create(**kw)[0].token


# --- designated enterprises ---------------------------------------------------------------


def directory(today=None) -> list[dict]:
    today = today or timezone.localdate()
    rows = []
    current = (
        Designation.objects.filter(
            revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
        )
        .select_related("organisation", "organisation__district")
        .order_by("organisation__name")
    )
    counts = dict(
        Resource.objects.filter(owner_organisation__in=[d.organisation_id for d in current])
        .values_list("owner_organisation")
        .annotate(n=Count("pk"))
    )
    for d in current:
        rows.append(
            {
                "organisation": d.organisation,
                "valid_until": d.valid_until,
                "brand_right": d.brand_right,
                "listings": counts.get(d.organisation_id, 0),
            }
        )
    return rows


UNDER_REVIEW = (
    EnterpriseApplication.Stage.SUBMITTED,
    EnterpriseApplication.Stage.DOCUMENTS,
    EnterpriseApplication.Stage.SITE_VISIT,
    EnterpriseApplication.Stage.PRESENTATION,
    EnterpriseApplication.Stage.COMMITTEE,
)


def applications_of(organisation_ids) -> QuerySet[EnterpriseApplication]:
    """An operator sees the applications of their own organisations only."""
    return (
        EnterpriseApplication.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation", "designation")
        .order_by("-created_at", "-id")
    )


def designations_of(organisation_ids) -> QuerySet[Designation]:
    return (
        Designation.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .prefetch_related("grants")
        .order_by("-valid_until", "-id")
    )


def current_designations_of(organisation_ids, today=None) -> QuerySet[Designation]:
    today = today or timezone.localdate()
    return designations_of(organisation_ids).filter(
        revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
    )


def loans_of(organisation_ids) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .prefetch_related("repayments")
        .order_by("-disbursed_on", "-id")
    )


def enterprise_review_queue() -> QuerySet[EnterpriseApplication]:
    """Applications the bureau still has to review, oldest first."""
    return (
        EnterpriseApplication.objects.filter(stage__in=UNDER_REVIEW)
        .select_related("organisation")
        .order_by("created_at", "id")
    )


def enterprise_decided(limit: int = 20) -> QuerySet[EnterpriseApplication]:
    return (
        EnterpriseApplication.objects.exclude(stage__in=UNDER_REVIEW)
        .select_related("organisation")
        .order_by("-created_at", "-id")[:limit]
    )


def grants_waiting() -> QuerySet[Grant]:
    return (
        Grant.objects.filter(state=Grant.State.REQUESTED)
        .select_related("designation__organisation", "designation__application")
        .order_by("id")
    )


def journal(entries: list[dict], stages, person_key: str = "by") -> list[dict]:
    """Recorded steps (``[{"stage", "by", "at", ...}]``) with the stage's name, the person
    and the time."""
    names = dict(stages)
    people = User.objects.in_bulk({e.get(person_key) for e in entries if e.get(person_key)})
    return [
        {
            **e,
            "score": e.get("score"),
            "stage_label": names.get(e.get("stage"), e.get("stage")),
            "person": people.get(e.get(person_key)),
            "when": datetime.fromisoformat(e["at"]) if e.get("at") else None,
        }
        for e in entries
    ]


def review_history(application: EnterpriseApplication) -> list[dict]:
    """The recorded stage reviews of a designation application."""
    return journal(application.reviews, EnterpriseApplication.Stage.choices)


def homeshare_notes(match: HomeShareMatch) -> list[dict]:
    """The coordinator's steps with a match."""
    return journal(match.notes, HomeShareMatch.Stage.choices)


def district_names(codes: list[str]) -> list[str]:
    """District names in the order of the codes given (a student's preferences)."""
    found = {d.code: d.name for d in District.objects.filter(code__in=codes)}
    return [found.get(c, c) for c in codes]


# --- home-share -----------------------------------------------------------------------------


def homeshare_matches(stage: str = "") -> QuerySet[HomeShareMatch]:
    """The coordinator's list: the best suggestions first."""
    qs = HomeShareMatch.objects.select_related(
        "host__user", "host__district", "student__user"
    ).order_by("-score", "id")
    return qs.filter(stage=stage) if stage else qs


def homeshare_hosts() -> QuerySet[HomeShareHost]:
    return HomeShareHost.objects.select_related("user", "district").order_by("-active", "id")


def homeshare_students() -> QuerySet[HomeShareStudent]:
    return HomeShareStudent.objects.select_related("user").order_by("-active", "id")


def homeshare_of(user: User) -> dict:
    """A person's own sign-ups and the matches a coordinator has taken up (suggestions the
    coordinator has not acted on stay with the coordinator)."""
    host = HomeShareHost.objects.filter(user=user).first() if user.is_authenticated else None
    student = HomeShareStudent.objects.filter(user=user).first() if user.is_authenticated else None
    matches = (
        HomeShareMatch.objects.filter(Q(host=host) | Q(student=student))
        .exclude(stage=HomeShareMatch.Stage.PROPOSED)
        .select_related("host__district", "student")
        .order_by("-created_at")
        if host or student
        else HomeShareMatch.objects.none()
    )
    return {"host": host, "student": student, "matches": matches}


# --- the lending desk -----------------------------------------------------------------------

LENT_KINDS = (Kind.ITEM, Kind.CLOTHING, Kind.VEHICLE)
DESK_ROWS = 100


def lent_resources(user: User) -> QuerySet[Resource]:
    """The items, clothing and vehicles this person lends out (their own, their department's
    or their organisation's)."""
    return (
        managed_resources(user)
        .filter(kind__in=LENT_KINDS, partner__isnull=True)
        .select_related("district")
        .order_by("title", "id")
    )


def desk(user: User, *, now: datetime | None = None) -> dict:
    """What the lending desk works through: pick-ups due in the next two days, what is out on
    loan (overdue first), recent returns with their deposits, damage reports, maintenance
    tickets and the waiting queues."""
    now = now or timezone.now()
    ids = lent_resources(user).values("pk")
    loans = Booking.objects.filter(resource__in=ids, kind=Booking.Kind.BOOKING).select_related(
        "resource", "booker"
    )
    holds = list(
        ItemHold.objects.filter(
            resource__in=ids, state__in=[ItemHold.State.WAITING, ItemHold.State.READY]
        )
        .select_related("resource", "user")
        .order_by("resource__title", "resource_id", "created_at", "id")[:DESK_ROWS]
    )
    position: dict[int, int] = {}
    for h in holds:
        if h.state == ItemHold.State.WAITING:
            position[h.resource_id] = position.get(h.resource_id, 0) + 1
            h.position = position[h.resource_id]
    return {
        "pickups": loans.filter(
            state=Booking.State.APPROVED, start__lte=now + timezone.timedelta(days=2), end__gt=now
        ).order_by("start", "id")[:DESK_ROWS],
        "out": loans.filter(state=Booking.State.CHECKED_OUT).order_by("end", "id")[:DESK_ROWS],
        "returned": loans.filter(
            state__in=[Booking.State.COMPLETED, Booking.State.DISPUTED],
            checked_in_at__gte=now - timezone.timedelta(days=14),
        ).order_by("-checked_in_at", "-id")[:DESK_ROWS],
        "damage": DamageReport.objects.filter(booking__resource__in=ids)
        .select_related("booking__resource", "booking__booker", "reported_by")
        .order_by("-created_at", "-id")[:DESK_ROWS],
        "tickets": MaintenanceTicket.objects.filter(
            Q(state__in=[MaintenanceTicket.State.OPEN, MaintenanceTicket.State.REPAIRING])
            | Q(closed_at__gte=now - timezone.timedelta(days=14)),
            resource__in=ids,
        )
        .select_related("resource", "opened_by")
        .order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")[:DESK_ROWS],
        "holds": holds,
        "now": now,
    }


def holds_of(user: User) -> QuerySet[ItemHold]:
    """A person's open places in items' waiting queues."""
    return (
        ItemHold.objects.filter(user=user, state__in=[ItemHold.State.WAITING, ItemHold.State.READY])
        .select_related("resource")
        .order_by("created_at", "id")
    )


# --- residents' parking bays ----------------------------------------------------------------


def parking_bays(user: User) -> QuerySet[Resource]:
    """The parking bays this person manages (a resident: their own)."""
    return (
        managed_resources(user)
        .filter(kind=Kind.PARKING, partner__isnull=True)
        .select_related("district")
        .prefetch_related("windows")
        .order_by("title", "id")
    )


def bay_bookings(bay: Resource, *, now: datetime | None = None, days: int = 30) -> dict:
    """A bay's bookings by vehicle plate: what is coming and what is parked now (with the
    minutes past its end), and the last ``days`` days with their recorded overstays."""
    now = now or timezone.now()
    qs = bay.bookings.filter(kind=Booking.Kind.BOOKING).order_by("start", "id")
    current = list(qs.filter(state__in=Booking.ACTIVE, end__gte=now - timezone.timedelta(days=1)))
    for b in current:
        late = (now - b.end).total_seconds() // 60
        b.overstaying = int(late) if b.state == Booking.State.CHECKED_OUT and late > 0 else 0
    past = qs.exclude(state__in=Booking.ACTIVE).filter(
        end__gte=now - timezone.timedelta(days=days), end__lt=now
    )
    return {"current": current, "past": past.order_by("-start", "-id")[:200]}
