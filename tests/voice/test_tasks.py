from datetime import timedelta

import pytest
from django.utils import timezone

from sharingcity.core.models import AuditEntry, Notification
from sharingcity.voice import services, tasks
from sharingcity.voice.models import Obligation
from tests import factories as f
from tests.voice import factories as vf

pytestmark = pytest.mark.django_db


def test_reminder_before_and_escalation_to_the_head_after_the_deadline():
    p = vf.proposal()
    dept = p.lead_department
    officer, head = f.officer(dept), f.department_head(dept)
    ob = Obligation.objects.get(proposal=p)
    assert services.do_sweep_deadlines(ob.due_at - timedelta(days=10)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert services.do_sweep_deadlines(ob.due_at - timedelta(days=6)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert Notification.objects.filter(recipient=officer, kind="voice.deadline_reminder").exists()
    assert not Notification.objects.filter(recipient=head).exists()
    assert services.do_sweep_deadlines(ob.due_at - timedelta(days=5)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert services.do_sweep_deadlines(ob.due_at + timedelta(hours=1)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert Notification.objects.filter(recipient=head, kind="voice.deadline_missed").exists()
    assert p.timeline.filter(kind="escalated", public=True).exists()
    assert AuditEntry.objects.filter(action="voice.deadline.escalated").exists()
    assert services.do_sweep_deadlines(ob.due_at + timedelta(days=2)) == {
        "reminded": 0,
        "escalated": 0,
    }


def test_assigned_officer_gets_the_reminder_and_answered_proposals_are_left_alone():
    p1, p2 = vf.proposal(), vf.proposal()
    dept = p1.lead_department
    a, b = f.officer(dept), f.officer(dept)
    services.check_assign(actor=a, proposal=p1, officer=a)
    services.check_reply(
        actor=b, proposal=p2, outcome="reflected", body="We will extend the route."
    )
    due = Obligation.objects.get(proposal=p1).due_at
    assert services.do_sweep_deadlines(due - timedelta(days=1)) == {"reminded": 1, "escalated": 0}
    assert list(
        Notification.objects.filter(kind="voice.deadline_reminder").values_list(
            "recipient", flat=True
        )
    ) == [a.pk]


def test_periodic_tasks_run(settings):
    p = vf.proposal()
    head = f.department_head(p.lead_department)
    Obligation.objects.filter(proposal=p).update(due_at=timezone.now() - timedelta(days=1))
    result = tasks.sweep_reply_deadlines.call_local()
    assert result["escalated"] == 1
    assert Notification.objects.filter(recipient=head, kind="voice.deadline_missed").exists()
    assert tasks.ask_follow_ups.call_local() == 0


def test_overdue_board_lists_late_replies(client):
    p = vf.proposal()
    Obligation.objects.filter(proposal=p).update(due_at=timezone.now() - timedelta(days=3))
    client.force_login(f.bureau_admin())
    page = client.get("/en/voice/staff/overdue/").content.decode()
    assert p.title in page and "Transport" in page
