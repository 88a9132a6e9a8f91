"""A resident's parking bays: publish a bay with its weekly free hours, see the bookings by
vehicle plate and the overstays; permissions; bad input writes nothing."""

from __future__ import annotations

import html
from datetime import time, timedelta

import pytest
from django.utils import timezone

from sharingcity.sharing.models import Booking, Resource, WeeklyWindow
from sharingcity.sharing.services import booking as bk
from sharingcity.sharing.services import resources
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
NEW = "/en/sharing/parking/new/"
H = timedelta(hours=1)


def text(response) -> str:
    return html.unescape(response.content.decode())


def bay_data(**kw):
    data = {
        "title": "거주자우선주차 12",
        "district": "jongno",
        "address": "종로구 청운동 12 앞",
        "description": "",
        **{f"day{d}_opens": "18:00" for d in range(5)},
        **{f"day{d}_closes": "00:00" for d in range(5)},
        "day5_opens": "09:00",
        "day5_closes": "18:00",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def shared_bay(owner=None):
    owner = owner or f.resident()
    return resources.check_share_parking_bay(
        actor=owner,
        title="거주자우선주차 7",
        district=f.district(),
        windows=[(5, time(9), time(18))],
    )


def parked(bay, *, start, end, state, plate="12가3456", **kw):
    """A booking in the past or running now (the services only book ahead)."""
    return Booking.objects.create(
        resource=bay,
        booker=f.resident(),
        state=state,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        vehicle_plate=plate,
        **kw,
    )


def test_publish_a_bay_and_see_plates_and_overstays(client):
    owner = f.resident()
    client.force_login(owner)
    page = text(client.get(NEW))
    assert 'id="bay-form"' in page and '<option value="jongno" selected>' in page
    r = client.post(NEW, bay_data())
    assert r.status_code == 302 and r.url == "/en/sharing/parking/"
    bay = Resource.objects.get(kind="parking")
    assert bay.owner_user == owner and bay.address == "종로구 청운동 12 앞"
    assert (bay.latitude, bay.longitude) == (bay.district.latitude, bay.district.longitude)
    assert sorted((w.weekday, w.opens, w.closes) for w in bay.windows.all()) == [
        *[(d, time(18), time(0)) for d in range(5)],
        (5, time(9), time(18)),
    ]
    listing = text(client.get("/en/sharing/parking/"))
    assert f'data-bay-id="{bay.pk}"' in listing and "Saturday 09:00–18:00" in listing
    assert "Monday 18:00–24:00" in listing

    driver = f.resident()
    start = sf.saturday(9)
    coming = bk.check_book(
        actor=driver, resource=bay, start=start, end=start + 2 * H, vehicle_plate="34나5678"
    )
    now = timezone.now()
    late = parked(
        bay, start=now - 3 * H, end=now - 40 * timezone.timedelta(minutes=1), state="checked_out"
    )
    parked(
        bay,
        start=now - 30 * H,
        end=now - 28 * H,
        state="completed",
        plate="56다7890",
        checked_in_at=now - 28 * H + 25 * timezone.timedelta(minutes=1),
        overstay_minutes=25,
    )
    page = text(client.get(f"/en/sharing/parking/{bay.pk}/"))
    assert "34나5678" in page and f'data-booking-id="{coming.pk}"' in page
    assert f'data-booking-id="{late.pk}"' in page and "still parked 40 minutes past the end" in page
    assert "56다7890" in page and "25 minutes" in page


def test_change_the_free_hours(client):
    bay = shared_bay()
    client.force_login(bay.owner_user)
    page = text(client.get(f"/en/sharing/parking/{bay.pk}/"))
    assert 'name="day5_opens" value="09:00' in page
    r = client.post(
        f"/en/sharing/parking/{bay.pk}/", {"day6_opens": "10:00", "day6_closes": "20:00"}
    )
    assert r.status_code == 302
    assert [(w.weekday, w.opens, w.closes) for w in bay.windows.all()] == [(6, time(10), time(20))]
    r = client.post(f"/en/sharing/parking/{bay.pk}/", {})
    assert r.status_code == 302 and not bay.windows.exists()  # free at any time
    assert "Free at any time" in text(client.get("/en/sharing/parking/"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "   "}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"district": "atlantis"}, "Select a valid choice."),
        ({"district": None}, "This field is required."),
        ({"address": "x" * 301}, "at most 300 characters"),
        ({"description": "x" * 4001}, "at most 4000 characters"),
        ({"day5_closes": None}, "Give both times, or neither."),
        ({"day0_opens": None}, "Give both times, or neither."),
        ({"day5_closes": "08:00"}, "closes before it opens."),
        ({"day2_opens": "25:00"}, "Enter a valid time."),
    ],
)
def test_bay_form_errors_write_nothing(client, change, message):
    client.force_login(f.resident())
    r = client.post(NEW, bay_data(**change))
    assert r.status_code == 400 and message in text(r)
    assert not Resource.objects.exists() and not WeeklyWindow.objects.exists()


def test_a_window_error_stands_on_its_weekday(client):
    client.force_login(f.resident())
    r = client.post(NEW, bay_data(day5_closes="08:00"))
    page = text(r)
    at = page.index('name="day5_closes"')
    assert "closes before it opens." in page[at : at + 1500]


def test_only_residents_share_their_own_bay(client):
    f.district()
    client.force_login(f.user())
    r = client.post(NEW, bay_data())
    assert r.status_code == 400 and "Only residents share their own things." in text(r)
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day1_opens": "12:00", "day1_closes": "11:00"}, "closes before it opens."),
        ({"day1_opens": "12:00"}, "Give both times, or neither."),
        ({"day1_opens": "noon", "day1_closes": "13:00"}, "Enter a valid time."),
    ],
)
def test_hours_form_errors_write_nothing(client, data, message):
    bay = shared_bay()
    client.force_login(bay.owner_user)
    r = client.post(f"/en/sharing/parking/{bay.pk}/", data)
    assert r.status_code == 400 and message in text(r)
    assert [(w.weekday, w.opens) for w in bay.windows.all()] == [(5, time(9))]


def test_nobody_else_sees_or_changes_a_bay(client):
    bay = shared_bay()
    start = sf.saturday(10)
    bk.check_book(
        actor=f.resident(), resource=bay, start=start, end=start + H, vehicle_plate="12가3456"
    )
    for who in (f.resident(), f.operator(), f.officer()):
        client.force_login(who)
        assert client.get(f"/en/sharing/parking/{bay.pk}/").status_code == 404
        r = client.post(
            f"/en/sharing/parking/{bay.pk}/", {"day1_opens": "01:00", "day1_closes": "02:00"}
        )
        assert r.status_code == 404
        assert "12가3456" not in text(client.get("/en/sharing/parking/"))
    assert [w.weekday for w in bay.windows.all()] == [5]
    client.logout()
    assert client.get("/en/sharing/parking/").status_code == 302


def test_korean_parking_pages(client):
    bay = shared_bay()
    client.force_login(bay.owner_user)
    page = text(client.get(f"/ko/sharing/parking/{bay.pk}/"))
    assert "비어 있는 시간" in page and "Free hours" not in page
    assert "토요일 09:00–18:00" in page
