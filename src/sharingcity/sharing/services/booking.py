"""The one booking core. Every path that occupies a unit goes through ``_occupy``.

Never double-booked:

* PostgreSQL: the exclusion constraint ``sharing_booking_no_overlap`` (migration 0002) refuses
  a second active row whose buffered range overlaps on the same unit, whatever the code path.
  Pools and per-person caps count rows first, so they lock a parent row (the pool, the person)
  with ``SELECT … FOR UPDATE`` before counting (Respa's and Circulate's pattern).
* SQLite: connections open transactions with ``BEGIN IMMEDIATE``, so the check-then-insert in one
  atomic block runs one writer at a time.

The loser of a race gets ``Conflict(code="booking_conflict")``.
"""

from __future__ import annotations

import hashlib
import random
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import User
from sharingcity.core.notifications import notify

from .. import rules
from ..models import (
    Booking,
    BookingSeries,
    DateException,
    ItemHold,
    Kind,
    LotteryDraw,
    LotteryEntry,
    NoShowStrike,
    Resource,
    ResourcePool,
    Suspension,
    WeeklyWindow,
    month_bounds,
)
from .plates import normalise_plate

ACTIVE = Booking.ACTIVE
STRIKES_TO_SUSPEND = 3
STRIKE_DAYS = 90
SUSPENSION_DAYS = 30
HOLD_MINUTES = 15
QUEUE_READY_DAYS = 2
STATE = Booking.State


def booking_url(booking: Booking) -> str:
    return f"/ko/sharing/bookings/{booking.pk}/"


# --- rules ---------------------------------------------------------------------------------


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput("invalid_time", _("Give a date and time."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def opening_intervals(resource: Resource, day, *, windows=None, exceptions=None):
    """The local intervals ``resource`` is open on ``day`` (a date): the date's exception if it
    has one, else its weekly windows. A resource without any window is always open."""
    windows = list(resource.windows.all()) if windows is None else windows
    if exceptions is None:
        exceptions = {e.date: e for e in DateException.objects.filter(resource=resource, date=day)}
    tz = timezone.get_current_timezone()

    def span(opens: time, closes: time):
        a = timezone.make_aware(datetime.combine(day, opens), tz)
        b = (
            timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)), tz)
            if closes == time(0)
            else timezone.make_aware(datetime.combine(day, closes), tz)
        )
        return (a, b)

    exc = exceptions.get(day)
    if exc is not None:
        if exc.closed or exc.opens is None or exc.closes is None:
            return []
        return [span(exc.opens, exc.closes)]
    if not windows:
        return [span(time(0), time(0))]
    return sorted(span(w.opens, w.closes) for w in windows if w.weekday == day.weekday())


class _Hours(NamedTuple):
    """A weekly window or a date exception, as ``opening_intervals`` reads them."""

    weekday: int | None
    date: date | None
    opens: time | None
    closes: time | None
    closed: bool


class _Context(NamedTuple):
    """What a booking must know beyond the resource row: its opening rules for the booked days
    and the person's current suspension."""

    windows: list
    exceptions: dict
    suspended_until: datetime | None
    suspension_reason: str


def _time(v) -> time | None:
    return parse_time(v) if isinstance(v, str) else v


def _day(v) -> date | None:
    return parse_date(v) if isinstance(v, str) else v


def _moment(v) -> datetime | None:
    if isinstance(v, str):  # SQLite keeps naive UTC text
        v = parse_datetime(v)
        return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v
    return v


def _context(resource: Resource, user: User | None, days: list[date], *, now: datetime) -> _Context:
    """Windows, the days' exceptions and the person's suspensions in ONE plain query: it runs on
    every booking, where the ORM's query building cost more than the database's work."""
    ops = connection.ops
    w, x, s = WeeklyWindow._meta.db_table, DateException._meta.db_table, Suspension._meta.db_table
    day_marks = ", ".join(["%s"] * len(days)) or "NULL"
    moment = ops.adapt_datetimefield_value(now)
    sql = (
        # PostgreSQL types a UNION pairwise: the first branch fixes the NULL columns' types.
        "SELECT 0, weekday, CAST(NULL AS DATE), opens, closes, FALSE,"
        " CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS VARCHAR(300))"
        f" FROM {w} WHERE resource_id = %s"
        f" UNION ALL SELECT 1, NULL, date, opens, closes, closed, NULL, NULL FROM {x}"
        f" WHERE resource_id = %s AND date IN ({day_marks})"
        f" UNION ALL SELECT 2, NULL, NULL, NULL, NULL, FALSE, ends_at, reason FROM {s}"
        f" WHERE user_id = %s AND starts_at <= %s AND ends_at > %s"
    )
    params = [
        resource.pk,
        resource.pk,
        *(ops.adapt_datefield_value(d) for d in days),
        user.pk if user is not None else None,
        moment,
        moment,
    ]
    windows, exceptions = [], {}
    until, reason = None, ""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for kind, weekday, day, opens, closes, closed, ends_at, why in cur.fetchall():
            if kind == 0:
                windows.append(_Hours(weekday, None, _time(opens), _time(closes), False))
            elif kind == 1:
                d = _day(day)
                exceptions[d] = _Hours(None, d, _time(opens), _time(closes), bool(closed))
            elif until is None or _moment(ends_at) > until:
                until, reason = _moment(ends_at), why
    return _Context(windows, exceptions, until, reason)


def _booked_days(start: datetime, end: datetime) -> list[date]:
    s, e = timezone.localtime(start), timezone.localtime(end)
    return [s.date() + timedelta(days=i) for i in range((e.date() - s.date()).days + 1)]


def is_open(
    resource: Resource, start: datetime, end: datetime, *, context: _Context | None = None
) -> bool:
    """Whether the opening rule of ``resource`` allows ``[start, end)``."""
    s, e = timezone.localtime(start), timezone.localtime(end)
    days = _booked_days(start, end)
    if context is None:
        context = _context(resource, None, days, now=timezone.now())
    windows, exceptions = context.windows, context.exceptions

    def inside(moment: datetime, *, closing: bool) -> bool:
        day = timezone.localtime(moment).date()
        if closing and timezone.localtime(moment).time() == time(0):
            day -= timedelta(days=1)  # a return at midnight belongs to the day before
        for a, b in opening_intervals(resource, day, windows=windows, exceptions=exceptions):
            if (a < moment <= b) if closing else (a <= moment < b):
                return True
        return False

    if resource.window_rule == Resource.WindowRule.ENDPOINTS:
        return inside(s, closing=False) and inside(e, closing=True)
    # the whole range must be covered by the union of the days' intervals
    covered_until = s
    for day in days:
        for a, b in opening_intervals(resource, day, windows=windows, exceptions=exceptions):
            if a <= covered_until < b:
                covered_until = b
    return covered_until >= e


def check_rules(
    resource: Resource,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    context: _Context | None = None,
) -> None:
    """The resource's own rules: status, range, lead time, horizon, duration, unit, windows."""
    if resource.partner_id:
        raise InvalidInput(
            "partner_listing",
            _("This listing is booked on the partner's own platform."),
            {"url": resource.external_url},
        )
    if resource.status != Resource.Status.ACTIVE:
        raise Conflict(
            "resource_unavailable",
            _("This resource is not available now (%(status)s).")
            % {"status": resource.get_status_display()},
        )
    if start >= end:
        raise InvalidInput("invalid_range", _("The end must be after the start."), field="end")
    if start < now + timedelta(minutes=resource.lead_time):
        raise InvalidInput(
            "lead_time",
            _("Book at least %(m)d minutes ahead.") % {"m": resource.lead_time},
            {"lead_time_minutes": resource.lead_time},
            field="start",
        )
    if start > now + timedelta(days=resource.max_advance_days):
        raise InvalidInput(
            "too_far_ahead",
            _("Book at most %(d)d days ahead.") % {"d": resource.max_advance_days},
            field="start",
        )
    minutes = (end - start).total_seconds() / 60
    if minutes < resource.min_duration:
        raise InvalidInput(
            "too_short",
            _("The shortest booking is %(m)d minutes.") % {"m": resource.min_duration},
            field="end",
        )
    if minutes > resource.max_duration:
        raise InvalidInput(
            "too_long",
            _("The longest booking is %(m)d minutes.") % {"m": resource.max_duration},
            field="end",
        )
    local = timezone.localtime(start)
    if resource.booking_unit == Resource.Unit.HOURS and (
        minutes % 60 or local.minute or local.second
    ):
        raise InvalidInput(
            "whole_hours", _("This resource is booked by whole hours."), field="start"
        )
    if resource.booking_unit == Resource.Unit.DAYS and minutes % (24 * 60):
        raise InvalidInput("whole_days", _("This resource is booked by whole days."), field="end")
    if not is_open(resource, start, end, context=context):
        raise InvalidInput(
            "outside_opening_hours",
            _("The resource is not open for that time."),
            field="start",
        )


def check_person(
    user: User, resource: Resource, *, now: datetime, context: _Context | None = None
) -> None:
    """The person may book ``resource``: identity assurance, and no suspension running."""
    rules.require_level(user, resource.verification_required)
    if context is None:
        context = _context(resource, user, [], now=now)
    if context.suspended_until is not None:
        raise NotAllowed(
            _("You may not book until %(date)s: %(reason)s")
            % {
                "date": timezone.localtime(context.suspended_until).strftime("%Y-%m-%d"),
                "reason": context.suspension_reason,
            },
            {"until": context.suspended_until.isoformat()},
            code="suspended",
        )


def _buffered(resource: Resource, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=resource.buffer_before),
        end + timedelta(minutes=resource.buffer_after),
    )


def _conflict(details: dict | None = None) -> Conflict:
    return Conflict(
        "booking_conflict",
        _("Someone else has this time already. Choose another time or unit."),
        details,
        field="start",
    )


def _occupy(resource: Resource, *, precheck: bool = False, **fields) -> Booking:
    """Insert a row that occupies ``resource``.

    SQLite: check for an overlap, then insert; the IMMEDIATE transaction serialises this.
    PostgreSQL: just insert; the exclusion constraint decides, and its violation (or the
    deadlock two simultaneous overlapping inserts can produce) becomes a ``Conflict``.
    ``precheck=True`` also looks first on PostgreSQL (an early answer, never the guard).

    There is no savepoint here: on failure the caller's atomic block rolls back; callers that
    go on after a conflict (pools, series, lottery draws) wrap each attempt in their own."""
    blocked_start, blocked_end = _buffered(resource, fields["start"], fields["end"])
    if precheck or connection.vendor != "postgresql":
        clash = (
            Booking.objects.filter(
                resource=resource,
                state__in=ACTIVE,
                blocked_start__lt=blocked_end,
                blocked_end__gt=blocked_start,
            )
            .values("pk")
            .first()
        )
        if clash is not None:
            raise _conflict({"resource": resource.pk})
    try:
        return _insert(
            Booking(
                resource=resource, blocked_start=blocked_start, blocked_end=blocked_end, **fields
            )
        )
    except IntegrityError as e:
        if "sharing_booking_no_overlap" in str(e):
            raise _conflict({"resource": resource.pk}) from None
        raise
    except OperationalError as e:
        # Two transactions inserting overlapping rows at the same moment each wait for the
        # other while checking the exclusion constraint; PostgreSQL breaks the cycle by
        # aborting one with a deadlock error. That one lost the race: a conflict.
        if getattr(e.__cause__, "sqlstate", None) == "40P01" and "exclusion constraint" in str(
            getattr(getattr(e.__cause__, "diag", None), "context", "") or e
        ):
            raise _conflict({"resource": resource.pk}) from None
        raise


_INSERT_FIELDS = [f for f in Booking._meta.concrete_fields if not f.primary_key]
_INSERT_SQL: dict[str, str] = {}  # per database vendor


def _insert(booking: Booking) -> Booking:
    """One plain INSERT ... RETURNING for a new booking (the model has no save hooks or signals):
    the ORM's save machinery cost more than the database's own work on this hot path."""
    conn = connections[DEFAULT_DB_ALIAS]  # the real connection, not the thread-local proxy
    sql = _INSERT_SQL.get(conn.vendor)
    if sql is None:
        columns = ", ".join(conn.ops.quote_name(f.column) for f in _INSERT_FIELDS)
        marks = ", ".join(["%s"] * len(_INSERT_FIELDS))
        table = conn.ops.quote_name(Booking._meta.db_table)
        sql = _INSERT_SQL[conn.vendor] = (
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"
        )
    params = [f.get_db_prep_save(f.pre_save(booking, True), conn) for f in _INSERT_FIELDS]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        booking.pk = cur.fetchone()[0]
    booking._state.adding, booking._state.db = False, connection.alias
    return booking


def _check_cap(user: User, resource: Resource, start: datetime) -> None:
    """Per-person monthly cap. Called with the person's row locked, so two parallel requests
    of one person are counted one after the other."""
    if resource.monthly_cap is None:
        return
    first, nxt = month_bounds(start)
    scope = {"resource__pool_id": resource.pool_id} if resource.pool_id else {"resource": resource}
    used = Booking.objects.filter(
        booker=user,
        kind=Booking.Kind.BOOKING,
        state__in=[*ACTIVE, STATE.COMPLETED, STATE.NO_SHOW],
        start__gte=first,
        start__lt=nxt,
        **scope,
    ).count()
    if used >= resource.monthly_cap:
        raise Conflict(
            "monthly_cap",
            _("You have used your %(n)d bookings of this resource for this month.")
            % {"n": resource.monthly_cap},
            {"cap": resource.monthly_cap, "used": used},
        )


def _check_queue(user: User, resource: Resource, start: datetime, now: datetime) -> None:
    ready = ItemHold.objects.filter(
        resource=resource, state=ItemHold.State.READY, ready_until__gt=now
    ).first()
    if ready is not None and ready.user_id != user.pk and start < ready.ready_until:
        raise Conflict(
            "reserved_for_queue",
            _("This item is kept for the next person in the queue until %(t)s.")
            % {"t": timezone.localtime(ready.ready_until).strftime("%Y-%m-%d %H:%M")},
        )


def _lock_user(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _notify_request(booking: Booking) -> None:
    resource = booking.resource
    notify(
        [u for u in rules.approvers(resource) if u.pk != booking.booker_id],
        kind="sharing.booking.requested",
        title=_("Booking request: %(r)s, %(t)s")
        % {"r": resource.title, "t": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M")},
        body=booking.purpose,
        url="/ko/sharing/approvals/",
    )


def check_book(
    *,
    actor: User,
    resource: Resource,
    start: datetime,
    end: datetime,
    purpose: str = "",
    attendees: int = 1,
    vehicle_plate: str = "",
    organisation=None,
    hold: bool = False,
    series: BookingSeries | None = None,
    now: datetime | None = None,
    _skip_rules: bool = False,
) -> Booking:
    """Book one unit. ``hold=True`` keeps the slot for ``HOLD_MINUTES`` until confirmed."""
    now = now or timezone.now()
    start, end = _aware(start, "start"), _aware(end, "end")
    context = _context(resource, actor, _booked_days(start, end), now=now)
    check_person(actor, resource, now=now, context=context)
    if not _skip_rules:
        check_rules(resource, start, end, now=now, context=context)
    if not 1 <= attendees <= max(resource.capacity, 1):
        raise InvalidInput(
            "too_many_people",
            _("At most %(n)d people fit.") % {"n": resource.capacity},
            field="attendees",
        )
    plate = ""
    if resource.kind == Kind.PARKING:
        plate = normalise_plate(vehicle_plate)
    if organisation is not None and organisation.pk not in access.organisation_ids(actor):
        raise NotAllowed(_("You do not act for that organisation."), code="not_operator")
    if hold:
        state, expires = STATE.HELD, now + timedelta(minutes=HOLD_MINUTES)
    elif resource.requires_approval:
        state, expires = STATE.REQUESTED, None
    else:
        state, expires = STATE.APPROVED, None
    # On PostgreSQL a booking that is one INSERT needs no transaction of its own: the statement
    # is atomic and the exclusion constraint is the guard. Skipping BEGIN/COMMIT halves the
    # round trips of the common booking. SQLite serialises its check-then-insert in one.
    alone = (
        connection.vendor == "postgresql"
        and resource.monthly_cap is None
        and resource.kind not in (Kind.ITEM, Kind.CLOTHING, Kind.VEHICLE)
        and state != STATE.REQUESTED
    )
    with nullcontext() if alone else transaction.atomic():
        if resource.monthly_cap is not None:
            _lock_user(actor)
            _check_cap(actor, resource, start)
        if resource.kind in (Kind.ITEM, Kind.CLOTHING):
            _check_queue(actor, resource, start, now)
        booking = _occupy(
            resource,
            booker=actor,
            organisation=organisation,
            kind=Booking.Kind.BOOKING,
            state=state,
            start=start,
            end=end,
            expires_at=expires,
            purpose=purpose.strip()[:300],
            attendees=attendees,
            vehicle_plate=plate,
            series=series,
            deposit_amount=resource.deposit,
        )
        if resource.kind in (Kind.ITEM, Kind.CLOTHING, Kind.VEHICLE):
            ItemHold.objects.filter(
                resource=resource, user=actor, state=ItemHold.State.READY
            ).update(state=ItemHold.State.FULFILLED)
        if state == STATE.REQUESTED:
            _notify_request(booking)
    return booking


def check_book_pool(
    *, actor: User, pool: ResourcePool, start: datetime, end: datetime, now=None, **kw
) -> Booking:
    """Book any free unit of ``pool``. The pool row is locked so parallel requests take units
    one after the other; each unit is still guarded by the exclusion constraint."""
    now = now or timezone.now()
    start, end = _aware(start, "start"), _aware(end, "end")
    with transaction.atomic():
        ResourcePool.objects.select_for_update().filter(pk=pool.pk).values_list("pk").first()
        units = list(pool.units.filter(status=Resource.Status.ACTIVE))
        if not units:
            raise Conflict("pool_empty", _("No unit of this pool is in service."))
        last: Exception | None = None
        for unit in units:
            try:
                with transaction.atomic():
                    return check_book(
                        actor=actor, resource=unit, start=start, end=end, now=now, **kw
                    )
            except Conflict as e:
                if e.code != "booking_conflict":
                    raise
                last = e
        raise Conflict(
            "pool_full",
            _("All %(n)d units are taken for that time.") % {"n": len(units)},
            {"units": len(units)},
        ) from last


def check_book_weekly(
    *,
    actor: User,
    resource: Resource,
    start: datetime,
    end: datetime,
    weeks: int,
    purpose: str = "",
    attendees: int = 1,
    now=None,
) -> BookingSeries:
    """A weekly series. Occurrences that break a rule or clash are skipped and reported in
    ``series.skipped``; the others are booked (each in its own savepoint)."""
    if not 1 <= weeks <= 52:
        raise InvalidInput("invalid_weeks", _("Choose between 1 and 52 weeks."), field="weeks")
    now = now or timezone.now()
    start, end = _aware(start, "start"), _aware(end, "end")
    check_person(actor, resource, now=now)
    with transaction.atomic():
        series = BookingSeries.objects.create(resource=resource, booker=actor, weeks=weeks)
        skipped = []
        for i in range(weeks):
            # weekly in local time, so a series keeps its wall-clock hour
            s = timezone.localtime(start) + timedelta(weeks=i)
            e = timezone.localtime(end) + timedelta(weeks=i)
            try:
                with transaction.atomic():
                    check_book(
                        actor=actor,
                        resource=resource,
                        start=s,
                        end=e,
                        purpose=purpose,
                        attendees=attendees,
                        series=series,
                        now=now,
                    )
            except (Conflict, InvalidInput) as err:
                skipped.append({"start": s.isoformat(), "code": err.code, "message": err.message})
        series.skipped = skipped
        series.save(update_fields=["skipped"])
        if len(skipped) == weeks:
            raise Conflict(
                "series_all_conflict",
                _("None of the %(n)d dates could be booked.") % {"n": weeks},
                {"skipped": skipped},
            )
    return series


def check_block(
    *,
    actor: User,
    resource: Resource,
    start: datetime,
    end: datetime,
    kind: str = Booking.Kind.OWNER_USE,
    note: str = "",
) -> Booking:
    """The owner's own use (the department uses its hall) or a blackout. It occupies the unit
    like a booking, so it can neither overlap a booking nor be overlapped by one."""
    rules.require_manage(actor, resource)
    if kind not in (Booking.Kind.OWNER_USE, Booking.Kind.BLACKOUT):
        raise InvalidInput("invalid_kind", _("Unknown kind of block."), field="kind")
    start, end = _aware(start, "start"), _aware(end, "end")
    if start >= end:
        raise InvalidInput("invalid_range", _("The end must be after the start."), field="end")
    with transaction.atomic():
        booking = _occupy(
            resource,
            booker=actor,
            kind=kind,
            state=STATE.APPROVED,
            start=start,
            end=end,
            purpose=note.strip()[:300],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit.record(actor, f"sharing.{kind}", resource, start=start, end=end)
    return booking


# --- transitions --------------------------------------------------------------------------


def _transition(booking: Booking, allowed: tuple[str, ...], new: str, **fields) -> Booking:
    """Move ``booking`` to ``new`` if it is (still) in one of ``allowed``: a conditional update,
    so two staff members clicking at once cannot both succeed."""
    n = Booking.objects.filter(pk=booking.pk, state__in=allowed).update(state=new, **fields)
    if n == 0:
        booking.refresh_from_db(fields=["state"])
        raise Conflict(
            "invalid_transition",
            _("This booking is %(state)s; it cannot become %(new)s.")
            % {"state": booking.get_state_display(), "new": STATE(new).label},
            {"state": booking.state, "to": new},
        )
    for k, v in fields.items():
        setattr(booking, k, v)
    booking.state = new
    return booking


def _tell_booker(booking: Booking, kind: str, title: str, body: str = "") -> None:
    notify([booking.booker], kind=kind, title=title, body=body, url=booking_url(booking))


def check_confirm_hold(*, actor: User, booking: Booking, now=None) -> Booking:
    now = now or timezone.now()
    if booking.booker_id != actor.pk:
        raise NotAllowed(_("This is not your booking."), code="not_your_booking")
    if booking.state == STATE.HELD and booking.expires_at and booking.expires_at <= now:
        raise Conflict("hold_expired", _("The hold expired; book again."))
    new = STATE.REQUESTED if booking.resource.requires_approval else STATE.APPROVED
    with transaction.atomic():
        _transition(booking, (STATE.HELD,), new, expires_at=None)
        if new == STATE.REQUESTED:
            _notify_request(booking)
    return booking


def check_approve(*, actor: User, booking: Booking) -> Booking:
    rules.require_manage(actor, booking.resource)
    with transaction.atomic():
        _transition(
            booking, (STATE.REQUESTED,), STATE.APPROVED, decided_by=actor, decided_at=timezone.now()
        )
        audit.record(actor, "sharing.booking.approved", booking)
        _tell_booker(
            booking,
            "sharing.booking.approved",
            _("Approved: %(r)s, %(t)s")
            % {
                "r": booking.resource.title,
                "t": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M"),
            },
            _("It is in your calendar feed."),
        )
    return booking


def check_deny(*, actor: User, booking: Booking, reason: str) -> Booking:
    rules.require_manage(actor, booking.resource)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", _("Say why the request is denied."), field="reason")
    with transaction.atomic():
        _transition(
            booking,
            (STATE.REQUESTED,),
            STATE.DENIED,
            deny_reason=reason[:500],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit.record(actor, "sharing.booking.denied", booking, reason=reason)
        _tell_booker(
            booking,
            "sharing.booking.denied",
            _("Not approved: %(r)s") % {"r": booking.resource.title},
            reason,
        )
    return booking


def check_cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    rules.require_see_booking(actor, booking)
    by_owner = booking.booker_id != actor.pk
    with transaction.atomic():
        _transition(
            booking,
            (STATE.HELD, STATE.REQUESTED, STATE.APPROVED),
            STATE.CANCELLED,
            expires_at=None,
        )
        if by_owner:
            audit.record(actor, "sharing.booking.cancelled", booking, reason=reason)
            _tell_booker(
                booking,
                "sharing.booking.cancelled",
                _("Cancelled by the owner: %(r)s") % {"r": booking.resource.title},
                reason,
            )
    return booking


def check_check_out(*, actor: User, booking: Booking, condition: str = "", now=None) -> Booking:
    """Check-in at a room, pick-up of an item, arrival at a parking bay. The booker checks in
    themselves; the owner's desk may record it for them."""
    now = now or timezone.now()
    rules.require_see_booking(actor, booking)
    early = timedelta(minutes=max(booking.resource.checkin_grace, 15))
    if not booking.start - early <= now < booking.end:
        raise InvalidInput(
            "not_now",
            _("Check in between %(a)s and %(b)s.")
            % {
                "a": timezone.localtime(booking.start - early).strftime("%H:%M"),
                "b": timezone.localtime(booking.end).strftime("%H:%M"),
            },
        )
    deposit = Booking.Deposit.HELD if booking.deposit_amount else Booking.Deposit.NONE
    with transaction.atomic():
        _transition(
            booking,
            (STATE.APPROVED,),
            STATE.CHECKED_OUT,
            checked_out_at=now,
            condition_out=condition.strip()[:300],
            deposit_state=deposit,
        )
    return booking


def check_check_in(
    *,
    actor: User,
    booking: Booking,
    condition: str = "",
    damage: str = "",
    now=None,
) -> Booking:
    """Return, check-out of a room or a car leaving the bay: completes the booking, records the
    condition and any overstay, refunds the deposit or keeps it against reported damage, opens
    a maintenance ticket for damage and calls the next person in the item's queue."""
    from .lending import advance_queue, do_report_damage

    now = now or timezone.now()
    rules.require_see_booking(actor, booking)
    overstay = max(0, int((now - booking.end).total_seconds() // 60))
    with transaction.atomic():
        deposit = booking.deposit_state
        if deposit == Booking.Deposit.HELD:
            deposit = Booking.Deposit.KEPT if damage.strip() else Booking.Deposit.REFUNDED
        _transition(
            booking,
            (STATE.CHECKED_OUT,),
            STATE.COMPLETED,
            checked_in_at=now,
            condition_in=condition.strip()[:300],
            overstay_minutes=overstay,
            deposit_state=deposit,
        )
        if damage.strip():
            do_report_damage(actor=actor, booking=booking, description=damage)
        else:
            advance_queue(booking.resource, now=now)
    return booking


# --- background jobs ----------------------------------------------------------------------


def expire_holds(now=None) -> int:
    """Holds past their time and requests nobody decided before the start stop blocking."""
    now = now or timezone.now()
    n = Booking.objects.filter(state=STATE.HELD, expires_at__lte=now).update(state=STATE.EXPIRED)
    stale = list(Booking.objects.filter(state=STATE.REQUESTED, start__lte=now))
    for b in stale:
        with transaction.atomic():
            try:
                _transition(b, (STATE.REQUESTED,), STATE.EXPIRED)
            except Conflict:
                continue
            _tell_booker(
                b,
                "sharing.booking.expired",
                _("Nobody decided on your request in time: %(r)s") % {"r": b.resource.title},
            )
    return n + len(stale)


def release_no_shows(now=None) -> int:
    """Approved bookings of check-in resources nobody checked into by the end of the grace
    period: released for others, recorded as a no-show strike; three live strikes suspend."""
    now = now or timezone.now()
    candidates = Booking.objects.filter(
        state=STATE.APPROVED,
        kind=Booking.Kind.BOOKING,
        resource__checkin_required=True,
        start__lt=now,
    ).select_related("resource", "booker")
    released = 0
    for b in candidates:
        if b.start + timedelta(minutes=b.resource.checkin_grace) > now:
            continue
        with transaction.atomic():
            try:
                _transition(b, (STATE.APPROVED,), STATE.NO_SHOW)
            except Conflict:
                continue
            record_strike(b, now=now)
            released += 1
    return released


def record_strike(booking: Booking, *, now) -> Suspension | None:
    NoShowStrike.objects.create(
        user=booking.booker,
        booking=booking,
        created_at=now,
        expires_at=now + timedelta(days=STRIKE_DAYS),
    )
    live = NoShowStrike.objects.filter(user=booking.booker, expires_at__gt=now).count()
    _tell_booker(
        booking,
        "sharing.booking.no_show",
        _("Missed check-in: %(r)s (strike %(n)d of %(max)d)")
        % {"r": booking.resource.title, "n": live, "max": STRIKES_TO_SUSPEND},
    )
    if (
        live >= STRIKES_TO_SUSPEND
        and not Suspension.objects.filter(user=booking.booker, ends_at__gt=now).exists()
    ):
        s = Suspension.objects.create(
            user=booking.booker,
            starts_at=now,
            ends_at=now + timedelta(days=SUSPENSION_DAYS),
            reason=_("%(n)d missed check-ins") % {"n": live},
        )
        _tell_booker(
            booking,
            "sharing.suspended",
            _("You may not book for %(d)d days after %(n)d missed check-ins.")
            % {"d": SUSPENSION_DAYS, "n": live},
        )
        return s
    return None


# --- lottery ------------------------------------------------------------------------------


def check_open_lottery(
    *,
    actor: User,
    resource: Resource,
    start: datetime,
    end: datetime,
    closes_at: datetime,
    now=None,
) -> LotteryDraw:
    """Give a popular slot by lot. The slot is occupied by the owner until the draw, so
    nobody can book it first-come-first-served meanwhile."""
    now = now or timezone.now()
    rules.require_manage(actor, resource)
    start, end = _aware(start, "start"), _aware(end, "end")
    closes_at = _aware(closes_at, "closes_at")
    if not now < closes_at <= start:
        raise InvalidInput(
            "invalid_closing",
            _("Entries must close in the future and before the slot starts."),
            field="closes_at",
        )
    check_rules(resource, start, end, now=now)
    with transaction.atomic():
        placeholder = check_block(
            actor=actor, resource=resource, start=start, end=end, note="lottery"
        )
        draw = LotteryDraw.objects.create(
            resource=resource, start=start, end=end, closes_at=closes_at
        )
        placeholder.purpose = f"lottery:{draw.pk}"
        placeholder.save(update_fields=["purpose"])
    return draw


def check_enter_lottery(*, actor: User, draw: LotteryDraw, now=None) -> LotteryEntry:
    now = now or timezone.now()
    check_person(actor, draw.resource, now=now)
    if draw.state != LotteryDraw.State.OPEN or draw.closes_at <= now:
        raise Conflict("lottery_closed", _("Entries for this draw are closed."))
    try:
        with transaction.atomic():
            return LotteryEntry.objects.create(draw=draw, user=actor)
    except IntegrityError:
        raise Conflict("already_entered", _("You have entered this draw already.")) from None


def lottery_order(seed: str, user_ids: list[int]) -> list[int]:
    """The drawn order: a shuffle of the sorted entrant ids by a generator seeded with
    SHA-256(seed | ids). Anyone with the published seed and entrant list can recompute it."""
    ids = sorted(user_ids)
    digest = hashlib.sha256(f"{seed}|{','.join(map(str, ids))}".encode()).hexdigest()
    rng = random.Random(int(digest, 16))
    rng.shuffle(ids)
    return ids


def do_draw(draw: LotteryDraw, *, now=None) -> LotteryDraw:
    """Draw the lots: the first entrant in drawn order who may still book wins."""
    now = now or timezone.now()
    with transaction.atomic():
        draw = LotteryDraw.objects.select_for_update().get(pk=draw.pk)
        if draw.state != LotteryDraw.State.OPEN:
            return draw
        order = lottery_order(draw.seed, list(draw.entries.values_list("user_id", flat=True)))
        Booking.objects.filter(
            resource=draw.resource, purpose=f"lottery:{draw.pk}", state=STATE.APPROVED
        ).update(state=STATE.CANCELLED)
        winner = None
        users = User.objects.in_bulk(order)
        for uid in order:
            try:
                with transaction.atomic():
                    winner = check_book(
                        actor=users[uid],
                        resource=draw.resource,
                        start=draw.start,
                        end=draw.end,
                        purpose=_("Won by lot"),
                        now=now,
                        _skip_rules=True,
                    )
                break
            except (Conflict, NotAllowed, InvalidInput):
                continue
        draw.order = order
        draw.state = LotteryDraw.State.DRAWN
        draw.drawn_at = now
        draw.winner_booking = winner
        draw.save(update_fields=["order", "state", "drawn_at", "winner_booking"])
        if winner is not None:
            _tell_booker(
                winner,
                "sharing.lottery.won",
                _("You won the draw for %(r)s") % {"r": draw.resource.title},
            )
        losers = [users[u] for u in order if winner is None or u != winner.booker_id]
        notify(
            losers,
            kind="sharing.lottery.lost",
            title=_("The draw for %(r)s went to someone else") % {"r": draw.resource.title},
        )
    return draw


def draw_due_lotteries(now=None) -> int:
    now = now or timezone.now()
    due = list(LotteryDraw.objects.filter(state=LotteryDraw.State.OPEN, closes_at__lte=now))
    for draw in due:
        do_draw(draw, now=now)
    return len(due)
