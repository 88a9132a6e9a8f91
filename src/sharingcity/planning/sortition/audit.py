"""Audit report of a panel draw, and replacement draws for volunteers who decline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import SortitionInputError
from .lottery import PanelDraw, PanelLottery, commit_seed, draw_panel
from .model import PanelProblem, Quota

__all__ = [
    "AuditReport",
    "QuotaCheck",
    "ReplacementDraw",
    "audit_draw",
    "draw_replacements",
    "replacement_problem",
]


@dataclass(frozen=True)
class QuotaCheck:
    quota: Quota
    seats: int

    @property
    def met(self) -> bool:
        return self.quota.min <= self.seats <= self.quota.max


@dataclass(frozen=True)
class AuditReport:
    """Everything a resident needs to check a draw.

    Attributes
    ----------
    algorithm, lottery_digest, seed, seed_sha256, ticket, total_tickets, panel_index, panel
        The draw and how to re-run it (see :mod:`~sharingcity.planning.sortition.lottery`).
    quota_checks : list of QuotaCheck
        Seats per quota in the drawn panel.
    probabilities : dict of str to float
        Every volunteer's selection probability under the published lottery.
    panels_in_lottery : int
    """

    algorithm: str
    lottery_digest: str
    seed: str
    seed_sha256: str
    ticket: int
    total_tickets: int
    panel_index: int
    panel: tuple[str, ...]
    quota_checks: tuple[QuotaCheck, ...]
    probabilities: dict[str, float]
    panels_in_lottery: int
    lottery_panel_problems: tuple[str, ...]

    @property
    def quotas_met(self) -> bool:
        return all(check.met for check in self.quota_checks) and not self.lottery_panel_problems

    @property
    def minimum_probability(self) -> float:
        return min(self.probabilities.values())

    def probability_summary(self) -> dict[str, float]:
        values = np.array(list(self.probabilities.values()))
        return {
            "volunteers": float(len(values)),
            "minimum": float(values.min()),
            "p10": float(np.quantile(values, 0.1)),
            "median": float(np.median(values)),
            "mean": float(values.mean()),
            "p90": float(np.quantile(values, 0.9)),
            "maximum": float(values.max()),
            "at_minimum": float(np.sum(values <= values.min() + 1e-9)),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "lottery_digest": self.lottery_digest,
            "seed": self.seed,
            "seed_sha256": self.seed_sha256,
            "ticket": self.ticket,
            "total_tickets": self.total_tickets,
            "panel_index": self.panel_index,
            "panel": list(self.panel),
            "quotas_met": self.quotas_met,
            "quotas": [
                {
                    "feature": c.quota.feature,
                    "value": c.quota.value,
                    "min": c.quota.min,
                    "max": c.quota.max,
                    "seats": c.seats,
                    "met": c.met,
                }
                for c in self.quota_checks
            ],
            "minimum_probability": self.minimum_probability,
            "probability_summary": self.probability_summary(),
            "probabilities": self.probabilities,
            "panels_in_lottery": self.panels_in_lottery,
            "lottery_panel_problems": list(self.lottery_panel_problems),
        }

    def to_text(self) -> str:
        summary = self.probability_summary()
        lines = [
            f"Panel of {len(self.panel)} drawn by {self.algorithm} lottery {self.lottery_digest}",
            f"Seed: {self.seed!r} (SHA-256 {self.seed_sha256})",
            f"Ticket {self.ticket:,} of {self.total_tickets:,} -> published panel #{self.panel_index} of {self.panels_in_lottery}",
            "Quotas: " + ("all met" if self.quotas_met else "NOT MET"),
        ]
        for c in self.quota_checks:
            lines.append(
                f"  {c.quota.label}: {c.seats} seat(s) (quota {c.quota.min}-{c.quota.max}) {'ok' if c.met else 'VIOLATED'}"
            )
        lines.extend(f"  lottery problem: {p}" for p in self.lottery_panel_problems)
        lines.append(
            f"Selection probabilities of {int(summary['volunteers'])} volunteers: minimum {summary['minimum']:.4%} "
            f"({int(summary['at_minimum'])} volunteer(s) at the minimum), median {summary['median']:.4%}, "
            f"mean {summary['mean']:.4%}, maximum {summary['maximum']:.4%}"
        )
        lines.append("Members: " + ", ".join(self.panel))
        return "\n".join(lines)


def audit_draw(lottery: PanelLottery, draw: PanelDraw) -> AuditReport:
    """Check a draw against its lottery and summarise it for publication.

    The draw is re-run from the lottery and the seed; a mismatch raises ``SortitionInputError``.
    """
    rerun = draw_panel(lottery, draw.seed)
    if rerun.panel != draw.panel or rerun.lottery_digest != draw.lottery_digest:
        raise SortitionInputError(
            "the draw does not match its lottery and seed: re-running it gives another panel"
        )
    counts = {(q.feature, q.value): 0 for q in lottery.quotas}
    for member in draw.panel:
        for feature, value in lottery.group_values[lottery.group_of(member)].items():
            if (feature, value) in counts:
                counts[(feature, value)] += 1
    return AuditReport(
        algorithm=lottery.algorithm,
        lottery_digest=lottery.digest,
        seed=draw.seed,
        seed_sha256=commit_seed(draw.seed),
        ticket=draw.ticket,
        total_tickets=draw.total_tickets,
        panel_index=draw.panel_index,
        panel=draw.panel,
        quota_checks=tuple(QuotaCheck(q, counts[(q.feature, q.value)]) for q in lottery.quotas),
        probabilities=lottery.selection_probabilities(),
        panels_in_lottery=len(lottery.panels),
        lottery_panel_problems=tuple(lottery.check_panels()),
    )


def replacement_problem(
    problem: PanelProblem, *, panel: Iterable[str], declined: Iterable[str]
) -> PanelProblem:
    """The selection problem for replacing volunteers who declined.

    The members who accepted keep their seats; the new pool is everyone not yet drawn (and, under the
    household rule, not a housemate of a member); quotas shrink by the seats the members already take.

    Raises
    ------
    SortitionInputError
        When ``declined`` is empty or names someone not on the panel.
    """
    panel = list(panel)
    declined = set(declined)
    on_panel = set(panel)
    if not declined:
        raise SortitionInputError("nobody declined: there is nothing to replace")
    strangers = sorted(declined - on_panel)
    if strangers:
        raise SortitionInputError(
            f"not on the panel, so they cannot decline: {', '.join(strangers)}"
        )
    kept = [problem.volunteer(i) for i in panel if i not in declined]
    taken = problem.quota_counts(v.id for v in kept)
    quotas = []
    for quota in problem.quotas:
        used = taken[(quota.feature, quota.value)]
        quotas.append(
            Quota(quota.feature, quota.value, max(0, quota.min - used), max(0, quota.max - used))
        )
    kept_households = {v.household for v in kept if v.household is not None}
    pool = [
        v
        for v in problem.volunteers
        if v.id not in on_panel
        and not (
            problem.one_per_household and v.household is not None and v.household in kept_households
        )
    ]
    if len(pool) < len(declined):
        raise SortitionInputError(
            f"only {len(pool)} volunteer(s) left to replace {len(declined)} who declined"
        )
    return PanelProblem(pool, quotas, len(declined), one_per_household=problem.one_per_household)


@dataclass(frozen=True)
class ReplacementDraw:
    """A replacement draw: who joins, the completed panel, and the lottery and draw to publish."""

    replacements: tuple[str, ...]
    panel: tuple[str, ...]
    lottery: PanelLottery
    draw: PanelDraw


def draw_replacements(
    problem: PanelProblem,
    *,
    panel: Iterable[str],
    declined: Iterable[str],
    seed: str,
    selector: Callable[[PanelProblem], PanelLottery] | None = None,
) -> ReplacementDraw:
    """Replace the volunteers who declined with a fresh, verifiable lottery among those not yet drawn.

    The replacement lottery (LEXIMIN by default) is computed on :func:`replacement_problem`, so the
    completed panel meets the original quotas. Publish the new lottery's digest before the new seed
    is known, as for the first draw.
    """
    from .leximin import find_leximin

    panel = list(panel)
    declined = set(declined)
    sub = replacement_problem(problem, panel=panel, declined=declined)
    lottery = (selector or find_leximin)(sub)
    draw = draw_panel(lottery, seed)
    completed = tuple(sorted([i for i in panel if i not in declined] + list(draw.panel)))
    return ReplacementDraw(replacements=draw.panel, panel=completed, lottery=lottery, draw=draw)
