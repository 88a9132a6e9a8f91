"""Ranking vote and event pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sharingcity.voice import services
from sharingcity.voice.models import Event, RankingBallot, Registration
from tests import factories as f

pytestmark = pytest.mark.django_db


def vote(admin, k=2):
    v = services.check_create_ranking(
        actor=admin,
        title="2026 issues",
        year=2026,
        max_approvals=k,
        candidates=[
            {"title": "Night buses"},
            {"title": "Shared housing"},
            {"title": "Cool shelters"},
        ],
    )
    services.check_advance_ranking(actor=admin, vote=v, step="open")
    return v


def test_ranking_vote_page_ballot_and_published_chart(client):
    admin = f.bureau_admin()
    v = vote(admin)
    night, housing, cool = v.candidates.order_by("pk")
    voter = f.resident()
    client.force_login(voter)
    assert (
        client.post(
            f"/en/voice/ranking/{v.pk}/", {"candidate": [night.pk, housing.pk, cool.pk]}
        ).status_code
        == 400
    )
    assert not RankingBallot.objects.exists()
    client.post(f"/en/voice/ranking/{v.pk}/", {"candidate": [housing.pk]})
    client.force_login(f.resident(verified=False))
    assert client.post(f"/en/voice/ranking/{v.pk}/", {"candidate": [night.pk]}).status_code == 403
    client.force_login(f.resident())
    client.post(f"/en/voice/ranking/{v.pk}/", {"candidate": [housing.pk, cool.pk]})
    client.force_login(voter)
    assert client.post(f"/en/voice/ranking/{v.pk}/", {"step": "close"}).status_code == 403
    client.force_login(admin)
    client.post(f"/en/voice/ranking/{v.pk}/", {"step": "close"})
    client.post(f"/en/voice/ranking/{v.pk}/", {"step": "publish"})
    page = client.get(f"/en/voice/ranking/{v.pk}/").content.decode()
    assert "<svg" in page and 'id="ranking-results"' in page
    table = page[page.index('id="ranking-results"') :]
    assert table.index("Shared housing") < table.index("Cool shelters") < table.index("Night buses")


def test_draft_votes_are_hidden_from_residents(client):
    v = services.check_create_ranking(
        actor=f.bureau_admin(),
        title="Draft",
        year=2026,
        max_approvals=1,
        candidates=[{"title": "A issue"}, {"title": "B issue"}],
    )
    client.force_login(f.resident())
    assert client.get(f"/en/voice/ranking/{v.pk}/").status_code == 403
    assert "Draft" not in client.get("/en/voice/ranking/").content.decode()


def test_event_sign_up_waitlist_promotion_and_attendance(client):
    officer = f.officer(f.department())
    f.district()
    ev = services.check_create_event(
        actor=officer,
        kind="mobile_city_hall",
        topic="Mobile city hall in Jongno",
        description="",
        department="transport",
        district="jongno",
        place="Jongno-gu office",
        starts_at=timezone.now() + timedelta(days=2),
        capacity=1,
    )
    a, b, c = f.resident(), f.resident(), f.resident()
    for u in (a, b, c):
        client.force_login(u)
        client.post(f"/en/voice/events/{ev.pk}/", {"action": "register"})
    states = dict(Registration.objects.values_list("user_id", "state"))
    assert states == {a.pk: "confirmed", b.pk: "waitlisted", c.pk: "waitlisted"}
    client.force_login(a)
    client.post(f"/en/voice/events/{ev.pk}/", {"action": "cancel"})
    states = dict(Registration.objects.values_list("user_id", "state"))
    assert states == {a.pk: "cancelled", b.pk: "confirmed", c.pk: "waitlisted"}
    client.post(
        f"/en/voice/events/{ev.pk}/", {"action": "register"}
    )  # back, at the end of the queue
    assert Registration.objects.get(user=a).state == "waitlisted"
    Event.objects.filter(pk=ev.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    assert (
        client.post(
            f"/en/voice/events/{ev.pk}/", {"action": "attendance", "attended": [b.pk]}
        ).status_code
        == 403
    )
    client.force_login(officer)
    assert (
        client.post(
            f"/en/voice/events/{ev.pk}/", {"action": "attendance", "attended": [c.pk]}
        ).status_code
        == 400
    )
    client.post(f"/en/voice/events/{ev.pk}/", {"action": "attendance", "attended": [b.pk]})
    assert Registration.objects.get(user=b).attended is True
    page = client.get(f"/en/voice/events/{ev.pk}/").content.decode()
    assert 'id="attendance"' in page


def test_event_form_bad_input(client):
    f.department()
    f.district()
    client.force_login(f.officer())
    good = {
        "kind": "workshop",
        "topic": "Listening workshop",
        "description": "",
        "department": "transport",
        "district": "jongno",
        "place": "Hall",
        "starts_at": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "30",
    }
    for change, field in [
        ({"kind": "party"}, "kind"),
        ({"capacity": "0"}, "capacity"),
        ({"starts_at": "2001-01-01T10:00"}, "starts_at"),
        ({"district": "x"}, "district"),
        ({"topic": ""}, "topic"),
    ]:
        r = client.post("/en/voice/events/new/", good | change)
        assert r.status_code == 400 and r.context["form"].errors.get(field), (
            change,
            r.context["form"].errors,
        )
    assert not Event.objects.exists()
    assert client.post("/en/voice/events/new/", good).status_code == 302


def test_routing_rules_and_ladder_pages(client):
    from sharingcity.voice.models import LadderRung, RoutingRule

    admin = f.bureau_admin()
    f.department()
    client.force_login(admin)
    assert (
        client.post(
            "/en/voice/staff/routing/", {"category": "transport", "department": "transport"}
        ).status_code
        == 302
    )
    assert RoutingRule.objects.get().department.code == "transport"
    assert (
        client.post(
            "/en/voice/staff/routing/", {"category": "nope", "department": "transport"}
        ).status_code
        == 400
    )
    data = {
        "rung-TOTAL_FORMS": "2",
        "rung-INITIAL_FORMS": "0",
        "rung-0-threshold": "30",
        "rung-0-window_days": "30",
        "rung-0-action": "department_answer",
        "rung-0-answer_days": "14",
        "rung-1-threshold": "20",
        "rung-1-action": "forum",
    }
    assert client.post("/en/voice/staff/ladder/", data).status_code == 400  # not increasing
    assert not LadderRung.objects.exists()
    data["rung-1-threshold"] = "300"
    assert client.post("/en/voice/staff/ladder/", data).status_code == 302
    assert list(LadderRung.objects.values_list("threshold", flat=True)) == [30, 300]


def test_home_and_nav_show_voice(client):
    page = client.get("/en/").content.decode()
    assert "/en/voice/" in page and "/en/voice/ranking/" in page
