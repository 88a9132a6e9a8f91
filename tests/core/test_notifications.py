import pytest
from django.core import mail

from sharingcity.core import notifications
from sharingcity.core.models import Notification, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_digest_is_default_and_immediate_kinds_go_at_once(django_capture_on_commit_callbacks):
    digest_user = f.user("digest")
    assert digest_user.notification_frequency == User.NotificationFrequency.DAILY_DIGEST
    kind = notifications.always_immediate("tests.urgent")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([digest_user], kind="tests.ordinary", title="ordinary")
        notifications.notify([digest_user], kind=kind, title="urgent")
    assert [m.subject for m in mail.outbox] == ["urgent"]
    assert notifications.send_daily_digests() == 1
    assert len(mail.outbox) == 2 and "ordinary" in mail.outbox[1].body
    assert notifications.send_daily_digests() == 0  # nothing twice
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_immediate_users_get_everything_at_once(django_capture_on_commit_callbacks):
    u = f.user("now", notification_frequency=User.NotificationFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([u, u], kind="tests.ordinary", title="hello")
    assert len(mail.outbox) == 1


def test_unread_and_mark_read():
    u = f.user()
    notifications.notify([u], kind="k", title="a")
    notifications.notify([u], kind="k", title="b")
    assert notifications.unread_count(u) == 2
    notifications.mark_read(u)
    assert notifications.unread_count(u) == 0
