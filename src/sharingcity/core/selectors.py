"""Reads of the platform core."""

from __future__ import annotations

from django.db.models import QuerySet

from . import access
from .models import AuditEntry, Notification, ResidentProfile, User


def me(user: User) -> dict:
    profile = access.resident_profile(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted({a.role for a in access.role_assignments(user)}),
        "district": profile.district.code if profile else None,
        "verification": profile.verification if profile else None,
        "notification_frequency": user.notification_frequency,
        "preferred_language": user.preferred_language,
    }


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def verification_queue() -> QuerySet[ResidentProfile]:
    return (
        ResidentProfile.objects.filter(verification=ResidentProfile.Verification.PENDING)
        .select_related("user", "district")
        .order_by("user__date_joined")
    )


def audit_log(*, action_prefix: str = "", actor_id: int | None = None) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs
