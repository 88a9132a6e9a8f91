""" "Download my data" and account deletion, gathered from what every app registers with
``core.registry.register_personal_data`` (core's own records are collected here)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharingcity.core import access
from sharingcity.core.audit import record
from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import ApiToken, Notification, ResidentProfile, RoleAssignment, User
from sharingcity.core.registry import registry


def _core(user: User) -> dict[str, Any]:
    profile = access.resident_profile(user)
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "notification_frequency": user.notification_frequency,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "resident_profile": None
        if profile is None
        else {
            "district": profile.district.code,
            "age_band": profile.age_band,
            "birth_year": profile.birth_year,
            "verification": profile.verification,
            "verification_method": profile.verification_method,
            "verified_at": profile.verified_at,
        },
        "roles": list(
            RoleAssignment.objects.filter(user=user).values(
                "role", "department__code", "organisation__name", "granted_at"
            )
        ),
        "api_tokens": list(
            ApiToken.objects.filter(user=user).values(
                "name", "prefix", "created_at", "last_used_at", "revoked_at"
            )
        ),
        "notifications": list(
            Notification.objects.filter(recipient=user)
            .order_by("pk")
            .values("kind", "title", "body", "url", "created_at", "read_at")
        ),
    }


def collect(user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, one section per app."""
    access.require_login(user)
    data: dict[str, Any] = {
        "generated_at": timezone.now(),
        "core": _core(user),
    }
    for entry in sorted(registry.items("personal_data"), key=lambda e: e.app):
        data[entry.app] = entry.collect(user)
    return data


def _default(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return str(v)


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=_default, ensure_ascii=False, indent=1).encode()


def as_zip(data: dict[str, Any]) -> bytes:
    """One JSON file per app inside a ZIP, with a short README."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "README.txt",
            _("Everything Sharing City holds about you, one JSON file per part of the platform.\n"),
        )
        for key, section in data.items():
            if key == "generated_at":
                continue
            z.writestr(f"{key}.json", as_json(section))
    return buf.getvalue()


@transaction.atomic
def check_delete_account(*, user: User, confirm: str) -> None:
    """Delete ``user``'s account: each app anonymises its records (public ones stay, without the
    person), then the account row is scrubbed and closed. The row itself stays so that public
    records pointing at it (replies, bookings' history) keep their integrity; nothing in it
    names the person any more."""
    access.require_login(user)
    if confirm.strip() != user.username:
        raise InvalidInput(
            "confirm_mismatch",
            _("Type your username exactly to confirm the deletion."),
            field="confirm",
        )
    for entry in registry.items("personal_data"):
        entry.anonymise(user)
    Notification.objects.filter(recipient=user).delete()
    ApiToken.objects.filter(user=user).delete()
    RoleAssignment.objects.filter(user=user).delete()
    ResidentProfile.objects.filter(user=user).delete()
    user.username = f"former-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = _("former resident")
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    access.forget_roles(user)
    record(None, "insights.account_deleted", user)
