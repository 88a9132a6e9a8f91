"""A resident finds a free room for Saturday afternoon, books it, the building's officer approves,
and the resident gets the notification and an entry in their calendar feed."""

import re
import urllib.request

import pytest

from sharingcity.sharing.models import Booking
from tests import factories as f
from tests.sharing import factories as sf

from .conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_saturday_room_booked_approved_notified_and_in_the_calendar(page, live_server):
    department = f.department()
    sf.open_daily(sf.room(department, title="Jongno community hall"))
    f.officer(department, username="hall-officer")
    f.resident("jiwoo")
    saturday = sf.saturday(14)

    log_in(page, "jiwoo", f.PASSWORD)
    page.goto("/en/sharing/")
    page.locator("#id_kind").select_option("room")
    page.locator("#id_date").fill(saturday.date().isoformat())
    page.locator("#id_time_from").fill("14:00")
    page.locator("#id_time_to").fill("17:00")
    page.locator("#search-button").click()
    page.wait_for_load_state()
    page.locator("#search-results .resource-link", has_text="Jongno community hall").click()
    page.wait_for_url(re.compile(r"/en/sharing/resources/\d+/"))
    page.locator("#id_purpose").fill("Neighbourhood book club")
    page.locator("#id_attendees").fill("8")
    page.locator("#book-button").click()
    page.wait_for_url(re.compile(r"/en/sharing/bookings/"))
    booking = Booking.objects.get(resource__title="Jongno community hall", booker__username="jiwoo")
    assert booking.state == "requested" and booking.start == saturday
    log_out(page)

    log_in(page, "hall-officer", f.PASSWORD)
    page.goto("/en/sharing/approvals/")
    page.locator(f"#approve-{booking.pk}").click()
    page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.state == "approved"
    log_out(page)

    log_in(page, "jiwoo", f.PASSWORD)
    page.goto("/en/notifications/")
    assert page.locator("main").get_by_text("Jongno community hall").first.is_visible()
    page.goto("/en/sharing/bookings/")
    row = page.locator(f'#my-bookings [data-booking-id="{booking.pk}"]')
    assert row.get_attribute("data-state") == "approved"
    feed = page.locator("#ics-feed-link").get_attribute("href")
    url = feed if feed.startswith("http") else live_server.url + feed
    with urllib.request.urlopen(url) as response:  # calendar apps fetch it without a session
        ics = response.read().decode()
    assert f"UID:booking-{booking.pk}@sharing.city" in ics and "STATUS:CONFIRMED" in ics
