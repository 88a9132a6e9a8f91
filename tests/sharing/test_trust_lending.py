"""Reviews, reports, disputes; the items' waiting queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.sharing.models import Booking, ItemHold, Review
from sharingcity.sharing.services import booking as bk
from sharingcity.sharing.services import lending, trust
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def _completed():
    org = f.organisation()
    operator = f.operator(org)
    drill = sf.item(owner=org, deposit=0)
    member = f.resident()
    start = timezone.now() + H
    b = bk.check_book(actor=member, resource=drill, start=start, end=start + 24 * H)
    bk.check_check_out(actor=operator, booking=b, now=start)
    bk.check_check_in(actor=member, booking=b, now=start + 23 * H)
    return operator, member, b


def test_reviews_are_double_blind():
    operator, member, b = _completed()
    mine = trust.check_review(actor=member, booking=b, rating=5, text="좋아요")
    assert mine.published_at is None
    with pytest.raises(Conflict):
        trust.check_review(actor=member, booking=b, rating=4)
    with pytest.raises(NotAllowed):
        trust.check_review(actor=f.resident(), booking=b, rating=4)
    with pytest.raises(InvalidInput):
        trust.check_review(actor=operator, booking=b, rating=9)
    trust.check_review(actor=operator, booking=b, rating=4)
    assert Review.objects.filter(booking=b, published_at__isnull=False).count() == 2


def test_lone_review_published_after_seven_days():
    _, member, b = _completed()
    trust.check_review(actor=member, booking=b, rating=3)
    assert trust.publish_blind_reviews(now=timezone.now() + timedelta(days=6)) == 0
    assert trust.publish_blind_reviews(now=timezone.now() + timedelta(days=8)) == 1


def test_no_review_before_completion():
    hall = sf.open_daily(sf.room(f.department()))
    r = f.resident()
    start = sf.saturday(14)
    b = bk.check_book(actor=r, resource=hall, start=start, end=start + H)
    with pytest.raises(Conflict) as e:
        trust.check_review(actor=r, booking=b, rating=5)
    assert e.value.code == "not_completed"


def test_dispute_and_staff_resolution():
    operator, member, b = _completed()
    report = trust.check_dispute(actor=member, booking=b, text="보증금 문제")
    assert Booking.objects.get(pk=b.pk).state == "disputed"
    with pytest.raises(NotAllowed):
        trust.check_resolve_report(actor=member, report=report, resolution="x")
    staff = f.officer()
    trust.check_resolve_report(actor=staff, report=report, resolution="환불함")
    assert Booking.objects.get(pk=b.pk).state == "completed"
    with pytest.raises(Conflict):
        trust.check_resolve_report(actor=staff, report=report, resolution="again")


def test_report_validation():
    hall = sf.room(f.department())
    u = f.resident()
    with pytest.raises(InvalidInput):
        trust.check_report(actor=u, reason="nope", text="x", resource=hall)
    with pytest.raises(InvalidInput):
        trust.check_report(actor=u, reason="safety", text="  ", resource=hall)
    with pytest.raises(InvalidInput):
        trust.check_report(actor=u, reason="safety", text="x")


def test_queue_advances_when_the_item_comes_back():
    org = f.organisation()
    operator = f.operator(org)
    drill = sf.item(owner=org, deposit=0)
    first, second, third = f.resident(), f.resident(), f.resident()
    start = timezone.now() + H
    b = bk.check_book(actor=first, resource=drill, start=start, end=start + 48 * H)
    h2 = lending.check_join_queue(actor=second, resource=drill)
    h3 = lending.check_join_queue(actor=third, resource=drill)
    assert (h2.state, lending.queue_position(h2), lending.queue_position(h3)) == ("waiting", 1, 2)
    with pytest.raises(Conflict):
        lending.check_join_queue(actor=second, resource=drill)
    bk.check_check_out(actor=operator, booking=b, now=start)
    bk.check_check_in(actor=operator, booking=b, now=start + 24 * H)
    h2.refresh_from_db()
    assert h2.state == "ready"
    later = start + 30 * H
    with pytest.raises(Conflict) as e:  # kept for the person at the head of the queue
        bk.check_book(actor=third, resource=drill, start=later, end=later + 24 * H)
    assert e.value.code == "reserved_for_queue"
    bk.check_book(actor=second, resource=drill, start=later, end=later + 24 * H)
    h2.refresh_from_db()
    assert h2.state == ItemHold.State.FULFILLED


def test_ready_hold_expires_to_the_next_person():
    drill = sf.item(deposit=0)
    a, b = f.resident(), f.resident()
    ha = lending.check_join_queue(actor=a, resource=drill)  # nothing out: ready at once
    hb = lending.check_join_queue(actor=b, resource=drill)
    ha.refresh_from_db()
    assert ha.state == "ready"
    assert lending.expire_ready_holds(now=timezone.now() + timedelta(days=3)) == 1
    hb.refresh_from_db()
    assert hb.state == "ready"
