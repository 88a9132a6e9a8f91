import pytest

from sharingcity.voice import services
from sharingcity.voice.models import (
    Comment,
    Event,
    Obligation,
    Proposal,
    RankingBallot,
    RankingVote,
    Reply,
    Support,
)
from tests import factories as f
from tests.voice import factories as vf

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "심야버스 노선을 늘려 주세요",
    "body": "새벽에 귀가하는 시민이 많습니다. 노선을 늘려 주세요.",
    "category": "transport",
    "district": "jongno",
}


def assert_error(r, status, code=None):
    body = r.json()
    assert r.status_code == status, body
    assert set(body) == {"code", "message", "details"}, body
    if code:
        assert body["code"] == code, body
    return body


def test_api_lifecycle_with_tokens(api_client, settings):
    settings.SHARINGCITY_VOICE_LADDER = [
        {"threshold": 2, "window_days": 30, "action": "department_answer", "answer_days": 7}
    ]
    vf.rule()
    author = f.resident()
    officer = f.officer(f.department())
    r = api_client.login_token(author).post("/api/voice/proposals", GOOD)
    assert r.status_code == 201, r.json()
    pid = r.json()["id"]
    assert r.json()["status"] == "routed" and r.json()["department"] == "transport"
    r = api_client.login_token(officer).post(
        "/api/voice/proposals/offline",
        GOOD | {"channel": "voice_message", "contact_name": "박영수", "contact": "010-2222-3333"},
    )
    assert (
        r.status_code == 201
        and r.json()["channel"] == "voice_message"
        and r.json()["author"] == "박영수"
    )
    for _ in range(2):
        r = api_client.login_token(f.resident()).post(f"/api/voice/proposals/{pid}/support")
        assert r.status_code == 200
    assert r.json()["support_count"] == 2
    assert Obligation.objects.filter(proposal_id=pid, reason="rung_answer").exists()
    r = api_client.login_token(officer).get("/api/voice/inbox", department="transport")
    assert (
        r.status_code == 200 and len(r.json()["items"]) == 3
    )  # two personal replies, one rung answer
    assert [i["due_at"] for i in r.json()["items"]] == sorted(
        i["due_at"] for i in r.json()["items"]
    )
    r = api_client.post(
        f"/api/voice/proposals/{pid}/replies",
        {"outcome": "reflected", "body": "We will extend the N26 night bus."},
    )
    assert r.status_code == 201 and r.json()["published_at"]
    r = api_client.get(f"/api/voice/proposals/{pid}")
    assert r.json()["status"] == "answered" and r.json()["replies"][0]["outcome"] == "reflected"
    assert {"received", "routed", "rung", "deadline", "reply"} <= {
        t["kind"] for t in r.json()["timeline"]
    }
    r = api_client.get("/api/voice/proposals", status="answered")
    assert [i["id"] for i in r.json()["items"]] == [pid]


def test_support_api_errors(api_client):
    p = vf.proposal()
    assert_error(api_client.post(f"/api/voice/proposals/{p.pk}/support"), 401, "unauthenticated")
    assert_error(
        api_client.login_token(f.resident(verified=False)).post(
            f"/api/voice/proposals/{p.pk}/support"
        ),
        403,
        "not_verified",
    )
    api_client.login_token(f.resident())
    assert api_client.post(f"/api/voice/proposals/{p.pk}/support").status_code == 200
    assert_error(api_client.post(f"/api/voice/proposals/{p.pk}/support"), 409, "already_supported")
    assert_error(api_client.post("/api/voice/proposals/999999/support"), 404)
    assert api_client.delete(f"/api/voice/proposals/{p.pk}/support").json()["support_count"] == 0
    assert_error(api_client.delete(f"/api/voice/proposals/{p.pk}/support"), 409, "not_supported")
    assert Support.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"title": "abc"}, 400, "too_short_title"),
        ({"title": "x" * 201}, 422, "invalid_input"),
        ({"title": None}, 422, "invalid_input"),
        ({"body": "short"}, 400, "too_short_body"),
        ({"body": 5}, 422, "invalid_input"),
        ({"category": "nope"}, 400, "unknown_category"),
        ({"district": "atlantis"}, 400, "unknown_district"),
    ],
)
def test_proposal_api_bad_input(api_client, change, status, code):
    vf.rule()
    body = assert_error(
        api_client.login_token(f.resident()).post("/api/voice/proposals", GOOD | change),
        status,
        code,
    )
    field = next(iter(change))
    assert body["details"].get("field") == field or field in str(body["details"])
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"channel": "online"}, 422, "invalid_input"),
        ({"channel": "fax"}, 422, "invalid_input"),
        ({"contact_name": ""}, 400, "missing_contact_name"),
        ({"contact": "x"}, 400, "too_short_contact"),
        ({"received_at": "2999-01-01T00:00:00Z"}, 400, "received_in_future"),
        ({"received_at": "not a date"}, 422, "invalid_input"),
    ],
)
def test_offline_api_bad_input(api_client, change, status, code):
    vf.rule()
    data = (
        GOOD | {"channel": "phone", "contact_name": "박영수", "contact": "010-2222-3333"} | change
    )
    assert_error(
        api_client.login_token(f.officer()).post("/api/voice/proposals/offline", data), status, code
    )
    assert not Proposal.objects.exists()


def test_offline_api_refuses_residents(api_client):
    vf.rule()
    data = GOOD | {"channel": "phone", "contact_name": "박영수", "contact": "010-2222-3333"}
    assert_error(
        api_client.login_token(f.resident()).post("/api/voice/proposals/offline", data), 403
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"kind": "memo"}, 422, "invalid_input"),
        ({"outcome": "maybe"}, 422, "invalid_input"),
        ({"outcome": ""}, 400, "invalid_outcome"),
        ({"outcome": "not_reflected"}, 400, "reason_required"),
        ({"body": "short"}, 400, "too_short_body"),
        ({"kind": "interim"}, 400, "outcome_on_interim"),
        ({"publish": "perhaps"}, 422, "invalid_input"),
    ],
)
def test_reply_api_bad_input(api_client, change, status, code):
    p = vf.proposal()
    data = {
        "kind": "final",
        "outcome": "reflected",
        "body": "We will extend the night bus.",
        "reason": "",
    } | change
    assert_error(
        api_client.login_token(f.officer(p.lead_department)).post(
            f"/api/voice/proposals/{p.pk}/replies", data
        ),
        status,
        code,
    )
    assert not Reply.objects.exists()


def test_reply_api_permissions(api_client):
    p = vf.proposal()
    data = {"outcome": "reflected", "body": "We will extend the night bus."}
    assert_error(
        api_client.login_token(p.author).post(f"/api/voice/proposals/{p.pk}/replies", data),
        403,
        "not_answering_department",
    )
    assert_error(
        api_client.login_token(f.officer(f.department("housing"))).post(
            f"/api/voice/proposals/{p.pk}/replies", data
        ),
        403,
        "not_answering_department",
    )
    draft = services.check_draft_reply(
        actor=f.officer(p.lead_department),
        proposal=p,
        outcome="reflected",
        body="We will extend the night bus.",
    )
    assert_error(api_client.post(f"/api/voice/replies/{draft.pk}/publish"), 403)
    assert not Reply.objects.filter(published_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("path", "data", "status", "code"),
    [
        ("transfer", {"department": "nope", "reason": "because"}, 400, "unknown_department"),
        ("transfer", {"department": "housing", "reason": ""}, 400, "missing_reason"),
        ("transfer", {"department": "housing"}, 422, "invalid_input"),
        ("departments", {"department": "nope"}, 400, "unknown_department"),
        ("partner", {"organisation_id": 99999, "note": "run it"}, 400, "unknown_organisation"),
        ("partner", {"organisation_id": "x", "note": "run it"}, 422, "invalid_input"),
        ("assign", {"officer_id": 99999}, 400, "unknown_officer"),
        ("notes", {"body": ""}, 400, "missing_body"),
        ("progress", {"percent": 101, "body": "done"}, 422, "invalid_input"),
        ("progress", {"percent": 10, "body": "started"}, 409, "not_answered"),
        ("follow-up", {"resolved": "maybe"}, 422, "invalid_input"),
        ("comments", {"body": ""}, 400, "missing_body"),
        ("route", {"department": "housing"}, 403, None),
    ],
)
def test_routing_and_after_reply_api_bad_input(api_client, path, data, status, code):
    p = vf.proposal()
    f.department("housing")
    f.organisation()
    before = (p.timeline.count(), p.notes.count(), Comment.objects.count())
    assert_error(
        api_client.login_token(f.officer(p.lead_department)).post(
            f"/api/voice/proposals/{p.pk}/{path}", data
        ),
        status,
        code,
    )
    p.refresh_from_db()
    assert (
        p.lead_department.code == "transport" and p.partner is None and p.assigned_officer is None
    )
    assert (p.timeline.count(), p.notes.count(), Comment.objects.count()) == before


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "lost"}, "invalid_status"),
        ({"district": "atlantis"}, "unknown_district"),
        ({"department": "nope"}, "unknown_department"),
        ({"category": "nope"}, "unknown_category"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"cursor": "!!!"}, "invalid_cursor"),
        ({"limit": 1000}, "invalid_input"),
        ({"sort": "random"}, "invalid_input"),
    ],
)
def test_list_api_bad_filters(api_client, params, code):
    body = api_client.get("/api/voice/proposals", **params).json()
    assert body["code"] == code


def test_list_api_keyset_pages(api_client):
    ids = [vf.proposal().pk for _ in range(5)]
    seen, cursor = [], None
    while True:
        r = api_client.get(
            "/api/voice/proposals", limit=2, **({"cursor": cursor} if cursor else {})
        ).json()
        seen += [i["id"] for i in r["items"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    by_support = api_client.get("/api/voice/proposals", sort="supports", limit=2).json()
    assert len(by_support["items"]) == 2 and by_support["next_cursor"]


def test_inbox_and_overdue_api_permissions(api_client):
    vf.proposal()
    assert_error(
        api_client.login_token(f.resident()).get("/api/voice/inbox", department="transport"), 403
    )
    assert_error(api_client.login_token(f.resident()).get("/api/voice/overdue"), 403)
    assert_error(
        api_client.login_token(f.officer(f.department("housing"))).get(
            "/api/voice/inbox", department="transport"
        ),
        403,
    )
    assert (
        api_client.login_token(f.overseer())
        .get("/api/voice/inbox", department="transport")
        .status_code
        == 200
    )
    assert api_client.get("/api/voice/overdue").status_code == 200
    assert_error(api_client.get("/api/voice/inbox", department="nope"), 400, "unknown_department")


def test_ladder_api(api_client):
    assert [r["threshold"] for r in api_client.get("/api/voice/ladder").json()] == [50, 100, 1000]
    assert_error(
        api_client.login_token(f.officer()).put(
            "/api/voice/ladder", [{"threshold": 5, "action": "forum"}]
        ),
        403,
    )
    api_client.login_token(f.bureau_admin())
    assert_error(
        api_client.put("/api/voice/ladder", [{"threshold": 5, "action": "department_answer"}]),
        400,
        "answer_days_required",
    )
    assert_error(
        api_client.put("/api/voice/ladder", [{"threshold": 5, "action": "shout"}]),
        422,
        "invalid_input",
    )
    r = api_client.put(
        "/api/voice/ladder",
        [{"threshold": 30, "window_days": 30, "action": "department_answer", "answer_days": 14}],
    )
    assert r.status_code == 200 and r.json()[0]["threshold"] == 30


def test_ranking_api(api_client):
    admin = f.bureau_admin()
    api_client.login_token(admin)
    bad = [
        ({"candidates": [{"title": "only one"}]}, "too_few_candidates"),
        ({"max_approvals": 0}, "invalid_max_approvals"),
        ({"max_approvals": 4}, "invalid_max_approvals"),
        ({"year": 1990}, "invalid_year"),
        ({"candidates": [{"title": "same"}, {"title": "same"}]}, "duplicate_candidates"),
        ({"candidates": [{"title": "a"}, {"title": "bb"}]}, "invalid_candidate"),
    ]
    good = {
        "title": "2026 top issues",
        "year": 2026,
        "max_approvals": 2,
        "candidates": [
            {"title": "Night buses"},
            {"title": "Shared housing"},
            {"title": "Cool shelters"},
        ],
    }
    for change, code in bad:
        assert_error(api_client.post("/api/voice/rankings", good | change), 400, code)
    assert not RankingVote.objects.exists()
    vote = api_client.post("/api/voice/rankings", good).json()
    cands = [c["id"] for c in vote["candidates"]]
    voter = f.resident()
    api_client.login_token(voter)
    assert_error(
        api_client.put(f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": cands[:1]}),
        409,
        "vote_not_open",
    )
    api_client.login_token(admin).post(f"/api/voice/rankings/{vote['id']}/step", {"step": "open"})
    api_client.login_token(voter)
    assert_error(
        api_client.put(f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": cands}),
        400,
        "too_many_choices",
    )
    assert_error(
        api_client.put(
            f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": [cands[0], cands[0]]}
        ),
        400,
        "duplicate_choice",
    )
    assert_error(
        api_client.put(f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": [999999]}),
        400,
        "unknown_candidate",
    )
    assert_error(
        api_client.put(f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": []}),
        400,
        "no_choice",
    )
    assert_error(
        api_client.login_token(f.resident(verified=False)).put(
            f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": cands[:1]}
        ),
        403,
        "not_verified",
    )
    assert not RankingBallot.objects.exists()
    api_client.login_token(voter).put(
        f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": cands[:2]}
    )
    api_client.put(
        f"/api/voice/rankings/{vote['id']}/ballot", {"candidate_ids": [cands[2]]}
    )  # changes the ballot
    for v in range(2):
        api_client.login_token(f.resident()).put(
            f"/api/voice/rankings/{vote['id']}/ballot",
            {"candidate_ids": [cands[1], cands[2]] if v else [cands[1]]},
        )
    api_client.login_token(admin)
    assert_error(
        api_client.post(f"/api/voice/rankings/{vote['id']}/step", {"step": "publish"}),
        409,
        "wrong_state",
    )
    api_client.post(f"/api/voice/rankings/{vote['id']}/step", {"step": "close"})
    result = api_client.post(f"/api/voice/rankings/{vote['id']}/step", {"step": "publish"}).json()
    assert [(c["title"], c["approvals"]) for c in result["candidates"]] == [
        ("Shared housing", 2),
        ("Cool shelters", 2),
        ("Night buses", 0),
    ]


def test_events_api_waitlist_and_attendance(api_client):
    from datetime import timedelta

    from django.utils import timezone

    dept = f.department()
    f.district()
    officer = f.officer(dept)
    api_client.login_token(officer)
    start = (timezone.now() + timedelta(days=3)).isoformat()
    good = {
        "kind": "workshop",
        "topic": "Night bus listening workshop",
        "department": "transport",
        "district": "jongno",
        "place": "Citizens' Hall",
        "starts_at": start,
        "capacity": 1,
    }
    for change, status, code in [
        ({"kind": "party"}, 422, "invalid_input"),
        ({"capacity": 0}, 400, "invalid_capacity"),
        ({"starts_at": "2000-01-01T10:00:00Z"}, 400, "starts_in_past"),
        ({"department": "nope"}, 400, "unknown_department"),
        ({"district": "nope"}, 400, "unknown_district"),
        ({"topic": "x"}, 400, "too_short_topic"),
    ]:
        assert_error(api_client.post("/api/voice/events", good | change), status, code)
    assert not Event.objects.exists()
    assert_error(
        api_client.login_token(f.officer(f.department("housing"))).post("/api/voice/events", good),
        403,
    )
    ev = api_client.login_token(officer).post("/api/voice/events", good).json()
    a, b = f.resident(), f.resident()
    assert (
        api_client.login_token(a).post(f"/api/voice/events/{ev['id']}/registration").json()["state"]
        == "confirmed"
    )
    assert_error(
        api_client.post(f"/api/voice/events/{ev['id']}/registration"), 409, "already_registered"
    )
    assert (
        api_client.login_token(b).post(f"/api/voice/events/{ev['id']}/registration").json()["state"]
        == "waitlisted"
    )
    r = api_client.login_token(a).delete(f"/api/voice/events/{ev['id']}/registration").json()
    assert r["promoted_user_id"] == b.pk
    api_client.login_token(officer)
    assert_error(
        api_client.post(f"/api/voice/events/{ev['id']}/attendance", {"attended_user_ids": [b.pk]}),
        409,
        "event_not_started",
    )
    Event.objects.filter(pk=ev["id"]).update(starts_at=timezone.now() - timedelta(hours=1))
    assert_error(
        api_client.post(f"/api/voice/events/{ev['id']}/attendance", {"attended_user_ids": [a.pk]}),
        400,
        "not_registered",
    )
    assert api_client.post(
        f"/api/voice/events/{ev['id']}/attendance", {"attended_user_ids": [b.pk]}
    ).json() == {"attended": 1}
    p = vf.proposal()
    assert_error(
        api_client.post(
            f"/api/voice/events/{ev['id']}/outcome",
            {"outcome": "Routes to study", "proposal_ids": [99999]},
        ),
        400,
        "unknown_proposal",
    )
    r = api_client.post(
        f"/api/voice/events/{ev['id']}/outcome",
        {"outcome": "Routes to study", "proposal_ids": [p.pk]},
    )
    assert r.status_code == 200 and r.json()["proposal_ids"] == [p.pk]
    assert p.timeline.filter(kind="linked_event").exists()


def test_comment_api_report_moderate(api_client):
    p = vf.proposal()
    c = (
        api_client.login_token(f.resident())
        .post(f"/api/voice/proposals/{p.pk}/comments", {"body": "Buy cheap watches"})
        .json()
    )
    for _ in range(3):
        assert (
            api_client.login_token(f.resident())
            .post(f"/api/voice/comments/{c['id']}/report", {"reason": "spam"})
            .status_code
            == 200
        )
    assert_error(
        api_client.post(f"/api/voice/comments/{c['id']}/report", {"reason": "ugly"}),
        422,
        "invalid_input",
    )
    assert api_client.get(f"/api/voice/proposals/{p.pk}/comments").json() == []
    assert_error(
        api_client.post(f"/api/voice/comments/{c['id']}/moderate", {"decision": "restore"}), 403
    )
    r = api_client.login_token(f.officer()).post(
        f"/api/voice/comments/{c['id']}/moderate", {"decision": "restore"}
    )
    assert r.json()["state"] == "visible"
    assert len(api_client.get(f"/api/voice/proposals/{p.pk}/comments").json()) == 1
    assert Comment.objects.get().report_count == 0


def test_similar_api(api_client):
    vf.proposal(title="공원에 반려견 놀이터를 만들어 주세요")
    r = api_client.get("/api/voice/proposals/similar", text="반려견 놀이터 설치")
    assert r.status_code == 200 and r.json()[0]["title"].startswith("공원에 반려견")
    assert_error(api_client.get("/api/voice/proposals/similar"), 422, "invalid_input")


def test_openapi_lists_voice_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/voice/proposals" in paths and "/api/voice/proposals/{proposal_id}/support" in paths
