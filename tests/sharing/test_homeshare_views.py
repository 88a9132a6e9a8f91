"""Home-share pages: hosts and students sign up, the coordinator asks for suggestions, reads
why and takes a match through every step; permissions; bad input writes nothing."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest

from sharingcity.core.models import Notification
from sharingcity.sharing.models import HomeShareHost, HomeShareMatch, HomeShareStudent
from sharingcity.sharing.services import homeshare
from tests import factories as f

pytestmark = pytest.mark.django_db
HOST = "/en/sharing/homeshare/host/"
STUDENT = "/en/sharing/homeshare/student/"
COORD = "/en/sharing/homeshare/coordination/"
SOON = (date.today() + timedelta(days=10)).isoformat()
LATER = (date.today() + timedelta(days=15)).isoformat()


def text(response) -> str:
    return html.unescape(response.content.decode())


def older_resident():
    u = f.resident()
    u.resident.birth_year = 1950
    u.resident.save()
    return u


def host_data(**kw):
    data = {
        "district": "jongno",
        "birth_year": 1950,
        "room": "방 1칸, 욕실 공유",
        "rent": 250000,
        "available_from": SOON,
        "early_riser": "on",
        "help_wanted": ["technology", "shopping"],
        "active": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def student_data(**kw):
    data = {
        "university": "서울대학교",
        "district_1": "jongno",
        "district_2": "mapo",
        "max_rent": 300000,
        "move_in": LATER,
        "early_riser": "on",
        "ok_with_pets": "on",
        "help_offered": ["technology"],
        "active": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def signed_up_pair():
    f.district()
    f.district("mapo", name_ko="마포구", name_en="Mapo-gu")
    host = homeshare.check_register_host(
        actor=older_resident(),
        district=f.district(),
        birth_year=1950,
        rent=250000,
        room="방",
        available_from=date.today() + timedelta(days=10),
        help_wanted=["technology"],
    )
    student = homeshare.check_register_student(
        actor=f.user(),
        university="서울대학교",
        districts=["jongno"],
        max_rent=300000,
        move_in=date.today() + timedelta(days=15),
        early_riser=True,
        help_offered=["technology"],
    )
    return host, student


def proposed_match():
    host, student = signed_up_pair()
    homeshare.check_propose(actor=f.officer())
    return HomeShareMatch.objects.get(host=host, student=student)


def test_sign_up_suggest_and_take_a_match_through_every_step(client):
    f.district("mapo", name_ko="마포구", name_en="Mapo-gu")
    host_user, student_user, coordinator = older_resident(), f.user(), f.officer()
    client.force_login(host_user)
    page = text(client.get(HOST))
    assert 'id="host-form"' in page and 'value="1950"' in page  # from the resident profile
    r = client.post(HOST, host_data())
    assert r.status_code == 302 and r.url == "/en/sharing/homeshare/"
    host = HomeShareHost.objects.get(user=host_user)
    assert host.help_wanted == ["technology", "shopping"] and host.early_riser

    client.force_login(student_user)
    r = client.post(STUDENT, student_data())
    assert r.status_code == 302
    student = HomeShareStudent.objects.get(user=student_user)
    assert student.districts == ["jongno", "mapo"] and not student.smoker

    client.force_login(coordinator)
    r = client.post(COORD, {"per_person": 3})
    assert r.status_code == 302
    match = HomeShareMatch.objects.get()
    assert (match.host, match.student, match.stage) == (host, student, "proposed")
    listing = text(client.get(COORD))
    assert f'data-match-id="{match.pk}"' in listing
    assert "the district is the student's choice no. 1 (+30)" in listing
    assert "help offered that the host wants: Phones and computers" in listing
    assert "part of the best overall pairing" in listing
    assert "서울대학교" in text(client.get(COORD + "students/"))
    assert "방 1칸, 욕실 공유" in text(client.get(COORD + "hosts/"))

    url = f"{COORD}matches/{match.pk}/"
    detail = text(client.get(url))
    assert 'id="advance-form"' in detail and "rent 250000 KRW within the budget" in detail
    for stage in ("interview", "home_visit", "agreement", "trial", "follow_up", "living"):
        r = client.post(url, {"stage": stage, "note": f"{stage} 완료"})
        assert r.status_code == 302, text(r)
        match.refresh_from_db()
        assert match.stage == stage
    assert match.trial_ends == date.today() + timedelta(days=homeshare.TRIAL_DAYS)
    assert len(match.notes) == 6 and match.coordinator == coordinator
    detail = text(client.get(url))
    assert "living 완료" in detail and "Living together" in detail
    assert Notification.objects.filter(recipient=host_user, kind="sharing.homeshare").count() == 6

    client.force_login(host_user)
    mine = text(client.get("/en/sharing/homeshare/"))
    assert "Living together" in mine and "Change what I offer as a host" in mine


def test_proposals_stay_with_the_coordinator(client):
    match = proposed_match()
    client.force_login(match.host.user)
    mine = text(client.get("/en/sharing/homeshare/"))
    assert "Proposed" not in mine and "No match yet" in mine


def test_changing_a_sign_up_updates_it(client):
    host, _student = signed_up_pair()
    client.force_login(host.user)
    assert 'value="방"' in text(client.get(HOST))
    r = client.post(HOST, host_data(rent=100000, active=None))
    assert r.status_code == 302
    host.refresh_from_db()
    assert (host.rent, host.active) == (100000, False)
    assert HomeShareHost.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [COORD, COORD + "hosts/", COORD + "students/", "match"],
)
def test_residents_and_operators_are_refused_coordinator_pages(client, url):
    match = proposed_match()
    url = f"{COORD}matches/{match.pk}/" if url == "match" else url
    for who in (f.resident(), f.operator(), match.host.user):
        client.force_login(who)
        r = client.get(url)
        assert r.status_code == 403 and "Not allowed" in text(r)
        r = client.post(url, {"per_person": 3, "stage": "interview", "note": "x"})
        assert r.status_code == 403
    match.refresh_from_db()
    assert match.stage == "proposed" and HomeShareMatch.objects.count() == 1


def test_sign_up_needs_a_login(client):
    for url in (HOST, STUDENT):
        assert client.get(url).status_code == 302
    assert client.get("/en/sharing/homeshare/").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"district": None}, "This field is required."),
        ({"district": "atlantis"}, "Select a valid choice."),
        ({"birth_year": "1990"}, "Hosts are 60 years old or older."),
        ({"birth_year": "1850"}, "Hosts are 60 years old or older."),
        ({"birth_year": "old"}, "Enter a whole number."),
        ({"room": ""}, "This field is required."),
        ({"room": "   "}, "This field is required."),
        ({"room": "x" * 301}, "at most 300 characters"),
        ({"rent": "-5"}, "The rent cannot be negative."),
        ({"rent": "cheap"}, "Enter a whole number."),
        ({"available_from": "soon"}, "Enter a valid date."),
        ({"help_wanted": ["gardening"]}, "Select a valid choice."),
    ],
)
def test_host_form_errors_write_nothing(client, change, message):
    client.force_login(older_resident())
    r = client.post(HOST, host_data(**change))
    assert r.status_code == 400 and message in text(r)
    assert not HomeShareHost.objects.exists()


def test_only_residents_host_and_nobody_is_both(client):
    f.district()
    client.force_login(f.user())
    r = client.post(HOST, host_data())
    assert r.status_code == 400 and "Only residents of the city may host." in text(r)
    resident_student = older_resident()
    homeshare.check_register_student(
        actor=resident_student,
        university="방송통신대학교",
        districts=["jongno"],
        max_rent=300000,
        move_in=date.today(),
    )
    client.force_login(resident_student)
    r = client.post(HOST, host_data())
    assert r.status_code == 400 and "signed up as a student already" in text(r)
    assert not HomeShareHost.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"university": ""}, "This field is required."),
        ({"university": "x" * 201}, "at most 200 characters"),
        ({"district_1": None}, "This field is required."),
        ({"district_2": "atlantis"}, "Select a valid choice."),
        ({"district_2": "jongno"}, "Choose up to 3 different districts."),
        ({"max_rent": "-1"}, "The rent cannot be negative."),
        ({"max_rent": "lots"}, "Enter a whole number."),
        ({"move_in": "2030-13-01"}, "Enter a valid date."),
        ({"help_offered": ["juggling"]}, "Select a valid choice."),
    ],
)
def test_student_form_errors_write_nothing(client, change, message):
    f.district()
    f.district("mapo", name_ko="마포구", name_en="Mapo-gu")
    client.force_login(f.user())
    r = client.post(STUDENT, student_data(**change))
    assert r.status_code == 400 and message in text(r)
    assert not HomeShareStudent.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "greater than or equal to 1"), ("11", "less than or equal to 10"), ("x", "whole")],
)
def test_propose_form_errors_write_nothing(client, value, message):
    signed_up_pair()
    client.force_login(f.officer())
    r = client.post(COORD, {"per_person": value})
    assert r.status_code == 400 and message in text(r)
    assert not HomeShareMatch.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"stage": "trial"}, "Select a valid choice."),
        ({"stage": "living"}, "Select a valid choice."),
        ({"stage": "declined", "note": "  "}, "Say why the match is declined."),
        ({"stage": "interview", "note": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_advance_form_errors_write_nothing(client, data, message):
    match = proposed_match()
    client.force_login(f.officer())
    r = client.post(f"{COORD}matches/{match.pk}/", data)
    assert r.status_code == 400 and message in text(r)
    match.refresh_from_db()
    assert (match.stage, match.notes) == ("proposed", [])
    assert not Notification.objects.filter(kind="sharing.homeshare").exists()


def test_a_host_in_another_match_is_not_interviewed_twice(client):
    match = proposed_match()
    other = homeshare.check_register_student(
        actor=f.user(),
        university="연세대학교",
        districts=["jongno"],
        max_rent=300000,
        move_in=date.today() + timedelta(days=12),
    )
    second = HomeShareMatch.objects.create(host=match.host, student=other, score=50)
    coordinator = f.officer()
    homeshare.check_advance(actor=coordinator, match=match, stage="interview")
    client.force_login(coordinator)
    r = client.post(f"{COORD}matches/{second.pk}/", {"stage": "interview"})
    assert r.status_code == 400 and "already in another match" in text(r)
    second.refresh_from_db()
    assert second.stage == "proposed"


def test_declining_closes_the_match(client):
    match = proposed_match()
    client.force_login(f.officer())
    url = f"{COORD}matches/{match.pk}/"
    r = client.post(url, {"stage": "declined", "note": "생활 리듬이 맞지 않음"})
    assert r.status_code == 302
    page = text(client.get(url))
    assert "This match is closed." in page and 'id="advance-form"' not in page


def test_explanations_in_korean(client):
    match = proposed_match()
    client.force_login(f.officer())
    page = text(client.get(f"/ko/sharing/homeshare/coordination/matches/{match.pk}/"))
    assert "학생의 1순위 자치구" in page and "choice no." not in page
    assert "휴대전화·컴퓨터" in page
