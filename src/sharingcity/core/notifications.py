"""Notifications: stored in-app at once, e-mailed immediately or in the daily digest according
to each user's choice. Some kinds (a reply to your proposal) are always immediate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Notification, User

ALWAYS_IMMEDIATE: set[str] = set()


def always_immediate(kind: str) -> str:
    """Declare a notification kind that never waits for the digest (apps call this in hooks)."""
    ALWAYS_IMMEDIATE.add(kind)
    return kind


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Store a notification for each recipient and e-mail the immediate ones once the
    surrounding transaction commits (nobody is told about something that was rolled back)."""
    users = {u.pk: u for u in recipients if u is not None and u.pk}.values()
    rows = [
        Notification(
            recipient=u,
            kind=kind,
            title=title[:300],
            body=body,
            url=url,
            immediate=kind in ALWAYS_IMMEDIATE
            or u.notification_frequency == User.NotificationFrequency.IMMEDIATE,
        )
        for u in users
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.immediate and n.pk]
    if ids:
        transaction.on_commit(lambda: send_immediate(ids))
    return created


def send_immediate(ids: list[int]) -> int:
    sent = 0
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "recipient"
    ):
        if n.recipient.email:
            with override(n.recipient.preferred_language):
                send_mail(n.title, _email_body(n), None, [n.recipient.email], fail_silently=True)
            sent += 1
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return sent


def send_daily_digests(now=None) -> int:
    """E-mail every digest user one message with what arrived since their last digest."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, immediate=False, created_at__lte=now)
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.recipient_id].append(n)
    for items in by_user.values():
        user = items[0].recipient
        if user.email:
            with override(user.preferred_language):
                subject = _("Sharing City: %(count)d new notifications") % {"count": len(items)}
                send_mail(
                    subject,
                    "\n\n".join(_email_body(n) for n in items),
                    None,
                    [user.email],
                    fail_silently=True,
                )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return len(by_user)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def purge_old(days: int = 365) -> int:
    return Notification.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()[0]


def _email_body(n: Notification) -> str:
    return "\n".join(part for part in (n.title, n.body, n.url) if part)
