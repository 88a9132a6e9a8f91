"""The lending desk: hand over and take back with condition notes, deposits, damage, repair
tickets and the waiting queue, through the real services; permissions; bad input."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from sharingcity.core.models import Notification
from sharingcity.sharing.models import Booking, DamageReport, ItemHold, MaintenanceTicket
from sharingcity.sharing.services import booking as bk
from sharingcity.sharing.services import lending
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
DESK = "/en/sharing/desk/"
H = timedelta(hours=1)


def text(response) -> str:
    return html.unescape(response.content.decode())


def action(booking, name: str) -> str:
    return f"/en/sharing/bookings/{booking.pk}/{name}/"


def booked_drill(org=None, **kw):
    """A drill of an organisation booked from a few minutes from now (pick-up is due)."""
    org = org or f.organisation()
    operator = f.operator(org)
    drill = sf.item(owner=org, **kw)
    member = f.resident()
    start = timezone.now() + timedelta(minutes=5)
    b = bk.check_book(actor=member, resource=drill, start=start, end=start + 24 * H)
    return operator, member, drill, b


def test_hand_over_take_back_with_damage_repair_and_queue(client):
    operator, member, drill, b = booked_drill()
    client.force_login(operator)
    desk = text(client.get(DESK))
    assert f'id="check-out-{b.pk}"' in desk and "10000 KRW to take at pick-up" in desk
    r = client.post(action(b, "check-out"), {"condition": "케이스에 긁힘", "next": "desk"})
    assert r.status_code == 302 and r.url == DESK
    b.refresh_from_db()
    assert (b.state, b.deposit_state, b.condition_out) == ("checked_out", "held", "케이스에 긁힘")

    waiting = f.resident()
    lending.check_join_queue(actor=waiting, resource=drill)
    desk = text(client.get(DESK))
    assert f'id="check-in-{b.pk}"' in desk and "Deposit held" in desk
    assert waiting.public_name in desk

    r = client.post(
        action(b, "check-in"),
        {"condition": "배터리 단자 파손", "damage": "배터리 단자가 부러짐", "next": "desk"},
    )
    assert r.status_code == 302
    b.refresh_from_db()
    drill.refresh_from_db()
    assert (b.state, b.deposit_state, b.condition_in) == ("completed", "kept", "배터리 단자 파손")
    assert drill.status == "maintenance"
    ticket = MaintenanceTicket.objects.get(resource=drill)
    assert DamageReport.objects.get(booking=b).description == "배터리 단자가 부러짐"
    desk = text(client.get(DESK))
    assert "Deposit kept for damage" in desk and "배터리 단자가 부러짐" in desk
    assert f'id="resolved-{ticket.pk}"' in desk

    r = client.post(f"/en/sharing/desk/tickets/{ticket.pk}/", {"state": "repairing"})
    assert r.status_code == 302
    r = client.post(f"/en/sharing/desk/tickets/{ticket.pk}/", {"state": "resolved"})
    ticket.refresh_from_db()
    drill.refresh_from_db()
    assert (ticket.state, drill.status) == ("resolved", "active")
    hold = ItemHold.objects.get(user=waiting)
    assert hold.state == "ready"
    assert Notification.objects.filter(recipient=waiting, kind="sharing.queue.ready").exists()
    assert "ready for pick-up until" in text(client.get(DESK))


def test_return_without_damage_refunds_the_deposit(client):
    operator, _member, _drill, b = booked_drill()
    bk.check_check_out(actor=operator, booking=b)
    client.force_login(operator)
    client.post(action(b, "check-in"), {"condition": "이상 없음", "next": "desk"})
    b.refresh_from_db()
    assert (b.state, b.deposit_state) == ("completed", "refunded")
    assert not DamageReport.objects.exists()
    assert "Deposit refunded" in text(client.get(DESK))


def test_open_a_ticket_takes_the_unit_out(client):
    operator, _member, drill, _b = booked_drill()
    client.force_login(operator)
    r = client.post(DESK, {"resource": drill.pk, "description": "척 교체 필요"})
    assert r.status_code == 302
    drill.refresh_from_db()
    assert drill.status == "maintenance"
    assert MaintenanceTicket.objects.get().description == "척 교체 필요"
    ticket = MaintenanceTicket.objects.get()
    client.post(f"/en/sharing/desk/tickets/{ticket.pk}/", {"state": "retired"})
    drill.refresh_from_db()
    assert drill.status == "retired"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"resource": ""}, "This field is required."),
        ({"resource": "other"}, "Select a valid choice."),
        ({"description": ""}, "This field is required."),
        ({"description": "   "}, "This field is required."),
        ({"description": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_ticket_form_errors_write_nothing(client, change, message):
    operator, _member, drill, _b = booked_drill()
    _o, _m, other_drill, _ob = booked_drill(f.organisation("Other"))
    data = {"resource": drill.pk, "description": "고장", **change}
    if data["resource"] == "other":
        data["resource"] = other_drill.pk
    client.force_login(operator)
    r = client.post(DESK, data)
    assert r.status_code == 400 and message in text(r)
    assert not MaintenanceTicket.objects.exists()
    drill.refresh_from_db()
    assert drill.status == "active"


def test_ticket_state_errors_write_nothing(client):
    operator, _member, drill, _b = booked_drill()
    ticket = lending.check_open_ticket(actor=operator, resource=drill, description="고장")
    client.force_login(operator)
    for state in ("exploded", "open", ""):
        r = client.post(f"/en/sharing/desk/tickets/{ticket.pk}/", {"state": state}, follow=True)
        assert "A ticket that is Open cannot become" in text(r)
    ticket.refresh_from_db()
    assert ticket.state == "open"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("check-out", {"condition": "x" * 301}, "Condition: Ensure this value has at most 300"),
        ("check-in", {"damage": "x" * 4001}, "Damage found: Ensure this value has at most 4000"),
        ("check-in", {"condition": "x" * 301}, "Condition: Ensure this value has at most 300"),
    ],
)
def test_condition_notes_too_long_write_nothing(client, name, data, message):
    operator, _member, _drill, b = booked_drill()
    if name == "check-in":
        bk.check_check_out(actor=operator, booking=b)
    before = Booking.objects.get(pk=b.pk).state
    client.force_login(operator)
    r = client.post(action(b, name), {**data, "next": "desk"}, follow=True)
    assert message in text(r)
    b.refresh_from_db()
    assert b.state == before and not DamageReport.objects.exists()


def test_hand_over_too_early_is_refused(client):
    org = f.organisation()
    operator = f.operator(org)
    drill = sf.item(owner=org)
    start = timezone.now() + 30 * H
    b = bk.check_book(actor=f.resident(), resource=drill, start=start, end=start + 24 * H)
    client.force_login(operator)
    assert f'id="check-out-{b.pk}"' in text(client.get(DESK))
    r = client.post(action(b, "check-out"), {"condition": "", "next": "desk"}, follow=True)
    assert "Check in between" in text(r)
    b.refresh_from_db()
    assert b.state == "approved"


def test_desk_shows_only_what_the_person_lends(client):
    operator, _member, _drill, b = booked_drill()
    other_operator, _m, _d, other = booked_drill(f.organisation("Other"))
    client.force_login(operator)
    desk = text(client.get(DESK))
    assert f'data-booking-id="{b.pk}"' in desk and f'data-booking-id="{other.pk}"' not in desk
    other_ticket = lending.check_open_ticket(
        actor=other_operator, resource=other.resource, description="고장"
    )
    r = client.post(f"/en/sharing/desk/tickets/{other_ticket.pk}/", {"state": "resolved"})
    assert r.status_code == 404
    other_ticket.refresh_from_db()
    assert other_ticket.state == "open"
    r = client.post(action(other, "check-out"), {"next": "desk"})
    assert r.status_code == 404


def test_people_without_lent_things_are_refused(client):
    for who in (f.resident(), f.officer()):  # the officer's department lends no items
        client.force_login(who)
        r = client.get(DESK)
        assert r.status_code == 403 and "Not allowed" in text(r)
    client.logout()
    assert client.get(DESK).status_code == 302


def test_a_resident_lending_their_own_item_has_a_desk(client):
    owner = f.resident()
    sf.item(owner=None, owner_organisation=None, owner_user=owner, title="캠핑 의자")
    client.force_login(owner)
    assert client.get(DESK).status_code == 200


def test_leave_a_waiting_queue(client):
    _operator, member, drill, _b = booked_drill()
    waiting = f.resident()
    hold = lending.check_join_queue(actor=waiting, resource=drill)
    client.force_login(member)
    r = client.post(f"/en/sharing/queue/{hold.pk}/leave/")
    assert r.status_code == 404  # not their place
    client.force_login(waiting)
    mine = text(client.get("/en/sharing/bookings/"))
    assert f'id="leave-{hold.pk}"' in mine and "Waiting" in mine
    r = client.post(f"/en/sharing/queue/{hold.pk}/leave/")
    assert r.status_code == 302
    hold.refresh_from_db()
    assert hold.state == "cancelled"
    r = client.post(f"/en/sharing/queue/{hold.pk}/leave/", follow=True)
    assert "closed already" in text(r)


def test_korean_desk(client):
    operator, _member, drill, _b = booked_drill()
    lending.check_open_ticket(actor=operator, resource=drill, description="고장")
    client.force_login(operator)
    page = text(client.get("/ko/sharing/desk/"))
    assert "대여 창구" in page and "Lending desk" not in page
    assert '<td class="ticket-state">접수</td>' in page  # not voice's "Open" (voting)
