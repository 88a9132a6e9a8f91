"""The booking core: rules, state machine, permissions, caps, strikes, holds, pools, series,
lottery. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import Notification
from sharingcity.sharing.models import (
    Booking,
    DateException,
    MaintenanceTicket,
    NoShowStrike,
    Resource,
    Suspension,
)
from sharingcity.sharing.services import booking as bk
from sharingcity.sharing.services.plates import normalise_plate
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def city():
    dept = f.department()
    officer = f.officer(dept)
    resident = f.resident()
    hall = sf.open_daily(sf.room(dept))
    return dept, officer, resident, hall


def test_request_then_approve_notifies_both_sides(city):
    dept, officer, resident, hall = city
    start = sf.saturday(14)
    b = bk.check_book(
        actor=resident, resource=hall, start=start, end=start + 3 * H, purpose="동아리"
    )
    assert b.state == Booking.State.REQUESTED
    assert Notification.objects.filter(recipient=officer, kind="sharing.booking.requested").exists()
    bk.check_approve(actor=officer, booking=b)
    b.refresh_from_db()
    assert b.state == Booking.State.APPROVED and b.decided_by == officer
    assert Notification.objects.filter(recipient=resident, kind="sharing.booking.approved").exists()


def test_auto_approved_without_approval_rule(city):
    _, _, resident, hall = city
    hall.requires_approval = False
    hall.save()
    start = sf.saturday(10)
    assert (
        bk.check_book(actor=resident, resource=hall, start=start, end=start + H).state == "approved"
    )


def test_officer_of_another_department_cannot_approve(city):
    _, _, resident, hall = city
    other = f.officer(f.department("housing", name_ko="주택", name_en="Housing"))
    start = sf.saturday(14)
    b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    with pytest.raises(NotAllowed):
        bk.check_approve(actor=other, booking=b)
    with pytest.raises(NotAllowed):
        bk.check_approve(actor=resident, booking=b)
    b.refresh_from_db()
    assert b.state == "requested"


def test_deny_needs_reason_and_tells_booker(city):
    _, officer, resident, hall = city
    start = sf.saturday(14)
    b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    with pytest.raises(InvalidInput) as e:
        bk.check_deny(actor=officer, booking=b, reason="  ")
    assert e.value.code == "reason_required"
    bk.check_deny(actor=officer, booking=b, reason="부서 행사")
    b.refresh_from_db()
    assert b.state == "denied" and b.deny_reason == "부서 행사"
    with pytest.raises(Conflict) as e:
        bk.check_approve(actor=officer, booking=b)
    assert e.value.code == "invalid_transition"


def test_overlap_is_a_conflict_and_back_to_back_is_not(city):
    _, _, resident, hall = city
    start = sf.saturday(14)
    bk.check_book(actor=resident, resource=hall, start=start, end=start + 2 * H)
    other = f.resident()
    with pytest.raises(Conflict) as e:
        bk.check_book(actor=other, resource=hall, start=start + H, end=start + 3 * H)
    assert e.value.code == "booking_conflict"
    assert bk.check_book(actor=other, resource=hall, start=start + 2 * H, end=start + 3 * H)
    assert Booking.objects.count() == 2


def test_buffer_blocks_the_next_slot(city):
    _, _, resident, hall = city
    hall.buffer_after = 30
    hall.save()
    start = sf.saturday(14)
    bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    with pytest.raises(Conflict):
        bk.check_book(actor=f.resident(), resource=hall, start=start + H, end=start + 2 * H)
    later = start + H + timedelta(minutes=30)
    assert bk.check_book(actor=f.resident(), resource=hall, start=later, end=later + H)


def test_cancelled_and_denied_free_the_slot(city):
    _, officer, resident, hall = city
    start = sf.saturday(14)
    b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    bk.check_cancel(actor=resident, booking=b)
    b2 = bk.check_book(actor=f.resident(), resource=hall, start=start, end=start + H)
    bk.check_deny(actor=officer, booking=b2, reason="x")
    assert bk.check_book(actor=f.resident(), resource=hall, start=start, end=start + H)


@pytest.mark.parametrize(
    ("start_delta", "length", "code"),
    [
        (timedelta(minutes=10), H, "lead_time"),
        (timedelta(days=200), H, "too_far_ahead"),
        (timedelta(days=3), timedelta(minutes=10), "too_short"),
        (timedelta(days=3), 6 * H, "too_long"),
    ],
)
def test_rules_refuse_with_specific_codes(city, start_delta, length, code):
    _, _, resident, hall = city
    hall.lead_time = 60
    hall.save()
    hall.windows.all().delete()
    start = (timezone.now() + start_delta).replace(second=0, microsecond=0)
    with pytest.raises(InvalidInput) as e:
        bk.check_book(actor=resident, resource=hall, start=start, end=start + length)
    assert e.value.code == code
    assert Booking.objects.count() == 0


def test_opening_hours_and_date_exceptions(city):
    _, _, resident, hall = city
    late = sf.saturday(21)
    with pytest.raises(InvalidInput) as e:
        bk.check_book(actor=resident, resource=hall, start=late, end=late + 2 * H)
    assert e.value.code == "outside_opening_hours"
    day = sf.saturday(14)
    DateException.objects.create(resource=hall, date=timezone.localdate(day), closed=True)
    with pytest.raises(InvalidInput):
        bk.check_book(actor=resident, resource=hall, start=day, end=day + H)
    DateException.objects.filter(resource=hall).update(
        closed=False, opens=time(13), closes=time(15)
    )
    assert bk.check_book(actor=resident, resource=hall, start=day, end=day + H)


def test_endpoint_rule_for_items_allows_loans_over_closed_nights():
    member = f.resident()
    drill = sf.item()
    sf.open_daily(drill, time(10), time(19))
    start = sf.saturday(11)
    b = bk.check_book(actor=member, resource=drill, start=start, end=start + 48 * H)
    assert b.state == "approved"
    with pytest.raises(InvalidInput):
        bk.check_book(
            actor=member, resource=drill, start=start + 3 * 24 * H - 3 * H, end=start + 4 * 24 * H
        )


def test_unverified_resident_refused_for_verified_only_room(city):
    *_, hall = city
    start = sf.saturday(14)
    with pytest.raises(NotAllowed) as e:
        bk.check_book(actor=f.resident(verified=False), resource=hall, start=start, end=start + H)
    assert e.value.code == "not_verified"
    with pytest.raises(NotAllowed) as e:
        bk.check_book(actor=f.user(), resource=hall, start=start, end=start + H)
    assert e.value.code == "not_a_resident"


def test_monthly_cap(city):
    _, _, resident, hall = city
    hall.monthly_cap = 2
    hall.save()
    base = sf.saturday(10)
    # keep all three bookings in one calendar month
    while timezone.localtime(base).day > 20:
        base += timedelta(days=7)
    bk.check_book(actor=resident, resource=hall, start=base, end=base + H)
    bk.check_book(actor=resident, resource=hall, start=base + 2 * H, end=base + 3 * H)
    with pytest.raises(Conflict) as e:
        bk.check_book(actor=resident, resource=hall, start=base + 4 * H, end=base + 5 * H)
    assert e.value.code == "monthly_cap" and e.value.details["used"] == 2


def test_owner_use_blocks_residents_and_cannot_overlap_a_booking(city):
    _, officer, resident, hall = city
    start = sf.saturday(14)
    bk.check_block(actor=officer, resource=hall, start=start, end=start + 2 * H)
    with pytest.raises(Conflict):
        bk.check_book(actor=resident, resource=hall, start=start + H, end=start + 2 * H)
    b = bk.check_book(actor=resident, resource=hall, start=start + 3 * H, end=start + 4 * H)
    with pytest.raises(Conflict):
        bk.check_block(actor=officer, resource=hall, start=b.start, end=b.end)
    with pytest.raises(NotAllowed):
        bk.check_block(actor=resident, resource=hall, start=start + 5 * H, end=start + 6 * H)


def test_hold_confirms_or_expires(city):
    _, _, resident, hall = city
    start = sf.saturday(14)
    b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H, hold=True)
    assert b.state == "held" and b.expires_at
    bk.check_confirm_hold(actor=resident, booking=b)
    assert Booking.objects.get(pk=b.pk).state == "requested"
    b2 = bk.check_book(
        actor=resident, resource=hall, start=start + 2 * H, end=start + 3 * H, hold=True
    )
    assert bk.expire_holds(now=timezone.now() + timedelta(minutes=16)) >= 1
    assert Booking.objects.get(pk=b2.pk).state == "expired"
    with pytest.raises(Conflict):
        bk.check_confirm_hold(actor=resident, booking=Booking.objects.get(pk=b2.pk))
    # the slot is free again
    assert bk.check_book(actor=f.resident(), resource=hall, start=start + 2 * H, end=start + 3 * H)


def test_check_out_and_in_with_deposit_and_overstay():
    owner = f.resident()
    bay = sf.parking(owner, deposit=5000)
    driver = f.resident()
    start = (timezone.now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    b = bk.check_book(
        actor=driver, resource=bay, start=start, end=start + 2 * H, vehicle_plate="12가 3456"
    )
    assert b.vehicle_plate == "12가3456"
    with pytest.raises(InvalidInput):
        bk.check_check_out(actor=driver, booking=b, now=start - 2 * H)
    bk.check_check_out(actor=driver, booking=b, now=start, condition="ok")
    assert b.deposit_state == "held"
    bk.check_check_in(actor=driver, booking=b, now=start + 2 * H + timedelta(minutes=25))
    b.refresh_from_db()
    assert (b.state, b.overstay_minutes, b.deposit_state) == ("completed", 25, "refunded")


def test_damage_keeps_deposit_opens_ticket_and_blocks_bookings():
    op_org = f.organisation()
    operator = f.operator(op_org)
    drill = sf.item(owner=op_org)
    member = f.resident()
    start = timezone.now() + H
    b = bk.check_book(actor=member, resource=drill, start=start, end=start + 24 * H)
    bk.check_check_out(actor=operator, booking=b, now=start, condition="좋음")
    bk.check_check_in(actor=operator, booking=b, now=start + 20 * H, damage="배터리 파손")
    b.refresh_from_db()
    drill.refresh_from_db()
    assert b.deposit_state == "kept" and drill.status == Resource.Status.MAINTENANCE
    ticket = MaintenanceTicket.objects.get(resource=drill)
    later = start + 48 * H
    with pytest.raises(Conflict) as e:
        bk.check_book(actor=member, resource=drill, start=later, end=later + 24 * H)
    assert e.value.code == "resource_unavailable"
    from sharingcity.sharing.services import lending

    with pytest.raises(NotAllowed):
        lending.check_update_ticket(actor=member, ticket=ticket, state="resolved")
    lending.check_update_ticket(actor=operator, ticket=ticket, state="resolved")
    drill.refresh_from_db()
    assert drill.status == "active"


def test_no_show_strikes_then_suspension(city):
    _, officer, resident, hall = city
    hall.requires_approval = False
    hall.windows.all().delete()
    hall.save()
    now = timezone.now()
    for i in range(3):
        start = now + timedelta(days=1 + i)
        b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
        released = bk.release_no_shows(now=start + timedelta(minutes=hall.checkin_grace + 1))
        assert released == 1
        assert Booking.objects.get(pk=b.pk).state == "no_show"
    assert NoShowStrike.objects.filter(user=resident).count() == 3
    assert Suspension.objects.filter(user=resident).exists()
    with pytest.raises(NotAllowed) as e:
        bk.check_book(
            actor=resident,
            resource=hall,
            start=now + timedelta(days=5),
            end=now + timedelta(days=5, hours=1),
            now=now + timedelta(days=4),
        )
    assert e.value.code == "suspended"


def test_checked_in_booking_is_not_a_no_show(city):
    _, _, resident, hall = city
    hall.requires_approval = False
    hall.windows.all().delete()
    hall.save()
    start = timezone.now() + H
    b = bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    bk.check_check_out(actor=resident, booking=b, now=start + timedelta(minutes=5))
    assert bk.release_no_shows(now=start + timedelta(minutes=30)) == 0


def test_pool_gives_distinct_units_then_reports_full():
    p = sf.pool(2)
    start = sf.saturday(11)
    a = bk.check_book_pool(actor=f.resident(), pool=p, start=start, end=start + 24 * H)
    b = bk.check_book_pool(actor=f.resident(), pool=p, start=start, end=start + 24 * H)
    assert a.resource_id != b.resource_id
    with pytest.raises(Conflict) as e:
        bk.check_book_pool(actor=f.resident(), pool=p, start=start, end=start + 24 * H)
    assert e.value.code == "pool_full"


def test_weekly_series_skips_and_reports_conflicts(city):
    _, officer, resident, hall = city
    start = sf.saturday(14)
    bk.check_block(
        actor=officer,
        resource=hall,
        start=start + timedelta(weeks=1),
        end=start + timedelta(weeks=1) + H,
    )
    series = bk.check_book_weekly(
        actor=resident, resource=hall, start=start, end=start + 2 * H, weeks=4
    )
    assert series.bookings.count() == 3
    assert len(series.skipped) == 1 and series.skipped[0]["code"] == "booking_conflict"
    with pytest.raises(InvalidInput):
        bk.check_book_weekly(actor=resident, resource=hall, start=start, end=start + H, weeks=0)


def test_lottery_is_reproducible_and_books_the_winner(city):
    _, officer, _, hall = city
    start = sf.saturday(14)
    draw = bk.check_open_lottery(
        actor=officer,
        resource=hall,
        start=start,
        end=start + 2 * H,
        closes_at=timezone.now() + timedelta(hours=1),
    )
    people = [f.resident() for _ in range(5)]
    with pytest.raises(Conflict):  # first come, first served is closed for the slot
        bk.check_book(actor=people[0], resource=hall, start=start, end=start + H)
    for p in people:
        bk.check_enter_lottery(actor=p, draw=draw)
    with pytest.raises(Conflict) as e:
        bk.check_enter_lottery(actor=people[0], draw=draw)
    assert e.value.code == "already_entered"
    assert bk.draw_due_lotteries(now=timezone.now()) == 0
    draw = bk.do_draw(draw, now=timezone.now() + timedelta(hours=2))
    expected = bk.lottery_order(draw.seed, [p.pk for p in people])
    assert draw.order == expected
    assert draw.winner_booking.booker_id == expected[0]
    assert bk.lottery_order(draw.seed, [p.pk for p in reversed(people)]) == expected


def test_plate_formats():
    assert normalise_plate("123가 4567") == "123가4567"
    assert normalise_plate("서울12가3456") == "서울12가3456"
    for bad in ("", "1234", "12X3456", "12가345", "서울123가4567", "12가34567"):
        with pytest.raises(InvalidInput) as e:
            normalise_plate(bad)
        assert e.value.code == "invalid_plate"


def test_parking_hours_and_plate_required():
    bay = sf.parking(f.resident())
    start = sf.saturday(10)
    with pytest.raises(InvalidInput) as e:
        bk.check_book(
            actor=f.resident(),
            resource=bay,
            start=start + timedelta(minutes=30),
            end=start + 2 * H,
            vehicle_plate="12가3456",
        )
    assert e.value.code == "whole_hours"
    with pytest.raises(InvalidInput) as e:
        bk.check_book(
            actor=f.resident(), resource=bay, start=start, end=start + 2 * H, vehicle_plate="abc"
        )
    assert e.value.code == "invalid_plate"
    assert Booking.objects.count() == 0


def test_parking_windows_when_the_bay_is_free():
    bay = sf.parking(f.resident())
    from sharingcity.sharing.services import resources

    resources.check_set_windows(
        actor=bay.owner_user, resource=bay, windows=[(5, time(9), time(18))]
    )
    start = sf.saturday(9)
    assert bk.check_book(
        actor=f.resident(), resource=bay, start=start, end=start + 9 * H, vehicle_plate="12가3456"
    )
    with pytest.raises(InvalidInput):
        bk.check_book(
            actor=f.resident(),
            resource=bay,
            start=start + 9 * H,
            end=start + 10 * H,
            vehicle_plate="12가3456",
        )
    with pytest.raises(InvalidInput):
        resources.check_set_windows(
            actor=bay.owner_user, resource=bay, windows=[(7, time(9), time(10))]
        )
    with pytest.raises(NotAllowed):
        resources.check_set_windows(actor=f.resident(), resource=bay, windows=[])


def test_an_auto_approved_booking_is_two_statements_on_postgresql(city):
    """Opening rules and suspensions in one query, then the INSERT, with no transaction of its
    own on PostgreSQL. SQLite adds its overlap check inside a transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, _, resident, hall = city
    hall.requires_approval = False
    hall.save()
    start = sf.saturday(10)
    DateException.objects.create(resource=hall, date=(start + 7 * 24 * H).date(), closed=True)
    resident.resident  # the profile is loaded once per user  # noqa: B018
    with CaptureQueriesContext(connection) as ctx:
        bk.check_book(actor=resident, resource=hall, start=start, end=start + H)
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]
    assert len(statements) == (2 if connection.vendor == "postgresql" else 3), statements
    # and the exception is still honoured
    with pytest.raises(InvalidInput) as e:
        later = start + 7 * 24 * H
        bk.check_book(actor=resident, resource=hall, start=later, end=later + H)
    assert e.value.code == "outside_opening_hours"
