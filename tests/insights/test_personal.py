"""Download my data and account deletion."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from sharingcity.budgeting.models import PanelVolunteer
from sharingcity.core.models import ApiToken, AuditEntry, ResidentProfile, User
from sharingcity.core.registry import registry
from sharingcity.sharing.models import Booking
from sharingcity.voice.models import Proposal

pytestmark = pytest.mark.django_db


def test_every_app_registers_personal_data():
    assert {e.app for e in registry.items("personal_data")} >= {"voice", "sharing", "budgeting"}


def test_download_my_data_as_json_and_zip(city, client):
    me = city["j"][0]
    client.force_login(me)
    page = client.get("/en/insights/my-data/")
    assert page.status_code == 200 and b'id="download-zip"' in page.content
    data = json.loads(client.get("/en/insights/my-data/?download=json").content)
    assert data["core"]["account"]["username"] == "jres0"
    assert data["core"]["resident_profile"]["district"] == "jongno"
    assert [p["title"] for p in data["voice"]["proposals"]] == ["Proposal from jongno on 03-05"]
    assert len(data["voice"]["event_registrations"]) == 2
    assert {b["purpose"] for b in data["sharing"]["bookings"]} >= {"Choir"}
    assert data["budgeting"]["panel_volunteering"][0]["household"] == "H1"
    resp = client.get("/en/insights/my-data/?download=zip")
    assert resp["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(resp.content)).namelist()
    assert {"README.txt", "core.json", "voice.json", "sharing.json", "budgeting.json"} <= set(names)
    assert client.get("/en/insights/my-data/?download=pdf").status_code == 400


def test_my_data_needs_login(client):
    assert client.get("/en/insights/my-data/").status_code == 302


def test_api_my_data(city, api_client):
    api_client.login_token(city["m"][0])
    resp = api_client.get("/api/insights/me/data")
    assert resp.status_code == 200
    assert resp.json()["core"]["account"]["username"] == "mres0"
    api_client.token = None
    assert api_client.get("/api/insights/me/data").status_code == 401


def test_delete_account_keeps_public_records_anonymised(city, client):
    me = city["j"][0]
    p1 = city["proposals"][0]
    client.force_login(me)
    wrong = client.post("/en/insights/my-data/", {"confirm": "someone-else"})
    assert wrong.status_code == 400
    assert b"Type your username exactly" in wrong.content
    assert User.objects.get(pk=me.pk).is_active
    resp = client.post("/en/insights/my-data/", {"confirm": "jres0"})
    assert resp.status_code == 302
    me.refresh_from_db()
    assert not me.is_active and me.username == f"former-{me.pk}" and me.email == ""
    assert not me.has_usable_password()
    assert not ResidentProfile.objects.filter(user=me).exists()
    assert not ApiToken.objects.filter(user=me).exists()
    p1.refresh_from_db()
    assert p1.author is None and p1.author_label == "former resident"
    assert Proposal.objects.filter(pk=p1.pk).exists()  # the proposal stays public
    b = Booking.objects.filter(booker=me).order_by("start").first()
    assert b.purpose == "" and b.vehicle_plate == ""
    assert Booking.objects.filter(booker=me).count() == 3  # history kept for the counts
    assert PanelVolunteer.objects.filter(user=me).count() == 0
    assert PanelVolunteer.objects.filter(external_id="jres0", user=None, household="").count() == 1
    assert AuditEntry.objects.filter(
        action="insights.account_deleted", target_id=str(me.pk)
    ).exists()
    # Logged out; the old credentials no longer work.
    assert client.get("/en/insights/my-data/").status_code == 302
    assert not client.login(username="jres0", password="a-long-test-password")
    # What the platform still holds names no one.
    dump = json.dumps(
        __import__("sharingcity.insights.personal", fromlist=["x"]).collect(me), default=str
    )
    assert "jres0" not in dump and "Choir" not in dump


def test_api_delete_account(city, api_client):
    me = city["m"][1]
    api_client.login_token(me)
    resp = api_client.post("/api/insights/me/delete", {"confirm": "nope"})
    assert resp.status_code == 400 and resp.json()["code"] == "confirm_mismatch"
    assert User.objects.get(pk=me.pk).is_active
    resp = api_client.post("/api/insights/me/delete", {"confirm": "mres1"})
    assert resp.status_code == 200
    assert not User.objects.get(pk=me.pk).is_active
    # The resident's own parking bay is withdrawn, not left listed.
    city["bay"].refresh_from_db()
    assert city["bay"].status == "retired" and city["bay"].address == ""
