import pytest

from sharingcity.core.models import ResidentProfile
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_lists(api_client):
    f.district()
    f.department()
    assert api_client.get("/api/core/districts").json()[0]["code"] == "jongno"
    assert api_client.get("/api/core/departments").json()[0]["code"] == "transport"


def test_me_needs_auth_with_the_error_shape(api_client):
    r = api_client.get("/api/core/me")
    assert r.status_code == 401
    assert set(r.json()) == {"code", "message", "details"} and r.json()["code"] == "unauthenticated"


def test_token_auth_and_bad_token(api_client):
    u = f.resident("token-user")
    api_client.login_token(u)
    me = api_client.get("/api/core/me").json()
    assert (
        me["username"] == "token-user"
        and "resident" in me["roles"]
        and me["verification"] == "verified"
    )
    api_client.token = "sc_wrong"
    assert api_client.get("/api/core/me").status_code == 401


def test_session_auth_needs_csrf_for_writes(client):
    u = f.user()
    client.force_login(u)
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(u)
    r = strict.put(
        "/api/core/me/preferences",
        '{"notification_frequency":"immediate","preferred_language":"en"}',
        content_type="application/json",
    )
    assert r.status_code in (401, 403)
    r = client.put(
        "/api/core/me/preferences",
        '{"notification_frequency":"immediate","preferred_language":"en"}',
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["preferred_language"] == "en"


def test_validation_errors_name_the_field(api_client):
    api_client.login_token(f.user())
    r = api_client.put(
        "/api/core/me/preferences", {"notification_frequency": "hourly", "preferred_language": "ko"}
    )
    assert r.status_code == 422
    body = r.json()
    assert (
        body["code"] == "invalid_input"
        and body["details"]["errors"][0]["field"] == "notification_frequency"
    )


def test_verify_resident_api_permissions_and_errors(api_client):
    target = f.resident("to-verify", verified=False)
    api_client.login_token(f.resident())
    r = api_client.post(
        f"/api/core/residents/{target.pk}/verify",
        {"method": "in_person", "document": "ID", "address_in_district": True},
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    api_client.login_token(f.officer())
    r = api_client.post(f"/api/core/residents/{target.pk}/verify", {"method": "in_person"})
    assert r.status_code == 400 and r.json()["code"] == "missing_document"
    target.resident.refresh_from_db()
    assert target.resident.verification == ResidentProfile.Verification.UNVERIFIED
    r = api_client.post(
        f"/api/core/residents/{target.pk}/verify",
        {"method": "in_person", "document": "ID", "address_in_district": True},
    )
    assert r.status_code == 200 and r.json()["verification"] == "verified"
    assert (
        api_client.post("/api/core/residents/999999/verify", {"method": "in_person"}).status_code
        == 404
    )


def test_openapi_schema_is_served(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "Sharing City API"
