import pytest
from django.urls import reverse
from django.utils import timezone

from sharingcity.voice.models import Obligation, Proposal, Reply, RungReached, Status
from tests import factories as f
from tests.voice import factories as vf

pytestmark = pytest.mark.django_db

LADDER = [
    {"threshold": 2, "window_days": 30, "action": "department_answer", "answer_days": 10},
    {"threshold": 3, "window_days": None, "action": "forum"},
]


def url(name, *args):
    return "/en" + reverse(name, args=args)[3:]  # the English pages


def test_lifecycle_both_channels_routing_rung_deadline_reply_public_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SHARINGCITY_VOICE_LADDER = LADDER
    transport = f.department()
    housing = f.department("housing", name_en="Housing Policy Office")
    vf.rule("transport", transport)
    vf.rule("housing", housing)
    author = f.resident("minjun")
    officer, housing_officer = f.officer(transport, "seoyeon"), f.officer(housing, "jiwoo")

    # Online channel: the resident's web form.
    client.force_login(author)
    r = client.get(url("voice:proposal-new"))
    assert r.status_code == 200 and 'id="submit-proposal"' in r.content.decode()
    r = client.post(
        url("voice:proposal-new"),
        {
            "title": "심야버스 노선을 늘려 주세요",
            "body": "새벽에 귀가하는 시민이 많습니다. 종로에서 강북까지 노선을 늘려 주세요.",
            "category": "transport",
            "district": "jongno",
        },
    )
    online = Proposal.objects.get(channel="online")
    assert r.status_code == 302 and r["Location"].endswith(
        reverse("voice:proposal-detail", args=[online.pk])[3:]
    )
    assert online.lead_department == transport and online.status == Status.ROUTED

    # Offline channel: a letter entered by the housing officer, routed to transport by rule.
    client.force_login(housing_officer)
    r = client.post(
        url("voice:offline-intake"),
        {
            "channel": "letter",
            "title": "버스정류장 온열의자 설치",
            "body": "겨울에 정류장에서 기다리기가 너무 춥습니다. 온열의자를 설치해 주세요.",
            "category": "housing",
            "district": "jongno",
            "contact_name": "김순자",
            "contact": "종로구 1번길 2",
        },
    )
    assert r.status_code == 302
    offline = Proposal.objects.get(channel="letter")
    assert offline.lead_department == housing and offline.author is None

    # Routing: housing transfers the letter to transport with a reason.
    r = client.post(
        url("voice:manage", offline.pk),
        {
            "form": "transfer",
            "transfer-department": "transport",
            "transfer-reason": "Bus stops are run by Transport",
        },
    )
    assert r.status_code == 302
    offline.refresh_from_db()
    assert offline.lead_department == transport

    # Supports cross the first rung: a 10-day deadline is set.
    client.force_login(f.resident())
    assert client.post(url("voice:support", online.pk)).status_code == 302
    client.force_login(f.resident())
    r = client.post(url("voice:support", online.pk), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="support-count">2<' in r.content.decode()
    online.refresh_from_db()
    assert (
        online.highest_rung == 1
        and RungReached.objects.filter(proposal=online, threshold=2).exists()
    )
    rung_ob = Obligation.objects.get(proposal=online, reason="rung_answer")
    assert (rung_ob.due_at - timezone.now()).days in (9, 10)

    # The officer's inbox lists both, nearest deadline first.
    client.force_login(officer)
    r = client.get(url("voice:inbox"))
    page = r.content.decode()
    assert r.status_code == 200 and 'id="inbox"' in page
    assert page.index("버스정류장 온열의자") < page.index("심야버스 노선") or page.index(
        "심야버스 노선"
    ) < page.index("버스정류장 온열의자")
    assert "심야버스 노선을 늘려 주세요" in page and "버스정류장 온열의자 설치" in page

    # The reply form publishes; the author is told at once.
    r = client.get(url("voice:reply", online.pk))
    assert r.status_code == 200 and 'id="publish-reply"' in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url("voice:reply", online.pk),
            {
                "kind": "final",
                "outcome": "partly_reflected",
                "body": "내년부터 심야버스 N26 노선을 시범 연장합니다.",
                "reason": "",
                "action": "publish",
            },
        )
    assert r.status_code == 302
    online.refresh_from_db()
    assert online.status == Status.ANSWERED and online.outcome == "partly_reflected"
    assert not Obligation.objects.filter(proposal=online, met_at__isnull=True).exists()

    # Public status and timeline.
    client.logout()
    page = client.get(url("voice:proposal-detail", online.pk)).content.decode()
    assert (
        "내년부터 심야버스 N26 노선을 시범 연장합니다." in page
        and 'data-outcome="partly_reflected"' in page
    )
    for kind in ("received", "routed", "rung", "deadline", "reply"):
        assert f'data-kind="{kind}"' in page, kind
    listing = client.get(url("voice:proposal-list"), {"status": "answered"}).content.decode()
    assert "심야버스 노선을 늘려 주세요" in listing and "버스정류장 온열의자" not in listing
    api = client.get(f"/api/voice/proposals/{online.pk}").json()
    assert api["status"] == "answered" and [t["kind"] for t in api["timeline"]][:2] == [
        "received",
        "routed",
    ]


def test_staff_pages_refuse_residents_and_anonymous(client):
    p = vf.proposal()
    staff_pages = [
        url("voice:inbox"),
        url("voice:manage", p.pk),
        url("voice:reply", p.pk),
        url("voice:overdue"),
        url("voice:offline-intake"),
        url("voice:routing-rules"),
        url("voice:ladder"),
        url("voice:moderation"),
        url("voice:templates"),
        url("voice:event-new"),
        url("voice:ranking-new"),
    ]
    client.force_login(f.resident())
    for u in staff_pages:
        assert client.get(u).status_code == 403, u
    client.logout()
    for u in staff_pages:
        assert client.get(u).status_code == 302, u


def test_other_department_and_resident_cannot_use_the_reply_form(client):
    p = vf.proposal()
    client.force_login(f.officer(f.department("housing")))
    assert client.get(url("voice:reply", p.pk)).status_code == 403
    assert (
        client.post(
            url("voice:reply", p.pk),
            {"kind": "final", "outcome": "reflected", "body": "x" * 30, "action": "publish"},
        ).status_code
        == 403
    )
    client.force_login(p.author)
    assert (
        client.post(
            url("voice:reply", p.pk),
            {"kind": "final", "outcome": "reflected", "body": "x" * 30, "action": "publish"},
        ).status_code
        == 403
    )
    assert not Reply.objects.exists()


def test_overseer_reads_every_queue_but_cannot_act(client):
    p = vf.proposal()
    client.force_login(f.overseer())
    r = client.get(url("voice:inbox"), {"department": "transport"})
    assert (
        r.status_code == 200 and p.title in r.content.decode() and "Read-only" in r.content.decode()
    )
    assert client.get(url("voice:overdue")).status_code == 200
    r = client.post(
        url("voice:inbox"), {"department": "transport", "proposal": [p.pk], "bulk": "assign"}
    )
    assert r.status_code == 403
    assert client.get(url("voice:reply", p.pk)).status_code == 403


def test_officer_cannot_see_another_departments_queue(client):
    vf.proposal()
    f.department("housing")
    client.force_login(f.officer(f.department("housing")))
    assert client.get(url("voice:inbox"), {"department": "transport"}).status_code == 403


def test_proposal_form_bad_input_shows_errors_and_writes_nothing(client):
    vf.rule()
    client.force_login(f.resident())
    cases = [
        ({"title": ""}, "title"),
        ({"title": "abc"}, "title"),
        ({"body": "too short"}, "body"),
        ({"category": "nope"}, "category"),
        ({"district": "atlantis"}, "district"),
    ]
    good = {
        "title": "심야버스 노선을 늘려 주세요",
        "body": "새벽에 귀가하는 시민이 많습니다. 노선을 늘려 주세요.",
        "category": "transport",
        "district": "jongno",
    }
    for change, field in cases:
        r = client.post(url("voice:proposal-new"), good | change)
        assert r.status_code == 400, change
        assert r.context["form"].errors.get(field), (change, r.context["form"].errors)
    assert not Proposal.objects.exists()


def test_offline_form_bad_input(client):
    vf.rule()
    client.force_login(f.officer())
    good = {
        "channel": "phone",
        "title": "골목길 가로등 교체",
        "body": "밤에 골목이 너무 어두워서 무섭습니다. 바꿔 주세요.",
        "category": "transport",
        "district": "jongno",
        "contact_name": "김순자",
        "contact": "010-1234-5678",
    }
    for change, field in [
        ({"channel": "online"}, "channel"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact": ""}, "contact"),
        ({"received_at": "2999-01-01T10:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
    ]:
        r = client.post(url("voice:offline-intake"), good | change)
        assert r.status_code == 400 and r.context["form"].errors.get(field), (
            change,
            r.context["form"].errors,
        )
    assert not Proposal.objects.exists()


def test_reply_form_bad_input(client):
    p = vf.proposal()
    client.force_login(f.officer(p.lead_department))
    good = {
        "kind": "final",
        "outcome": "reflected",
        "body": "We will do this next spring.",
        "reason": "",
        "action": "publish",
    }
    for change, field in [
        ({"kind": "memo"}, "kind"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"outcome": "not_reflected"}, "reason"),
        ({"body": ""}, "body"),
        ({"body": "short"}, "body"),
    ]:
        r = client.post(url("voice:reply", p.pk), good | change)
        assert r.status_code == 400 and r.context["form"].errors.get(field), (
            change,
            r.context["form"].errors,
        )
    assert not Reply.objects.exists()


def test_manage_forms_bad_input(client):
    p = vf.proposal()
    client.force_login(f.officer(p.lead_department))
    for data in [
        {"form": "transfer", "transfer-department": "nope", "transfer-reason": "because"},
        {"form": "transfer", "transfer-department": "transport", "transfer-reason": "same again"},
        {"form": "note", "note-body": ""},
        {"form": "partner", "partner-organisation": "999", "partner-note": "x"},
        {"form": "progress", "progress-percent": "150", "progress-body": "done"},
    ]:
        assert client.post(url("voice:manage", p.pk), data).status_code in (400, 409), data
    p.refresh_from_db()
    assert p.lead_department.code == "transport" and not p.notes.exists() and p.partner is None


def test_list_filters_search_and_keyset_pages(client):
    for i in range(25):
        vf.proposal(title=f"공원 그늘막 설치 {i:02d}")
    vf.proposal(title="반려견 놀이터를 만들어 주세요")
    r = client.get(url("voice:proposal-list"), {"q": "반려견"})
    page = r.content.decode()
    assert "반려견 놀이터" in page and "그늘막" not in page
    r = client.get(url("voice:proposal-list"))
    assert r.context["page"].next_cursor and len(r.context["page"].items) == 20
    r2 = client.get(url("voice:proposal-list"), {"cursor": r.context["page"].next_cursor})
    first, second = (
        [p.pk for p in r.context["page"].items],
        [p.pk for p in r2.context["page"].items],
    )
    assert len(second) == 6 and not set(first) & set(second)
    assert client.get(url("voice:proposal-list"), {"cursor": "garbage!"}).status_code == 400
    assert client.get(url("voice:proposal-list"), {"district": "atlantis"}).status_code == 400
    r = client.get(url("voice:proposal-list"), {"q": "그늘막"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()


def test_similar_suggestions_partial(client):
    vf.proposal(title="심야버스 노선을 늘려 주세요")
    vf.proposal(title="반려견 놀이터를 만들어 주세요")
    r = client.get(
        url("voice:proposal-similar"), {"title": "심야버스를 더 늘려주세요"}, HTTP_HX_REQUEST="true"
    )
    page = r.content.decode()
    assert "심야버스 노선을 늘려 주세요" in page and "반려견" not in page


def test_unverified_resident_sees_a_clear_refusal(client):
    p = vf.proposal()
    client.force_login(f.resident(verified=False))
    r = client.post(url("voice:support", p.pk), HTTP_HX_REQUEST="true")
    assert r.status_code == 409 and "verified" in r.content.decode()
    p.refresh_from_db()
    assert p.support_count == 0


def test_comment_report_and_moderation_pages(client):
    p = vf.proposal()
    author = f.resident()
    client.force_login(author)
    assert client.post(url("voice:comment", p.pk), {"body": ""}).status_code == 400
    client.post(url("voice:comment", p.pk), {"body": "광고 링크 클릭하세요"})
    c = p.comments.get()
    for _ in range(3):
        client.force_login(f.resident())
        client.post(url("voice:report-comment", c.pk), {"reason": "spam"})
    c.refresh_from_db()
    assert c.state == "hidden_pending"
    assert "광고 링크" not in client.get(url("voice:proposal-detail", p.pk)).content.decode()
    client.force_login(f.officer())
    assert "광고 링크" in client.get(url("voice:moderation")).content.decode()
    client.post(url("voice:moderation"), {"comment": c.pk, "decision": "hide"})
    c.refresh_from_db()
    assert c.state == "hidden"


def test_bulk_assign_and_publish_from_the_inbox(client):
    p1, p2 = vf.proposal(), vf.proposal()
    dept = p1.lead_department
    head, officer = f.department_head(dept), f.officer(dept)
    client.force_login(head)
    r = client.post(
        url("voice:inbox"),
        {
            "department": "transport",
            "proposal": [p1.pk, p2.pk],
            "bulk": "assign",
            "officer": officer.pk,
        },
    )
    assert r.status_code == 302
    assert set(Proposal.objects.values_list("assigned_officer", flat=True)) == {officer.pk}
    from sharingcity.voice import services

    for p in (p1, p2):
        services.check_draft_reply(
            actor=officer,
            proposal=p,
            outcome="already_in_place",
            body="This bus already runs every night.",
        )
    client.force_login(officer)
    client.post(
        url("voice:inbox"),
        {"department": "transport", "proposal": [p1.pk, p2.pk], "bulk": "publish"},
    )
    assert set(Proposal.objects.values_list("status", flat=True)) == {"answered"}
