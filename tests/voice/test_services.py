from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sharingcity.core.models import Notification
from sharingcity.voice import services
from sharingcity.voice.models import (
    Channel,
    Comment,
    FollowUp,
    Involvement,
    LadderRung,
    Obligation,
    Outcome,
    Proposal,
    Reply,
    RungReached,
    Status,
    Support,
    TimelineEvent,
)
from tests import factories as f
from tests.voice import factories as vf

pytestmark = pytest.mark.django_db

SMALL_LADDER = [
    {"threshold": 2, "window_days": 30, "action": "department_answer", "answer_days": 10},
    {"threshold": 3, "window_days": None, "action": "forum", "answer_days": None},
    {"threshold": 4, "window_days": None, "action": "mayor_answer", "answer_days": 20},
]


@pytest.fixture
def small_ladder(settings):
    settings.SHARINGCITY_VOICE_LADDER = SMALL_LADDER


def kinds(p):
    return list(p.timeline.values_list("kind", flat=True))


# --------------------------------------------------------------------------- intake and routing


def test_online_proposal_is_routed_by_the_category_rule_with_a_30_day_deadline():
    p = vf.proposal()
    assert p.status == Status.ROUTED and p.channel == Channel.ONLINE
    assert p.lead_department.code == "transport"
    ob = Obligation.objects.get(proposal=p)
    assert ob.reason == Obligation.Reason.PERSONAL_REPLY
    assert ob.due_at == p.received_at + timedelta(days=30)
    p.refresh_from_db()
    assert p.reply_due == ob.due_at
    assert kinds(p) == ["received", "routed"]
    assert Involvement.objects.get(proposal=p).is_lead


def test_without_a_rule_the_proposal_waits_for_the_bureau_then_is_routed():
    p = vf.proposal(category_code="other", routed=False)
    assert p.status == Status.RECEIVED and p.lead_department is None
    assert not Obligation.objects.filter(proposal=p).exists()
    admin = f.bureau_admin()
    housing = f.department("housing", name_en="Housing")
    services.check_route(actor=admin, proposal=p, department="housing")
    p.refresh_from_db()
    assert p.status == Status.ROUTED and p.lead_department == housing
    assert Obligation.objects.get(proposal=p).due_at == p.received_at + timedelta(days=30)
    with pytest.raises(NotAllowed):
        services.check_route(actor=f.officer(), proposal=p, department="transport")


def test_offline_proposal_records_channel_contact_and_staff_without_an_account():
    vf.rule()
    officer = f.officer()
    received = timezone.now() - timedelta(days=3)
    p = services.check_submit_offline(
        actor=officer,
        channel="letter",
        title="골목길 가로등 교체 요청",
        body="밤에 골목이 너무 어두워서 귀갓길이 무섭습니다. 가로등을 바꿔 주세요.",
        category="transport",
        district="jongno",
        contact_name="김순자",
        contact="종로구 1번길 2",
        received_at=received,
    )
    assert p.channel == "letter" and p.author is None and p.entered_by == officer
    assert p.contact_name == "김순자" and p.received_at == received
    assert Obligation.objects.get(proposal=p).due_at == received + timedelta(days=30)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("channel", "online", "invalid_channel"),
        ("channel", "fax", "invalid_channel"),
        ("contact_name", "  ", "missing_contact_name"),
        ("contact", "", "missing_contact"),
        ("received_at", "future", "received_in_future"),
        ("received_at", "ancient", "received_too_old"),
        ("title", "abc", "too_short_title"),
        ("body", "", "missing_body"),
        ("category", "nope", "unknown_category"),
        ("district", "atlantis", "unknown_district"),
    ],
)
def test_offline_bad_input_is_refused_and_nothing_written(field, value, code):
    vf.rule()
    f.district()
    data = dict(
        channel="phone",
        title="골목길 가로등 교체 요청",
        body="밤에 골목이 너무 어두워서 귀갓길이 무섭습니다. 바꿔 주세요.",
        category="transport",
        district="jongno",
        contact_name="김순자",
        contact="010-1234-5678",
        received_at=None,
    )
    data[field] = {
        "future": timezone.now() + timedelta(days=2),
        "ancient": timezone.now() - timedelta(days=800),
    }.get(value, value)
    with pytest.raises(InvalidInput) as e:
        services.check_submit_offline(actor=f.officer(), **data)
    assert e.value.code == code and e.value.field == field
    assert not Proposal.objects.exists() and not TimelineEvent.objects.exists()


def test_residents_cannot_enter_offline_proposals_and_staff_without_a_profile_cannot_propose_online():
    vf.rule()
    with pytest.raises(NotAllowed):
        services.check_submit_offline(
            actor=f.resident(),
            channel="phone",
            title="t" * 10,
            body="b" * 30,
            category="transport",
            district="jongno",
            contact_name="x",
            contact="010-1",
        )
    with pytest.raises(NotAllowed) as e:
        services.check_submit_online(
            author=f.officer(),
            title="t" * 10,
            body="b" * 30,
            category="transport",
            district="jongno",
        )
    assert e.value.code == "not_a_resident"
    assert not Proposal.objects.exists()


def test_transfer_keeps_the_clock_and_needs_a_reason_and_the_lead_department():
    p = vf.proposal()
    officer = f.officer(p.lead_department)
    housing = f.department("housing", name_en="Housing")
    due = p.reply_due
    with pytest.raises(InvalidInput) as e:
        services.check_transfer(actor=officer, proposal=p, department="housing", reason=" ")
    assert e.value.field == "reason"
    with pytest.raises(InvalidInput):
        services.check_transfer(
            actor=officer, proposal=p, department="transport", reason="same place again"
        )
    with pytest.raises(NotAllowed):
        services.check_transfer(
            actor=f.officer(housing), proposal=p, department="housing", reason="it is ours now"
        )
    services.check_transfer(
        actor=officer, proposal=p, department="housing", reason="Housing runs the shared homes"
    )
    p.refresh_from_db()
    assert p.lead_department == housing and p.reply_due == due
    assert Obligation.objects.get(proposal=p).department == housing
    ev = p.timeline.get(kind="transferred")
    assert ev.text == "Housing runs the shared homes" and ev.public
    assert list(
        Involvement.objects.filter(proposal=p).values_list("department__code", "is_lead")
    ) == [("housing", True)]


def test_several_departments_one_lead_and_a_partner_with_the_department_accountable():
    p = vf.proposal()
    officer = f.officer(p.lead_department)
    f.department("housing", name_en="Housing")
    services.check_involve(actor=officer, proposal=p, department="housing")
    with pytest.raises(Conflict):
        services.check_involve(actor=officer, proposal=p, department="housing")
    assert set(p.departments.values_list("code", flat=True)) == {"transport", "housing"}
    assert Involvement.objects.filter(proposal=p, is_lead=True).count() == 1
    org = f.organisation()
    operator = f.operator(org)
    with pytest.raises(InvalidInput) as e:
        services.check_hand_to_partner(
            actor=officer, proposal=p, organisation_id=999999, note="please run the pilot"
        )
    assert e.value.code == "unknown_organisation"
    services.check_hand_to_partner(
        actor=officer, proposal=p, organisation_id=org.pk, note="please run the pilot"
    )
    p.refresh_from_db()
    assert p.partner == org and p.lead_department.code == "transport"
    assert Obligation.objects.get(proposal=p).department.code == "transport"  # still accountable
    assert Notification.objects.filter(recipient=operator, kind="voice.partner_handoff").exists()
    assert "partner" in kinds(p)


def test_assignment_rules():
    p = vf.proposal()
    dept = p.lead_department
    officer, head = f.officer(dept), f.department_head(dept)
    other = f.officer(f.department("housing"))
    services.check_assign(actor=officer, proposal=p, officer=officer)  # self-assign
    with pytest.raises(NotAllowed):
        services.check_assign(actor=officer, proposal=p, officer=f.officer(dept))
    with pytest.raises(InvalidInput):
        services.check_assign(actor=head, proposal=p, officer=other)
    colleague = f.officer(dept)
    services.check_assign(actor=head, proposal=p, officer=colleague)
    p.refresh_from_db()
    assert p.assigned_officer == colleague


# --------------------------------------------------------------------------- supports and the ladder


def test_default_ladder_is_democracy_seoul():
    from sharingcity.voice import ladder

    assert [(r.threshold, r.window_days, r.action, r.answer_days) for r in ladder.ladder()] == [
        (50, 30, "department_answer", 30),
        (100, None, "forum", None),
        (1000, None, "mayor_answer", 30),
    ]


def test_one_support_per_verified_resident_and_unverified_cannot_support():
    p = vf.proposal()
    r = f.resident()
    assert services.do_support(user=r, proposal_id=p.pk) == 1
    with pytest.raises(Conflict) as e:
        services.do_support(user=r, proposal_id=p.pk)
    assert e.value.code == "already_supported"
    with pytest.raises(NotAllowed) as e:
        services.do_support(user=f.resident(verified=False), proposal_id=p.pk)
    assert e.value.code == "not_verified"
    with pytest.raises(NotAllowed):
        services.do_support(user=f.officer(), proposal_id=p.pk)
    with pytest.raises(NotFound):
        services.do_support(user=f.resident(), proposal_id=987654)
    p.refresh_from_db()
    assert p.support_count == 1 == Support.objects.filter(proposal=p).count()


def test_withdraw_support_until_a_rung_then_frozen(small_ladder):
    p = vf.proposal()
    a, b = vf.supporters(2)
    services.do_support(user=a, proposal_id=p.pk)
    assert services.do_withdraw_support(user=a, proposal_id=p.pk) == 0
    with pytest.raises(Conflict) as e:
        services.do_withdraw_support(user=a, proposal_id=p.pk)
    assert e.value.code == "not_supported"
    services.do_support(user=a, proposal_id=p.pk)
    services.do_support(user=b, proposal_id=p.pk)  # rung 1
    with pytest.raises(Conflict) as e:
        services.do_withdraw_support(user=a, proposal_id=p.pk)
    assert e.value.code == "support_frozen"
    p.refresh_from_db()
    assert p.support_count == 2 and p.highest_rung == 1


def test_the_full_ladder_sets_deadlines_opens_the_forum_and_calls_the_mayor(small_ladder):
    mayor = vf.mayors_office()
    p = vf.proposal()
    for n, u in enumerate(vf.supporters(4), start=1):
        assert services.do_support(user=u, proposal_id=p.pk) == n
    p.refresh_from_db()
    assert p.highest_rung == 3 and p.forum_opened_at is not None
    assert list(RungReached.objects.filter(proposal=p).values_list("threshold", flat=True)) == [
        2,
        3,
        4,
    ]
    obs = {o.reason: o for o in Obligation.objects.filter(proposal=p)}
    assert obs["rung_answer"].department == p.lead_department
    assert obs["rung_answer"].due_at - obs["rung_answer"].created_at < timedelta(days=10, seconds=5)
    assert obs["mayor_answer"].department == mayor
    assert p.reply_due == min(o.due_at for o in obs.values())
    assert Involvement.objects.filter(proposal=p, department=mayor).exists()
    assert kinds(p).count("rung") == 3 and kinds(p).count("deadline") == 2


def test_rung_with_a_window_is_not_reached_late(small_ladder):
    p = vf.proposal()
    Proposal.objects.filter(pk=p.pk).update(received_at=timezone.now() - timedelta(days=31))
    for u in vf.supporters(2):
        services.do_support(user=u, proposal_id=p.pk)
    p.refresh_from_db()
    assert p.highest_rung == 0 and not RungReached.objects.exists()
    assert not Obligation.objects.filter(reason="rung_answer").exists()


def test_crossing_fifty_with_the_default_ladder():
    p = vf.proposal()
    residents = vf.supporters(50)
    Support.objects.bulk_create([Support(proposal=p, user=u) for u in residents[:49]])
    Proposal.objects.filter(pk=p.pk).update(support_count=49)
    assert services.do_support(user=residents[49], proposal_id=p.pk) == 50
    ob = Obligation.objects.get(proposal=p, reason="rung_answer")
    assert timedelta(days=29, hours=23) < ob.due_at - timezone.now() <= timedelta(days=30)


def test_bureau_edits_the_ladder_with_validation():
    admin = f.bureau_admin()
    good = [
        {"threshold": 10, "window_days": 14, "action": "department_answer", "answer_days": 14},
        {"threshold": 20, "action": "forum"},
    ]
    services.check_set_ladder(actor=admin, rungs=good)
    from sharingcity.voice import ladder

    assert [r.threshold for r in ladder.ladder()] == [10, 20]
    bad = [
        ([], "empty_ladder"),
        ([{"threshold": "x", "action": "forum"}], "invalid_threshold"),
        (
            [{"threshold": 5, "action": "forum"}, {"threshold": 5, "action": "forum"}],
            "thresholds_not_increasing",
        ),
        ([{"threshold": 5, "action": "shout"}], "invalid_action"),
        ([{"threshold": 5, "action": "department_answer"}], "answer_days_required"),
        ([{"threshold": 5, "action": "forum", "window_days": 0}], "invalid_window_days"),
    ]
    for rungs, code in bad:
        with pytest.raises(InvalidInput) as e:
            services.check_set_ladder(actor=admin, rungs=rungs)
        assert e.value.code == code
    assert list(LadderRung.objects.values_list("threshold", flat=True)) == [10, 20]
    with pytest.raises(NotAllowed):
        services.check_set_ladder(actor=f.officer(), rungs=good)


def test_support_is_one_statement_on_postgresql_two_on_sqlite():
    from django.test.utils import CaptureQueriesContext

    p = vf.proposal()
    r = f.resident()
    r.resident  # the profile is loaded once per user  # noqa: B018
    from sharingcity.voice import ladder

    ladder.ladder()  # cached per process
    with CaptureQueriesContext(connection) as ctx:
        services.do_support(user=r, proposal_id=p.pk)
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2), statements


def test_catch_up_reaches_a_rung_a_crash_left_unrecorded():
    from sharingcity.voice import ladder

    p = vf.proposal()
    residents = [f.resident() for _ in range(50)]
    for u in residents:
        Support.objects.create(proposal=p, user=u)
    Proposal.objects.filter(pk=p.pk).update(support_count=50)  # as if the rung step never ran
    ladder.ladder()
    assert not RungReached.objects.filter(proposal=p).exists()
    assert services.do_catch_up_rungs() == 1
    assert list(RungReached.objects.filter(proposal=p).values_list("threshold", flat=True)) == [50]
    assert services.do_catch_up_rungs() == 0  # idempotent


# --------------------------------------------------------------------------- replies


def test_reply_permissions_resident_and_other_department_cannot_answer():
    p = vf.proposal()
    with pytest.raises(NotAllowed):
        services.check_reply(
            actor=p.author, proposal=p, outcome="reflected", body="We will do it next year."
        )
    with pytest.raises(NotAllowed) as e:
        services.check_reply(
            actor=f.officer(f.department("housing")),
            proposal=p,
            outcome="reflected",
            body="We will do it next year.",
        )
    assert e.value.code == "not_answering_department"
    with pytest.raises(NotAllowed):
        services.check_reply(
            actor=f.bureau_admin(), proposal=p, outcome="reflected", body="We will do it next year."
        )
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"kind": "memo"}, "invalid_kind", "kind"),
        ({"outcome": ""}, "invalid_outcome", "outcome"),
        ({"outcome": "maybe"}, "invalid_outcome", "outcome"),
        ({"outcome": "not_reflected", "reason": "no"}, "reason_required", "reason"),
        ({"body": "short"}, "too_short_body", "body"),
        ({"kind": "interim", "outcome": "reflected"}, "outcome_on_interim", "outcome"),
    ],
)
def test_reply_bad_input(kwargs, code, field):
    p = vf.proposal()
    data = {
        "kind": "final",
        "outcome": "reflected",
        "body": "We will carry this out next year.",
        "reason": "",
    } | kwargs
    with pytest.raises(InvalidInput) as e:
        services.check_reply(actor=f.officer(p.lead_department), proposal=p, **data)
    assert (e.value.code, e.value.field) == (code, field)
    assert not Reply.objects.exists()
    p.refresh_from_db()
    assert p.status == Status.ROUTED


def test_draft_then_publish_meets_obligations_and_tells_the_author_at_once(
    django_capture_on_commit_callbacks,
):
    p = vf.proposal()
    p.author.notification_frequency = "daily"
    p.author.save()
    officer = f.officer(p.lead_department)
    draft = services.check_draft_reply(
        actor=officer,
        proposal=p,
        outcome="not_reflected",
        body="We looked at this carefully.",
        reason="The road belongs to the national government.",
    )
    p.refresh_from_db()
    assert p.status == Status.ROUTED and draft.published_at is None
    assert not Notification.objects.filter(kind=services.ANSWERED_KIND).exists()
    with pytest.raises(NotAllowed):
        services.check_publish_reply(actor=f.officer(f.department("housing")), reply=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.check_publish_reply(actor=officer, reply=draft)
    p.refresh_from_db()
    assert (
        p.status == Status.ANSWERED and p.outcome == Outcome.NOT_REFLECTED and p.reply_due is None
    )
    assert not Obligation.objects.filter(proposal=p, met_at__isnull=True).exists()
    n = Notification.objects.get(kind=services.ANSWERED_KIND)
    assert n.recipient == p.author and n.immediate  # even for a digest user
    assert [m.to for m in mail.outbox] == [[p.author.email]]
    with pytest.raises(Conflict):
        services.check_publish_reply(actor=officer, reply=draft)


def test_interim_answer_keeps_the_obligation_open():
    p = vf.proposal()
    services.check_reply(
        actor=f.officer(p.lead_department),
        proposal=p,
        kind="interim",
        body="We are checking with the district office.",
    )
    p.refresh_from_db()
    assert p.status == Status.ROUTED and p.reply_due is not None
    assert "interim" in kinds(p)


def test_mayors_office_answers_after_the_top_rung(small_ladder):
    mayor = vf.mayors_office()
    p = vf.proposal()
    for u in vf.supporters(4):
        services.do_support(user=u, proposal_id=p.pk)
    mayor_officer = f.officer(mayor)
    services.check_reply(
        actor=mayor_officer,
        proposal=p,
        outcome="under_review",
        body="The mayor has asked for a feasibility study.",
    )
    assert not Obligation.objects.filter(proposal=p, department=mayor, met_at__isnull=True).exists()
    assert (
        Obligation.objects.filter(
            proposal=p, department=p.lead_department, met_at__isnull=True
        ).count()
        == 2
    )


def test_offline_reply_by_email_or_post(django_capture_on_commit_callbacks):
    vf.rule()
    officer = f.officer()
    common = dict(
        actor=officer,
        title="버스 정류장 의자 설치",
        body="정류장에서 오래 기다리는 어르신들이 앉을 곳이 없습니다.",
        category="transport",
        district="jongno",
        contact_name="이영희",
    )
    by_mail = services.check_submit_offline(
        channel="visit", contact="younghee@example.org", **common
    )
    by_post = services.check_submit_offline(channel="letter", contact="종로구 1번길", **common)
    for p in (by_mail, by_post):
        with django_capture_on_commit_callbacks(execute=True):
            services.check_reply(
                actor=officer,
                proposal=p,
                outcome="reflected",
                body="We will install benches next spring.",
            )
    assert [m.to for m in mail.outbox] == [["younghee@example.org"]]
    assert by_post.timeline.filter(kind="reply", public=False, data__by_post=True).exists()


def test_notes_templates_and_progress():
    p = vf.proposal()
    officer = f.officer(p.lead_department)
    with pytest.raises(NotAllowed):
        services.check_add_note(actor=f.officer(f.department("housing")), proposal=p, body="hmm")
    services.check_add_note(actor=officer, proposal=p, body="Call the district office first.")
    assert p.notes.count() == 1 and not p.timeline.filter(text__contains="district office").exists()
    tpl = services.check_save_template(
        actor=officer,
        department="transport",
        title="Pilot",
        outcome="partly_reflected",
        body="We start with a pilot in one district.",
    )
    assert tpl.department == p.lead_department
    with pytest.raises(InvalidInput):
        services.check_save_template(
            actor=officer, department="transport", title="X", outcome="bogus", body="b" * 20
        )
    with pytest.raises(NotAllowed):
        services.check_save_template(
            actor=officer, department=None, title="All", outcome="", body="b" * 20
        )
    with pytest.raises(Conflict):
        services.check_post_progress(actor=officer, proposal=p, percent=10, body="Started work")
    services.check_reply(
        actor=officer, proposal=p, outcome="reflected", body="We will extend the route."
    )
    p.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.check_post_progress(actor=officer, proposal=p, percent=101, body="Started work")
    services.check_post_progress(
        actor=officer, proposal=p, percent=50, body="Half the stops are built"
    )
    with pytest.raises(InvalidInput) as e:
        services.check_post_progress(actor=officer, proposal=p, percent=40, body="Went back")
    assert e.value.code == "progress_backwards"
    services.check_post_progress(actor=officer, proposal=p, percent=100, body="The new route runs")
    p.refresh_from_db()
    assert p.status == Status.COMPLETED and p.progress == 100


def test_follow_up_is_asked_once_and_answered_by_the_author():
    p = vf.proposal()
    officer = f.officer(p.lead_department)
    services.check_reply(
        actor=officer, proposal=p, outcome="reflected", body="We will extend the route."
    )
    later = timezone.now() + timedelta(days=29)
    assert services.do_ask_follow_ups(later) == 1
    assert services.do_ask_follow_ups(later) == 0
    with pytest.raises(NotAllowed):
        services.check_answer_follow_up(actor=f.resident(), proposal=p, resolved=True)
    with pytest.raises(InvalidInput):
        services.check_answer_follow_up(actor=p.author, proposal=p, resolved=None)
    services.check_answer_follow_up(
        actor=p.author, proposal=p, resolved=False, comment="The bus still stops at midnight"
    )
    assert FollowUp.objects.get(proposal=p).resolved is False
    assert Notification.objects.filter(recipient=officer, kind="voice.not_resolved").exists()
    with pytest.raises(Conflict):
        services.check_answer_follow_up(actor=p.author, proposal=p, resolved=True)


def test_author_withdraws_before_an_answer_only():
    p = vf.proposal()
    with pytest.raises(NotAllowed):
        services.check_withdraw_proposal(actor=f.resident(), proposal=p)
    services.check_withdraw_proposal(actor=p.author, proposal=p)
    p.refresh_from_db()
    assert p.status == Status.WITHDRAWN and p.reply_due is None
    with pytest.raises(Conflict):
        services.do_support(user=f.resident(), proposal_id=p.pk)
    with pytest.raises(Conflict):
        services.check_withdraw_proposal(actor=p.author, proposal=p)


# --------------------------------------------------------------------------- comments and moderation


def test_three_reports_hide_a_comment_until_reviewed():
    p = vf.proposal()
    c = services.check_comment(actor=f.resident(), proposal=p, body="Spam spam spam")
    with pytest.raises(InvalidInput):
        services.check_report_comment(actor=c.author, comment=c, reason="spam")
    with pytest.raises(InvalidInput):
        services.check_report_comment(actor=f.resident(), comment=c, reason="boring")
    reporters = vf.supporters(3)
    services.check_report_comment(actor=reporters[0], comment=c, reason="spam")
    with pytest.raises(Conflict):
        services.check_report_comment(actor=reporters[0], comment=c, reason="spam")
    services.check_report_comment(actor=reporters[1], comment=c, reason="offensive")
    c.refresh_from_db()
    assert c.state == Comment.State.VISIBLE and c.report_count == 2
    services.check_report_comment(actor=reporters[2], comment=c, reason="spam")
    c.refresh_from_db()
    assert c.state == Comment.State.HIDDEN_PENDING
    with pytest.raises(NotAllowed):
        services.check_moderate_comment(actor=f.resident(), comment=c, decision="restore")
    with pytest.raises(InvalidInput):
        services.check_moderate_comment(actor=f.officer(), comment=c, decision="burn")
    services.check_moderate_comment(actor=f.officer(), comment=c, decision="restore")
    c.refresh_from_db()
    assert c.state == Comment.State.VISIBLE and c.report_count == 0 and c.reviewed_at


def test_comment_input():
    p = vf.proposal()
    with pytest.raises(InvalidInput) as e:
        services.check_comment(actor=f.resident(), proposal=p, body=" ")
    assert e.value.field == "body"
    with pytest.raises(NotAllowed):
        services.check_comment(actor=f.user(), proposal=p, body="hello there")
    assert not Comment.objects.exists()
