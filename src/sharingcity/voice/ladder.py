"""The support ladder: which support counts oblige what, configurable per deployment.

The bureau edits the rungs (``LadderRung`` rows); when none are stored, the setting
``SHARINGCITY_VOICE_LADDER`` applies, and without it Democracy Seoul's ladder from March 2020:
50 supports within 30 days -> the lead department answers within 30 days; 100 -> a public forum
opens; 1,000 -> the mayor's office answers (english.seoul.go.kr, "Mayor of Seoul Answers When
1,000 Debaters Gather"; see docs/research/participation.md section 2.5)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

DEFAULT_LADDER: list[dict] = [
    {"threshold": 50, "window_days": 30, "action": "department_answer", "answer_days": 30},
    {"threshold": 100, "window_days": None, "action": "forum", "answer_days": None},
    {"threshold": 1000, "window_days": None, "action": "mayor_answer", "answer_days": 30},
]

#: Days a department has for the personal reply every proposal gets, counted from receipt.
DEFAULT_REPLY_DAYS = 30


@dataclass(frozen=True)
class Rung:
    number: int  # 1 for the lowest rung
    threshold: int
    window_days: int | None
    action: str
    answer_days: int | None


_cache: dict[str, tuple[float, tuple[Rung, ...]]] = {}
_TTL = 30.0  # seconds; edits in this process invalidate at once, other processes within _TTL


def reply_days() -> int:
    return int(getattr(settings, "SHARINGCITY_VOICE_REPLY_DAYS", DEFAULT_REPLY_DAYS))


def ladder() -> tuple[Rung, ...]:
    """The rungs in ascending order. Cached: it is read on every support."""
    hit = _cache.get("ladder")
    if hit and hit[0] > time.monotonic():
        return hit[1]
    from .models import LadderRung

    rows = list(
        LadderRung.objects.values("threshold", "window_days", "action", "answer_days").order_by(
            "threshold"
        )
    )
    if not rows:
        rows = sorted(
            getattr(settings, "SHARINGCITY_VOICE_LADDER", None) or DEFAULT_LADDER,
            key=lambda r: r["threshold"],
        )
    rungs = tuple(
        Rung(
            number=i,
            threshold=int(r["threshold"]),
            window_days=r.get("window_days"),
            action=r["action"],
            answer_days=r.get("answer_days"),
        )
        for i, r in enumerate(rows, start=1)
    )
    _cache["ladder"] = (time.monotonic() + _TTL, rungs)
    return rungs


def thresholds() -> frozenset[int]:
    return frozenset(r.threshold for r in ladder())


def invalidate() -> None:
    _cache.clear()
