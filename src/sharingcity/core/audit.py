"""The audit log's only writer: every staff action calls ``record``."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry, User


def record(
    actor: User | None, action: str, target: models.Model | None = None, **data: Any
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data={k: _plain(v) for k, v in data.items()},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
