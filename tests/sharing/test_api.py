"""The /api/sharing endpoints: shapes, status codes, bad input, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sharingcity.core.models import Notification
from sharingcity.sharing.models import Booking, PartnerPlatform, Resource
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def hall():
    return sf.open_daily(sf.room(f.department()))


def _iso(dt):
    return dt.isoformat()


def test_booking_flow_over_the_api(api_client, hall):
    resident = f.resident()
    officer = f.officer(hall.owner_department)
    start = sf.saturday(14)
    api_client.login_token(resident)
    r = api_client.post(
        "/api/sharing/bookings",
        {
            "resource_id": hall.pk,
            "start": _iso(start),
            "end": _iso(start + 3 * H),
            "purpose": "독서 모임",
        },
    )
    assert r.status_code == 201, r.content
    booking = r.json()
    assert booking["state"] == "requested"
    # the loser of the slot gets 409 booking_conflict
    api_client.login_token(f.resident())
    r = api_client.post(
        "/api/sharing/bookings",
        {"resource_id": hall.pk, "start": _iso(start + H), "end": _iso(start + 2 * H)},
    )
    assert r.status_code == 409 and r.json()["code"] == "booking_conflict"
    # another resident cannot see or approve it
    assert api_client.get(f"/api/sharing/bookings/{booking['id']}").status_code == 404
    assert api_client.post(f"/api/sharing/bookings/{booking['id']}/approve").status_code == 404
    api_client.login_token(officer)
    queue = api_client.get("/api/sharing/approvals").json()
    assert [b["id"] for b in queue] == [booking["id"]]
    r = api_client.post(f"/api/sharing/bookings/{booking['id']}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert api_client.post(f"/api/sharing/bookings/{booking['id']}/approve").status_code == 409
    api_client.login_token(resident)
    mine = api_client.get("/api/sharing/bookings").json()
    assert [b["state"] for b in mine] == ["approved"]
    feeds = api_client.get("/api/sharing/feeds").json()
    assert feeds["user"].endswith(".ics")
    assert Notification.objects.filter(recipient=resident, kind="sharing.booking.approved").exists()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"start": "tomorrow"}, 422, "invalid_input"),
        ({"attendees": 0}, 422, "invalid_input"),
        ({"resource_id": None}, 400, "target_required"),
        ({"resource_id": 999999}, 404, "not_found"),
        ({"end_before_start": True}, 400, "invalid_range"),
        ({"attendees": 500}, 400, "too_many_people"),
        ({"purpose": "x" * 301}, 422, "invalid_input"),
    ],
)
def test_bad_booking_input_is_refused_and_nothing_written(api_client, hall, payload, status, code):
    api_client.login_token(f.resident())
    start = sf.saturday(14)
    body = {"resource_id": hall.pk, "start": _iso(start), "end": _iso(start + H)}
    if payload.pop("end_before_start", False):
        body["end"] = _iso(start - H)
    body.update(payload)
    r = api_client.post("/api/sharing/bookings", body)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert Booking.objects.count() == 0


def test_booking_needs_auth(api_client, hall):
    start = sf.saturday(14)
    r = api_client.post(
        "/api/sharing/bookings",
        {"resource_id": hall.pk, "start": _iso(start), "end": _iso(start + H)},
    )
    assert r.status_code == 401


def test_search_free_between_and_filters(api_client, hall):
    other = sf.open_daily(
        sf.room(
            f.department(),
            title="도서관 세미나실",
            accessible=True,
            latitude=37.60,
            longitude=127.0,
        )
    )
    item = sf.item()
    start = sf.saturday(14)
    Booking.objects.create(
        resource=hall,
        booker=f.resident(),
        state="approved",
        start=start,
        end=start + 2 * H,
        blocked_start=start,
        blocked_end=start + 2 * H,
    )
    params = {"kind": "room", "free_from": _iso(start + H), "free_to": _iso(start + 3 * H)}
    ids = [r["id"] for r in api_client.get("/api/sharing/resources", **params).json()["results"]]
    assert ids == [other.pk]
    params["free_from"] = _iso(start + 2 * H)  # back to back with the booking: free
    ids = [r["id"] for r in api_client.get("/api/sharing/resources", **params).json()["results"]]
    assert ids == [hall.pk, other.pk]
    assert [
        r["id"]
        for r in api_client.get("/api/sharing/resources", accessible="true").json()["results"]
    ] == [other.pk]
    assert [
        r["id"] for r in api_client.get("/api/sharing/resources", q="세미나").json()["results"]
    ] == [other.pk]
    assert [
        r["id"] for r in api_client.get("/api/sharing/resources", kind="item").json()["results"]
    ] == [item.pk]
    near = api_client.get("/api/sharing/resources", lat=37.60, lon=127.0, radius_km=1).json()
    assert [r["id"] for r in near["results"]] == [other.pk] and near["results"][0][
        "distance_km"
    ] < 0.1
    body = api_client.get("/api/sharing/resources", kind="room").json()
    assert body["by_district"] == {"jongno": 2}


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "spaceship"},
        {"lat": 100, "lon": 127},
        {"lat": 37.5},
        {"radius_km": -1, "lat": 37.5, "lon": 127},
        {"free_from": "2030-01-01T10:00:00+09:00"},
        {"free_from": "2030-01-01T10:00:00+09:00", "free_to": "2030-01-01T09:00:00+09:00"},
        {"limit": 0},
    ],
)
def test_search_bad_input(api_client, params):
    r = api_client.get("/api/sharing/resources", **params)
    assert r.status_code in (400, 422), r.content
    assert set(r.json()) == {"code", "message", "details"}


def test_owner_creates_only_for_own_department(api_client):
    f.district()
    dept = f.department()
    officer = f.officer(dept)
    api_client.login_token(officer)
    body = {
        "kind": "room",
        "title": "회의실",
        "district": "jongno",
        "latitude": 37.57,
        "longitude": 126.98,
        "department": "transport",
    }
    r = api_client.post("/api/sharing/resources", body)
    assert r.status_code == 201 and r.json()["owner_kind"] == "department"
    other = f.department("housing", name_ko="주택", name_en="Housing")
    r = api_client.post("/api/sharing/resources", {**body, "department": other.code})
    assert r.status_code == 403
    r = api_client.post("/api/sharing/resources", {**body, "district": "atlantis"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_district"
    r = api_client.post("/api/sharing/resources", {**body, "latitude": 10.0})
    assert r.status_code == 400 and r.json()["code"] == "invalid_point"
    r = api_client.post("/api/sharing/resources", {**body, "kind": "clothing", "size": ""})
    assert r.status_code == 403 or r.json()["code"] in ("size_required",)
    assert Resource.objects.count() == 1


def test_windows_and_blocks_permissions(api_client, hall):
    api_client.login_token(f.resident())
    assert (
        api_client.put(
            f"/api/sharing/resources/{hall.pk}/windows",
            [{"weekday": 1, "opens": "09:00", "closes": "18:00"}],
        ).status_code
        == 403
    )
    assert (
        api_client.put(
            f"/api/sharing/resources/{hall.pk}/windows",
            [{"weekday": 9, "opens": "09:00", "closes": "18:00"}],
        ).status_code
        == 422
    )
    start = sf.saturday(14)
    r = api_client.post(
        f"/api/sharing/resources/{hall.pk}/blocks", {"start": _iso(start), "end": _iso(start + H)}
    )
    assert r.status_code == 403
    api_client.login_token(f.officer(hall.owner_department))
    r = api_client.post(
        f"/api/sharing/resources/{hall.pk}/blocks",
        {"start": _iso(start), "end": _iso(start + H), "kind": "owner_use"},
    )
    assert r.status_code == 201 and r.json()["kind"] == "owner_use"
    assert hall.windows.count() == 7


def test_series_reports_skipped_dates(api_client, hall):
    officer = f.officer(hall.owner_department)
    start = sf.saturday(14)
    from sharingcity.sharing.services import booking as bk

    bk.check_block(
        actor=officer,
        resource=hall,
        start=start + timedelta(weeks=2),
        end=start + timedelta(weeks=2) + H,
    )
    api_client.login_token(f.resident())
    r = api_client.post(
        f"/api/sharing/resources/{hall.pk}/series",
        {"start": _iso(start), "end": _iso(start + 2 * H), "weeks": 3},
    )
    assert r.status_code == 201
    body = r.json()
    assert len(body["booked"]) == 2 and body["skipped"][0]["code"] == "booking_conflict"


def test_partner_import_reports_bad_rows(api_client):
    f.district()
    admin = f.bureau_admin()
    p = PartnerPlatform.objects.create(name="P", feed_format="csv")
    api_client.login_token(admin)
    data = (
        "external_id,title,kind,district,latitude,longitude\n"
        "a,드릴,item,jongno,37.57,126.98\n"
        "b,,item,jongno,37.57,126.98\n"
        "c,텐트,boat,jongno,37.57,126.98\n"
        "d,책,item,jongno,north,126.98\n"
    )
    r = api_client.post(f"/api/sharing/partners/{p.pk}/import", {"data": data})
    assert r.status_code == 201
    body = r.json()
    assert body["rows_imported"] == 1
    assert [e["line"] for e in body["errors"]] == [3, 4, 5]
    r = api_client.post(f"/api/sharing/partners/{p.pk}/import", {"data": "id,name\n1,x\n"})
    assert r.status_code == 400 and r.json()["code"] == "bad_feed"
    assert Resource.objects.filter(partner=p).count() == 1
    api_client.login_token(f.resident())
    assert (
        api_client.post(f"/api/sharing/partners/{p.pk}/import", {"data": data}).status_code == 403
    )


def test_reports_only_for_staff(api_client, hall):
    resident = f.resident()
    api_client.login_token(resident)
    r = api_client.post(
        "/api/sharing/reports", {"reason": "safety", "text": "문이 고장", "resource_id": hall.pk}
    )
    assert r.status_code == 201
    assert (
        api_client.post(
            "/api/sharing/reports", {"reason": "bored", "text": "x", "resource_id": hall.pk}
        ).status_code
        == 422
    )
    assert api_client.get("/api/sharing/reports").status_code == 403
    staff = f.officer(hall.owner_department)
    api_client.login_token(staff)
    reports = api_client.get("/api/sharing/reports").json()
    assert len(reports) == 1
    r = api_client.post(
        f"/api/sharing/reports/{reports[0]['id']}/resolve", {"resolution": "수리함"}
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved"


def test_lottery_endpoints_are_auditable(api_client, hall):
    officer = f.officer(hall.owner_department)
    start = sf.saturday(14)
    api_client.login_token(officer)
    r = api_client.post(
        f"/api/sharing/resources/{hall.pk}/lotteries",
        {"start": _iso(start), "end": _iso(start + 2 * H), "closes_at": _iso(timezone.now() + H)},
    )
    assert r.status_code == 201
    draw = r.json()
    api_client.login_token(f.resident())
    assert api_client.post(f"/api/sharing/lotteries/{draw['id']}/enter").status_code == 201
    assert api_client.post(f"/api/sharing/lotteries/{draw['id']}/enter").status_code == 409
    public = api_client.get(f"/api/sharing/lotteries/{draw['id']}").json()
    assert public["entrants"] == 1 and public["seed"] == draw["seed"]


def test_openapi_has_the_sharing_operations(api_client):
    schema = api_client.get("/api/openapi.json").json()
    assert "/api/sharing/bookings" in schema["paths"]
    assert "/api/sharing/resources" in schema["paths"]
