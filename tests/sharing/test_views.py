"""Pages: the resident's journey (search a free room, book, officer approves, notification,
ICS feed) and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sharingcity.core.models import Notification
from sharingcity.sharing.models import Booking
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def test_saturday_afternoon_journey(client):
    dept = f.department()
    hall = sf.open_daily(sf.room(dept, title="종로 주민센터 다목적실"))
    busy = sf.open_daily(sf.room(dept, title="바쁜 회의실"))
    officer = f.officer(dept)
    resident = f.resident()
    start = sf.saturday(14)
    Booking.objects.create(
        resource=busy,
        booker=f.resident(),
        state="approved",
        start=start,
        end=start + 3 * H,
        blocked_start=start,
        blocked_end=start + 3 * H,
    )
    page = client.get(
        "/en/sharing/",
        {
            "kind": "room",
            "date": start.date().isoformat(),
            "time_from": "14:00",
            "time_to": "17:00",
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="search-form"' in html and 'id="search-results"' in html and "<svg" in html
    assert hall.title in html and busy.title not in html
    client.force_login(resident)
    detail = client.get(
        f"/en/sharing/resources/{hall.pk}/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + 3 * H).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert 'id="booking-form"' in detail.content.decode()
    r = client.post(
        f"/en/sharing/resources/{hall.pk}/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + 3 * H).strftime("%Y-%m-%dT%H:%M"),
            "purpose": "Book club",
            "attendees": 8,
        },
    )
    assert r.status_code == 302
    booking = Booking.objects.get(resource=hall)
    assert booking.state == "requested"
    client.force_login(officer)
    queue = client.get("/en/sharing/approvals/").content.decode()
    assert f'id="approve-{booking.pk}"' in queue and ">Approve<" in queue
    r = client.post(f"/en/sharing/bookings/{booking.pk}/approve/", {"next": "approvals"})
    assert r.status_code == 302 and r.url.endswith("/sharing/approvals/")
    booking.refresh_from_db()
    assert booking.state == "approved"
    client.force_login(resident)
    assert Notification.objects.filter(recipient=resident, kind="sharing.booking.approved").exists()
    mine = client.get("/en/sharing/bookings/").content.decode()
    assert 'id="ics-feed-link"' in mine
    feed_url = mine.split('id="ics-feed-link" href="')[1].split('"')[0]
    client.logout()  # the secret address works without a session (calendar apps)
    ics = client.get(feed_url.replace("http://testserver", ""))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert f"UID:booking-{booking.pk}@sharing.city" in text and "STATUS:CONFIRMED" in text


def test_bad_search_and_booking_forms_show_errors(client):
    hall = sf.open_daily(sf.room(f.department()))
    r = client.get("/en/sharing/", {"date": "2030-01-05", "time_from": "14:00"})
    assert r.status_code == 400
    r = client.get("/en/sharing/", {"date": "2030-01-05", "time_from": "15:00", "time_to": "14:00"})
    assert r.status_code == 400
    client.force_login(f.resident())
    start = sf.saturday(14)
    r = client.post(
        f"/en/sharing/resources/{hall.pk}/", {"start": "yesterday", "end": "x", "attendees": 1}
    )
    assert r.status_code == 400
    r = client.post(
        f"/en/sharing/resources/{hall.pk}/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + 8 * H).strftime("%Y-%m-%dT%H:%M"),
            "attendees": 1,
        },
    )
    assert r.status_code == 400 and "longest booking" in r.content.decode()
    assert Booking.objects.count() == 0


def test_resident_sees_only_own_bookings(client):
    hall = sf.open_daily(sf.room(f.department()))
    a, b = f.resident(), f.resident()
    start = sf.saturday(14)
    from sharingcity.sharing.services import booking as bk

    mine = bk.check_book(actor=a, resource=hall, start=start, end=start + H)
    client.force_login(b)
    assert client.get(f"/en/sharing/bookings/{mine.pk}/").status_code == 404
    assert client.post(f"/en/sharing/bookings/{mine.pk}/cancel/").status_code == 404
    assert hall.title not in client.get("/en/sharing/bookings/").content.decode()
    assert client.get("/en/sharing/approvals/").content.decode().count("data-booking-id") == 0
    client.force_login(a)
    client.post(f"/en/sharing/bookings/{mine.pk}/cancel/")
    mine.refresh_from_db()
    assert mine.state == "cancelled"


def test_unknown_feed_token_is_404(client):
    assert client.get("/en/sharing/feeds/nope.ics").status_code == 404


def test_korean_pages_render(client):
    sf.open_daily(sf.room(f.department()))
    r = client.get("/ko/sharing/", {"kind": "room"})
    assert r.status_code == 200 and 'lang="ko"' in r.content.decode()
    assert client.get("/ko/sharing/enterprises/").status_code == 200
    assert client.get("/ko/sharing/partners/").status_code == 200
