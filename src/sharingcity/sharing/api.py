"""Sharing hub JSON endpoints (mounted at /api/sharing)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from sharingcity.core import access
from sharingcity.core.errors import InvalidInput
from sharingcity.core.http import AUTH
from sharingcity.core.models import Department, District, Organisation

from . import rules, selectors
from .models import (
    Booking,
    Designation,
    EnterpriseApplication,
    Grant,
    HomeShareMatch,
    LotteryDraw,
    MaintenanceTicket,
    PartnerPlatform,
    Repayment,
    Report,
    Resource,
    ResourcePool,
)
from .services import booking as bk
from .services import enterprises, homeshare, hub, lending, resources, trust

router = Router(tags=["sharing"])

KindLit = Literal["room", "item", "parking", "vehicle", "clothing"]


class ResourceOut(Schema):
    id: int
    kind: str
    category: str
    title: str
    description: str
    size: str
    district: str
    address: str
    latitude: float
    longitude: float
    accessible: bool
    capacity: int
    owner_kind: str
    owner_name: str
    requires_approval: bool
    verification_required: str
    deposit: int
    pool_id: int | None
    partner: str | None
    external_url: str
    distance_km: float | None = None

    @staticmethod
    def from_resource(r: Resource) -> ResourceOut:
        return ResourceOut(
            id=r.pk,
            kind=r.kind,
            category=r.category,
            title=r.title,
            description=r.description,
            size=r.size,
            district=r.district.code,
            address=r.address,
            latitude=r.latitude,
            longitude=r.longitude,
            accessible=r.accessible,
            capacity=r.capacity,
            owner_kind=r.owner_kind,
            owner_name=str(r.owner or r.partner or ""),
            requires_approval=r.requires_approval,
            verification_required=r.verification_required,
            deposit=r.deposit,
            pool_id=r.pool_id,
            partner=r.partner.name if r.partner_id else None,
            external_url=r.external_url,
            distance_km=selectors.distance_km(r),
        )


class SearchOut(Schema):
    count: int
    results: list[ResourceOut]
    by_district: dict[str, int]


class SearchIn(Schema):
    kind: KindLit | None = None
    category: str = Field("", max_length=60)
    district: str = Field("", max_length=40)
    q: str = Field("", max_length=200)
    accessible: bool = False
    size: str = Field("", max_length=20)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=100)
    free_from: datetime | None = None
    free_to: datetime | None = None
    organisation: int | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100000)


@router.get("/resources", response=SearchOut, summary="Search everything shareable")
def search_resources(request, filters: Query[SearchIn]):
    """Search by kind, category, district, words, accessibility, distance from a point and
    "free between" ``free_from`` and ``free_to`` (ISO 8601)."""
    if (filters.lat is None) != (filters.lon is None):
        raise InvalidInput("incomplete_point", "Give both lat and lon.", field="lon")
    params = selectors.Search(
        kind=filters.kind or "",
        category=filters.category,
        district=filters.district,
        q=filters.q,
        accessible=filters.accessible,
        size=filters.size,
        near=(filters.lat, filters.lon) if filters.lat is not None else None,
        radius_km=filters.radius_km,
        free_from=filters.free_from,
        free_to=filters.free_to,
        owner_organisation=filters.organisation,
    )
    qs = selectors.search(params)
    page = list(qs[filters.offset : filters.offset + filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    counts = selectors.counts_by_district(params)
    return {
        "count": sum(counts.values()) if more or filters.offset else len(page),
        "results": [ResourceOut.from_resource(r) for r in page],
        "by_district": counts,
    }


@router.get("/resources/{resource_id}", response=ResourceOut)
def resource_detail(request, resource_id: int):
    return ResourceOut.from_resource(get_object_or_404(Resource, pk=resource_id))


class ResourceIn(Schema):
    kind: KindLit
    title: str = Field(..., min_length=1, max_length=200)
    district: str = Field(..., max_length=40)
    latitude: float
    longitude: float
    department: str | None = Field(None, max_length=60)
    organisation: int | None = None
    pool_id: int | None = None
    category: str = Field("", max_length=60)
    description: str = Field("", max_length=4000)
    address: str = Field("", max_length=300)
    size: str = Field("", max_length=20)
    capacity: int | None = Field(None, ge=1, le=10000)
    accessible: bool | None = None
    requires_approval: bool | None = None
    verification_required: Literal["none", "resident", "verified"] | None = None
    buffer_before: int | None = Field(None, ge=0, le=10080)
    buffer_after: int | None = Field(None, ge=0, le=10080)
    lead_time: int | None = Field(None, ge=0, le=10080)
    max_advance_days: int | None = Field(None, ge=1, le=730)
    min_duration: int | None = Field(None, ge=1)
    max_duration: int | None = Field(None, ge=1)
    monthly_cap: int | None = Field(None, ge=1)
    checkin_required: bool | None = None
    checkin_grace: int | None = Field(None, ge=0, le=1440)
    deposit: int | None = Field(None, ge=0)


@router.post("/resources", response={201: ResourceOut}, auth=AUTH)
def create_resource(request, payload: ResourceIn):
    data = payload.dict()
    district = District.objects.filter(code=data.pop("district")).first()
    if district is None:
        raise InvalidInput("unknown_district", "Unknown district.", field="district")
    dept_code, org_id, pool_id = (
        data.pop("department"),
        data.pop("organisation"),
        data.pop("pool_id"),
    )
    department = get_object_or_404(Department, code=dept_code) if dept_code else None
    organisation = get_object_or_404(Organisation, pk=org_id) if org_id else None
    pool = get_object_or_404(ResourcePool, pk=pool_id) if pool_id else None
    r = resources.check_create_resource(
        actor=request.user,
        district=district,
        department=department,
        organisation=organisation,
        pool=pool,
        **data,
    )
    return Status(201, ResourceOut.from_resource(r))


class WindowIn(Schema):
    weekday: int = Field(..., ge=0, le=6)
    opens: time
    closes: time


@router.put("/resources/{resource_id}/windows", auth=AUTH)
def set_windows(request, resource_id: int, payload: list[WindowIn]):
    r = get_object_or_404(Resource, pk=resource_id)
    rows = resources.check_set_windows(
        actor=request.user, resource=r, windows=[(w.weekday, w.opens, w.closes) for w in payload]
    )
    return {"windows": len(rows)}


class BookingOut(Schema):
    id: int
    resource_id: int
    resource_title: str
    kind: str
    state: str
    start: datetime
    end: datetime
    expires_at: datetime | None
    purpose: str
    attendees: int
    vehicle_plate: str
    deny_reason: str
    deposit_amount: int
    deposit_state: str
    overstay_minutes: int
    series_id: int | None

    @staticmethod
    def of(b: Booking) -> BookingOut:
        return BookingOut(
            id=b.pk,
            resource_id=b.resource_id,
            resource_title=b.resource.title,
            kind=b.kind,
            state=b.state,
            start=b.start,
            end=b.end,
            expires_at=b.expires_at,
            purpose=b.purpose,
            attendees=b.attendees,
            vehicle_plate=b.vehicle_plate,
            deny_reason=b.deny_reason,
            deposit_amount=b.deposit_amount,
            deposit_state=b.deposit_state,
            overstay_minutes=b.overstay_minutes,
            series_id=b.series_id,
        )


class BookingIn(Schema):
    resource_id: int | None = None
    pool_id: int | None = None
    start: datetime
    end: datetime
    purpose: str = Field("", max_length=300)
    attendees: int = Field(1, ge=1, le=10000)
    vehicle_plate: str = Field("", max_length=20)
    organisation: int | None = None
    hold: bool = False


@router.post("/bookings", response={201: BookingOut}, auth=AUTH, summary="Book a unit or a pool")
def create_booking(request, payload: BookingIn):
    """Book a resource (``resource_id``) or any free unit of a pool (``pool_id``). A clash
    answers 409 with ``code: booking_conflict``."""
    if (payload.resource_id is None) == (payload.pool_id is None):
        raise InvalidInput(
            "target_required", "Give either resource_id or pool_id.", field="resource_id"
        )
    org = get_object_or_404(Organisation, pk=payload.organisation) if payload.organisation else None
    kw = dict(
        actor=request.user,
        start=payload.start,
        end=payload.end,
        purpose=payload.purpose,
        attendees=payload.attendees,
        vehicle_plate=payload.vehicle_plate,
        organisation=org,
        hold=payload.hold,
    )
    if payload.pool_id is not None:
        b = bk.check_book_pool(pool=get_object_or_404(ResourcePool, pk=payload.pool_id), **kw)
    else:
        b = bk.check_book(resource=get_object_or_404(Resource, pk=payload.resource_id), **kw)
    return Status(201, BookingOut.of(b))


class SeriesIn(Schema):
    start: datetime
    end: datetime
    weeks: int = Field(..., ge=1, le=52)
    purpose: str = Field("", max_length=300)
    attendees: int = Field(1, ge=1)


class SeriesOut(Schema):
    id: int
    booked: list[BookingOut]
    skipped: list[dict]


@router.post("/resources/{resource_id}/series", response={201: SeriesOut}, auth=AUTH)
def create_series(request, resource_id: int, payload: SeriesIn):
    r = get_object_or_404(Resource, pk=resource_id)
    s = bk.check_book_weekly(actor=request.user, resource=r, **payload.dict())
    return Status(
        201,
        {
            "id": s.pk,
            "booked": [BookingOut.of(b) for b in s.bookings.select_related("resource")],
            "skipped": s.skipped,
        },
    )


class BlockIn(Schema):
    start: datetime
    end: datetime
    kind: Literal["owner_use", "blackout"] = "owner_use"
    note: str = Field("", max_length=300)


@router.post("/resources/{resource_id}/blocks", response={201: BookingOut}, auth=AUTH)
def create_block(request, resource_id: int, payload: BlockIn):
    r = get_object_or_404(Resource, pk=resource_id)
    return Status(
        201, BookingOut.of(bk.check_block(actor=request.user, resource=r, **payload.dict()))
    )


@router.get("/bookings", response=list[BookingOut], auth=AUTH)
def my_bookings(request, limit: int = Query(100, ge=1, le=500)):
    return [BookingOut.of(b) for b in selectors.bookings_of(request.user)[:limit]]


@router.get("/bookings/{booking_id}", response=BookingOut, auth=AUTH)
def booking_detail(request, booking_id: int):
    return BookingOut.of(selectors.booking_for(request.user, booking_id))


@router.get("/approvals", response=list[BookingOut], auth=AUTH)
def approvals(request):
    return [BookingOut.of(b) for b in selectors.approval_queue(request.user)[:500]]


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class ConditionIn(Schema):
    condition: str = Field("", max_length=300)
    damage: str = Field("", max_length=4000)


def _booking(request, booking_id: int) -> Booking:
    return selectors.booking_for(request.user, booking_id)


@router.post("/bookings/{booking_id}/confirm", response=BookingOut, auth=AUTH)
def confirm(request, booking_id: int):
    return BookingOut.of(
        bk.check_confirm_hold(actor=request.user, booking=_booking(request, booking_id))
    )


@router.post("/bookings/{booking_id}/approve", response=BookingOut, auth=AUTH)
def approve(request, booking_id: int):
    return BookingOut.of(
        bk.check_approve(actor=request.user, booking=_booking(request, booking_id))
    )


@router.post("/bookings/{booking_id}/deny", response=BookingOut, auth=AUTH)
def deny(request, booking_id: int, payload: ReasonIn):
    b = _booking(request, booking_id)
    return BookingOut.of(bk.check_deny(actor=request.user, booking=b, reason=payload.reason))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, auth=AUTH)
def cancel(request, booking_id: int, payload: ReasonIn):
    b = _booking(request, booking_id)
    return BookingOut.of(bk.check_cancel(actor=request.user, booking=b, reason=payload.reason))


@router.post("/bookings/{booking_id}/check-out", response=BookingOut, auth=AUTH)
def check_out(request, booking_id: int, payload: ConditionIn):
    b = _booking(request, booking_id)
    return BookingOut.of(
        bk.check_check_out(actor=request.user, booking=b, condition=payload.condition)
    )


@router.post("/bookings/{booking_id}/check-in", response=BookingOut, auth=AUTH)
def check_in(request, booking_id: int, payload: ConditionIn):
    b = _booking(request, booking_id)
    return BookingOut.of(
        bk.check_check_in(
            actor=request.user, booking=b, condition=payload.condition, damage=payload.damage
        )
    )


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


class ReportOut(Schema):
    id: int
    reason: str
    text: str
    state: str
    is_dispute: bool
    resource_id: int | None
    booking_id: int | None
    resolution: str


@router.post("/bookings/{booking_id}/dispute", response={201: ReportOut}, auth=AUTH)
def dispute(request, booking_id: int, payload: TextIn):
    b = _booking(request, booking_id)
    return Status(201, trust.check_dispute(actor=request.user, booking=b, text=payload.text))


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=4000)


class ReviewOut(Schema):
    id: int
    about: str
    rating: int
    text: str
    published: bool


@router.post("/bookings/{booking_id}/review", response={201: ReviewOut}, auth=AUTH)
def review(request, booking_id: int, payload: ReviewIn):
    b = _booking(request, booking_id)
    r = trust.check_review(actor=request.user, booking=b, rating=payload.rating, text=payload.text)
    return Status(
        201,
        {
            "id": r.pk,
            "about": r.about,
            "rating": r.rating,
            "text": r.text,
            "published": r.published_at is not None,
        },
    )


@router.get("/resources/{resource_id}/reviews", response=list[ReviewOut])
def resource_reviews(request, resource_id: int):
    r = get_object_or_404(Resource, pk=resource_id)
    return [
        {"id": v.pk, "about": v.about, "rating": v.rating, "text": v.text, "published": True}
        for v in selectors.published_reviews(r)[:200]
    ]


class ReportIn(Schema):
    reason: Literal["safety", "damage", "fraud", "misleading", "discrimination", "other"]
    text: str = Field(..., min_length=1, max_length=4000)
    resource_id: int | None = None
    booking_id: int | None = None


@router.post("/reports", response={201: ReportOut}, auth=AUTH)
def report(request, payload: ReportIn):
    resource = get_object_or_404(Resource, pk=payload.resource_id) if payload.resource_id else None
    booking = _booking(request, payload.booking_id) if payload.booking_id else None
    return Status(
        201,
        trust.check_report(
            actor=request.user,
            reason=payload.reason,
            text=payload.text,
            resource=resource,
            booking=booking,
        ),
    )


@router.get("/reports", response=list[ReportOut], auth=AUTH)
def reports(request):
    access.require_staff(request.user)
    return list(selectors.open_reports()[:500])


class ResolveIn(Schema):
    resolution: str = Field(..., min_length=1, max_length=4000)
    dismiss: bool = False


@router.post("/reports/{report_id}/resolve", response=ReportOut, auth=AUTH)
def resolve_report(request, report_id: int, payload: ResolveIn):
    r = get_object_or_404(Report, pk=report_id)
    return trust.check_resolve_report(actor=request.user, report=r, **payload.dict())


# --- lending ----------------------------------------------------------------------------------


class HoldOut(Schema):
    id: int
    resource_id: int
    state: str
    ready_until: datetime | None
    position: int


@router.post("/resources/{resource_id}/queue", response={201: HoldOut}, auth=AUTH)
def join_queue(request, resource_id: int):
    r = get_object_or_404(Resource, pk=resource_id)
    h = lending.check_join_queue(actor=request.user, resource=r)
    return Status(
        201,
        {
            "id": h.pk,
            "resource_id": r.pk,
            "state": h.state,
            "ready_until": h.ready_until,
            "position": lending.queue_position(h),
        },
    )


class TicketIn(Schema):
    description: str = Field(..., min_length=1, max_length=4000)


class TicketOut(Schema):
    id: int
    resource_id: int
    state: str
    description: str


@router.post("/resources/{resource_id}/tickets", response={201: TicketOut}, auth=AUTH)
def open_ticket(request, resource_id: int, payload: TicketIn):
    r = get_object_or_404(Resource, pk=resource_id)
    return Status(
        201,
        lending.check_open_ticket(actor=request.user, resource=r, description=payload.description),
    )


class TicketStateIn(Schema):
    state: Literal["repairing", "resolved", "retired"]


@router.post("/tickets/{ticket_id}", response=TicketOut, auth=AUTH)
def update_ticket(request, ticket_id: int, payload: TicketStateIn):
    t = get_object_or_404(MaintenanceTicket.objects.select_related("resource"), pk=ticket_id)
    return lending.check_update_ticket(actor=request.user, ticket=t, state=payload.state)


# --- lottery ----------------------------------------------------------------------------------


class LotteryIn(Schema):
    start: datetime
    end: datetime
    closes_at: datetime


class LotteryOut(Schema):
    id: int
    resource_id: int
    start: datetime
    end: datetime
    closes_at: datetime
    state: str
    seed: str
    entrants: int
    order: list[int]
    winner_booking_id: int | None


def _lottery(d: LotteryDraw) -> dict:
    return {
        "id": d.pk,
        "resource_id": d.resource_id,
        "start": d.start,
        "end": d.end,
        "closes_at": d.closes_at,
        "state": d.state,
        "seed": d.seed,
        "entrants": d.entries.count(),
        "order": d.order,
        "winner_booking_id": d.winner_booking_id,
    }


@router.post("/resources/{resource_id}/lotteries", response={201: LotteryOut}, auth=AUTH)
def open_lottery(request, resource_id: int, payload: LotteryIn):
    r = get_object_or_404(Resource, pk=resource_id)
    return Status(
        201, _lottery(bk.check_open_lottery(actor=request.user, resource=r, **payload.dict()))
    )


@router.post("/lotteries/{draw_id}/enter", response={201: dict}, auth=AUTH)
def enter_lottery(request, draw_id: int):
    d = get_object_or_404(LotteryDraw, pk=draw_id)
    e = bk.check_enter_lottery(actor=request.user, draw=d)
    return Status(201, {"entry": e.pk})


@router.get("/lotteries/{draw_id}", response=LotteryOut, summary="A draw, auditable")
def lottery(request, draw_id: int):
    """The seed, entrant count and drawn order are public: anyone can recompute
    ``lottery_order(seed, entrant ids)``."""
    return _lottery(get_object_or_404(LotteryDraw, pk=draw_id))


# --- calendar feeds -------------------------------------------------------------------------


class FeedsOut(Schema):
    user: str
    organisations: dict[str, str]


@router.get("/feeds", response=FeedsOut, auth=AUTH)
def feeds(request):
    """Secret calendar-feed addresses (iCalendar) for me and my organisations."""
    base = request.build_absolute_uri("/ko/sharing/feeds/")
    orgs = Organisation.objects.filter(pk__in=access.organisation_ids(request.user))
    return {
        "user": f"{base}{selectors.feed_token(user=request.user)}.ics",
        "organisations": {
            str(o.pk): f"{base}{selectors.feed_token(organisation=o)}.ics" for o in orgs
        },
    }


# --- home-share -----------------------------------------------------------------------------


class MatchOut(Schema):
    id: int
    host_id: int
    student_id: int
    score: float
    explanation: list[str]
    stage: str


@router.post("/homeshare/proposals", response={201: list[MatchOut]}, auth=AUTH)
def propose(request, per_person: int = Query(3, ge=1, le=10)):
    return Status(201, homeshare.check_propose(actor=request.user, per_person=per_person))


@router.get("/homeshare/matches", response=list[MatchOut], auth=AUTH)
def matches(request, stage: str = ""):
    rules.require_coordinator(request.user)
    qs = HomeShareMatch.objects.order_by("-score", "id")
    return list(qs.filter(stage=stage)[:500] if stage else qs[:500])


class AdvanceIn(Schema):
    stage: Literal[
        "interview", "home_visit", "agreement", "trial", "follow_up", "living", "declined", "ended"
    ]
    note: str = Field("", max_length=2000)


@router.post("/homeshare/matches/{match_id}/advance", response=MatchOut, auth=AUTH)
def advance(request, match_id: int, payload: AdvanceIn):
    m = get_object_or_404(
        HomeShareMatch.objects.select_related("host__user", "student__user"), pk=match_id
    )
    return homeshare.check_advance(actor=request.user, match=m, **payload.dict())


# --- designated enterprises -----------------------------------------------------------------


class ApplicationIn(Schema):
    organisation: int
    legal_form: Literal["sme", "social_enterprise", "cooperative", "nonprofit"]
    registration_number: str = Field(..., max_length=12)
    sharing_since: date
    description: str = Field(..., min_length=1, max_length=8000)
    documents: list[str] = Field(default_factory=list, max_length=20)


class ApplicationOut(Schema):
    id: int
    organisation_id: int
    stage: str
    reviews: list[dict]


@router.post("/enterprises/applications", response={201: ApplicationOut}, auth=AUTH)
def apply(request, payload: ApplicationIn):
    data = payload.dict()
    org = get_object_or_404(Organisation, pk=data.pop("organisation"))
    return Status(201, enterprises.check_apply(actor=request.user, organisation=org, **data))


class StageIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000)
    score: int | None = Field(None, ge=0, le=100)


@router.post("/enterprises/applications/{app_id}/review", response=ApplicationOut, auth=AUTH)
def review_stage(request, app_id: int, payload: StageIn):
    a = get_object_or_404(EnterpriseApplication, pk=app_id)
    return enterprises.check_review_stage(actor=request.user, application=a, **payload.dict())


class DecideIn(Schema):
    designate: bool
    note: str = Field("", max_length=2000)


class DesignationOut(Schema):
    id: int
    organisation_id: int
    valid_from: date
    valid_until: date
    brand_right: bool


@router.post(
    "/enterprises/applications/{app_id}/decide", response={200: DesignationOut | None}, auth=AUTH
)
def decide(request, app_id: int, payload: DecideIn):
    a = get_object_or_404(EnterpriseApplication, pk=app_id)
    return enterprises.check_decide(actor=request.user, application=a, **payload.dict())


class DirectoryOut(Schema):
    organisation_id: int
    name: str
    valid_until: date
    brand_right: bool
    listings: int
    listings_url: str


@router.get("/enterprises", response=list[DirectoryOut], summary="Designated enterprises")
def directory(request):
    return [
        {
            "organisation_id": row["organisation"].pk,
            "name": row["organisation"].name,
            "valid_until": row["valid_until"],
            "brand_right": row["brand_right"],
            "listings": row["listings"],
            "listings_url": f"/api/sharing/resources?organisation={row['organisation'].pk}",
        }
        for row in selectors.directory()
    ]


class GrantIn(Schema):
    designation_id: int
    track: Literal["designated", "open"]
    project: str = Field(..., min_length=1, max_length=300)
    amount: int = Field(..., gt=0)


class GrantOut(Schema):
    id: int
    track: str
    project: str
    amount_requested: int
    amount_awarded: int | None
    report_due: date | None
    state: str


@router.post("/enterprises/grants", response={201: GrantOut}, auth=AUTH)
def request_grant(request, payload: GrantIn):
    d = get_object_or_404(Designation, pk=payload.designation_id)
    return Status(
        201,
        enterprises.check_request_grant(
            actor=request.user,
            designation=d,
            track=payload.track,
            project=payload.project,
            amount=payload.amount,
        ),
    )


class AwardIn(Schema):
    amount: int = Field(..., ge=0)
    report_due: date


@router.post("/enterprises/grants/{grant_id}/award", response=GrantOut, auth=AUTH)
def award_grant(request, grant_id: int, payload: AwardIn):
    g = get_object_or_404(Grant, pk=grant_id)
    return enterprises.check_award_grant(actor=request.user, grant=g, **payload.dict())


class LoanIn(Schema):
    organisation: int
    amount: int = Field(..., gt=0)
    annual_rate: Decimal = Field(..., ge=0, le=20)
    term_months: int = Field(..., ge=1, le=120)
    disbursed_on: date


class RepaymentOut(Schema):
    id: int
    due: date
    amount: int
    paid_at: datetime | None


class LoanOut(Schema):
    id: int
    amount: int
    term_months: int
    repayments: list[RepaymentOut]


@router.post("/enterprises/loans", response={201: LoanOut}, auth=AUTH)
def grant_loan(request, payload: LoanIn):
    data = payload.dict()
    org = get_object_or_404(Organisation, pk=data.pop("organisation"))
    loan = enterprises.check_grant_loan(actor=request.user, organisation=org, **data)
    return Status(
        201,
        {
            "id": loan.pk,
            "amount": loan.amount,
            "term_months": loan.term_months,
            "repayments": list(loan.repayments.all()),
        },
    )


@router.post("/enterprises/repayments/{repayment_id}/paid", response=RepaymentOut, auth=AUTH)
def repaid(request, repayment_id: int):
    r = get_object_or_404(Repayment, pk=repayment_id)
    return enterprises.check_record_repayment(actor=request.user, repayment=r)


# --- Share Hub partners ---------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    name: str
    website: str
    feed_format: str
    listings: int
    last_import_at: datetime | None


@router.get("/partners", response=list[PartnerOut])
def partners(request):
    from django.db.models import Count

    return [
        {
            "id": p.pk,
            "name": p.name,
            "website": p.website,
            "feed_format": p.feed_format,
            "listings": p.n,
            "last_import_at": p.last_import_at,
        }
        for p in PartnerPlatform.objects.filter(active=True).annotate(n=Count("listings"))
    ]


class FeedIn(Schema):
    data: str = Field(..., min_length=1, max_length=hub.MAX_BYTES)


class ImportOut(Schema):
    id: int
    rows_total: int
    rows_imported: int
    rows_removed: int
    errors: list[dict]
    failed: str


@router.post("/partners/{partner_id}/import", response={201: ImportOut}, auth=AUTH)
def import_partner(request, partner_id: int, payload: FeedIn):
    p = get_object_or_404(PartnerPlatform, pk=partner_id)
    run = hub.check_import(actor=request.user, platform=p, data=payload.data)
    if run.failed:
        raise InvalidInput("bad_feed", run.failed, {"run": run.pk})
    return Status(201, run)
