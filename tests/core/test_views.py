import pytest

from sharingcity.core.models import CensusRecord, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_home_in_both_languages(client):
    assert client.get("/").status_code == 302
    ko = client.get("/ko/")
    en = client.get("/en/")
    assert ko.status_code == en.status_code == 200
    assert 'lang="ko"' in ko.text and 'lang="en"' in en.text
    assert "Skip to content" in en.text


def test_signup_with_errors_then_success(client):
    f.district()
    r = client.post(
        "/en/signup/", {"username": "", "email": "bad", "password": "x", "district": "nowhere"}
    )
    assert r.status_code == 400 and not User.objects.exists()
    r = client.post(
        "/en/signup/",
        {
            "username": "minji",
            "email": "m@example.org",
            "password": "a-long-password-1",
            "district": "jongno",
        },
    )
    assert (
        r.status_code == 302
        and User.objects.get(username="minji").resident.district.code == "jongno"
    )


def test_staff_pages_refuse_residents(client):
    client.force_login(f.resident())
    assert client.get("/en/staff/verification/").status_code == 403
    assert client.get("/en/staff/audit/").status_code == 403


def test_staff_verify_page_and_census_upload(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = f.bureau_admin()
    client.force_login(admin)
    r = client.post(
        "/en/staff/verification/",
        {
            "form": "census",
            "file": SimpleUploadedFile("c.csv", b"full_name,birth_year,district\nX,19x0,jongno\n"),
        },
    )
    assert r.status_code == 400 and b"line 2" in r.content and CensusRecord.objects.count() == 0
    f.district()
    r = client.post(
        "/en/staff/verification/",
        {
            "form": "census",
            "file": SimpleUploadedFile(
                "c.csv", "full_name,birth_year,district\n김 하은,1990,jongno\n".encode()
            ),
        },
    )
    assert r.status_code == 302 and CensusRecord.objects.count() == 1
    target = f.resident(verified=False)
    r = client.post(
        f"/en/staff/verification/{target.pk}/", {"method": "census", "full_name": "김 하은"}
    )
    assert r.status_code == 302
    target.resident.refresh_from_db()
    assert target.resident.is_verified
    assert client.get("/en/staff/audit/").status_code == 200


def test_account_page_preferences_and_tokens(client):
    u = f.resident()
    client.force_login(u)
    assert client.get("/en/account/").status_code == 200
    r = client.post(
        "/en/account/",
        {
            "form": "prefs",
            "notification_frequency": "immediate",
            "preferred_language": "en",
            "display_name": "Jo",
        },
    )
    assert r.status_code == 302
    r = client.post("/en/account/", {"form": "token", "name": "script"})
    assert b"sc_" in r.content
