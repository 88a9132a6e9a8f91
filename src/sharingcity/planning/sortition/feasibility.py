"""Why no panel meets the quotas, and the smallest change of quotas that fixes it.

Two questions are answered with small integer programs over seat counts per group (HiGHS):

* **Which quotas conflict?** A deletion filter (Chinneck and Dravnieks, ORSA J. Computing 3(2), 1991)
  over the quota bounds ("at least a" / "at most b" of a value) finds an irreducible conflicting set:
  together with the panel size (and the household rule) they admit no panel, and dropping any one
  of them does. One feasibility check per quota bound.
* **What is the smallest relaxation?** Slack variables on every quota bound, minimising the total
  number of seats by which minimums are lowered and maximums raised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._highs import INF, PanelOracle, panel_rows, solve_mip
from .model import PanelProblem, Quota, group_volunteers

__all__ = ["InfeasibilityReport", "QuotaBound", "QuotaChange", "explain_infeasibility"]


@dataclass(frozen=True)
class QuotaBound:
    """One side of a quota: ``kind`` is ``"min"`` or ``"max"``."""

    quota: Quota
    kind: str

    def words(self) -> str:
        if self.kind == "min":
            return f"{self.quota.label}: at least {self.quota.min} seat(s)"
        return f"{self.quota.label}: at most {self.quota.max} seat(s)"


@dataclass(frozen=True)
class QuotaChange:
    """A relaxed quota: ``new_min <= old min`` and ``new_max >= old max``."""

    quota: Quota
    new_min: int
    new_max: int

    def words(self) -> str:
        parts = []
        if self.new_min != self.quota.min:
            parts.append(
                f"lower the minimum of {self.quota.label} from {self.quota.min} to {self.new_min}"
            )
        if self.new_max != self.quota.max:
            parts.append(
                f"raise the maximum of {self.quota.label} from {self.quota.max} to {self.new_max}"
            )
        return " and ".join(parts)


@dataclass(frozen=True)
class InfeasibilityReport:
    """Why no valid panel exists.

    Attributes
    ----------
    size : int
    reasons : list of str
        Simple arithmetic reasons found directly (e.g. too few volunteers with a value).
    conflict : list of QuotaBound
        An irreducible set of quota bounds that cannot hold together with the panel size.
    relaxation : list of QuotaChange
        A smallest relaxation (fewest seats of change in total); empty when relaxing quotas cannot help.
    relaxation_seats : int
    pool_too_small : bool
        True when even without quotas no panel exists (too few volunteers or households).
    """

    size: int
    reasons: list[str] = field(default_factory=list)
    conflict: list[QuotaBound] = field(default_factory=list)
    relaxation: list[QuotaChange] = field(default_factory=list)
    relaxation_seats: int = 0
    pool_too_small: bool = False

    def explanation(self) -> str:
        """The report in words, for the panel's organisers and the public."""
        lines = [f"No panel of {self.size} can meet all the quotas."]
        if self.reasons:
            lines.append("Reasons:")
            lines.extend(f"  - {reason}" for reason in self.reasons)
        if self.pool_too_small:
            lines.append(
                "Even without any quota there are not enough volunteers (or households) to fill the panel."
            )
            return "\n".join(lines)
        if self.conflict:
            lines.append(
                f"These {len(self.conflict)} quota bound(s) conflict with each other and with the panel size of "
                f"{self.size} (dropping any one of them makes a panel possible):"
            )
            lines.extend(f"  - {bound.words()}" for bound in self.conflict)
        if self.relaxation:
            lines.append(
                f"Smallest change that makes a panel possible ({self.relaxation_seats} seat(s) in total):"
            )
            lines.extend(f"  - {change.words()}" for change in self.relaxation)
        return "\n".join(lines)


def _simple_reasons(problem: PanelProblem) -> list[str]:
    reasons = []
    have = Counter((f, v.features[f]) for v in problem.volunteers for f in problem.features)
    by_feature: dict[str, list[Quota]] = {}
    for quota in problem.quotas:
        by_feature.setdefault(quota.feature, []).append(quota)
        if have[(quota.feature, quota.value)] < quota.min:
            reasons.append(
                f"only {have[(quota.feature, quota.value)]} volunteer(s) have {quota.label}, but the minimum is {quota.min}"
            )
        if quota.min > problem.size:
            reasons.append(
                f"the minimum of {quota.label} ({quota.min}) is larger than the panel ({problem.size})"
            )
    for feature, quotas in by_feature.items():
        low = sum(q.min for q in quotas)
        high = sum(min(q.max, have[(feature, q.value)]) for q in quotas)
        if low > problem.size:
            reasons.append(
                f"the minimums of {feature} add up to {low}, more than the {problem.size} seats"
            )
        if high < problem.size:
            reasons.append(
                f"at most {high} seat(s) can go to {feature} values (maximums, capped by the volunteers available), "
                f"fewer than the {problem.size} seats"
            )
    return reasons


def explain_infeasibility(problem: PanelProblem) -> InfeasibilityReport:
    """Explain why ``problem`` has no valid panel (see the module docstring).

    Returns a report with empty ``conflict`` and ``relaxation`` when a valid panel does exist.
    Complexity: 2Q + 2 small integer programs for Q quotas.
    """
    groups = group_volunteers(problem)
    base = panel_rows(groups, problem.quotas, problem.size)
    size_row, quota_rows, household_rows = (
        base[0],
        base[1 : 1 + len(problem.quotas)],
        base[1 + len(problem.quotas) :],
    )
    count = groups.count
    reasons = _simple_reasons(problem)

    if PanelOracle(groups, problem.quotas, problem.size).best(np.zeros(count)) is not None:
        return InfeasibilityReport(size=problem.size)

    def feasible(active: Sequence[tuple[int, str]]) -> bool:
        rows = [size_row, *household_rows]
        for q, kind in active:
            idx, val, lo, hi = quota_rows[q]
            rows.append((idx, val, lo, INF) if kind == "min" else (idx, val, -INF, hi))
        found = solve_mip(
            cost=np.zeros(count), lower=np.zeros(count), upper=groups.sizes.astype(np.float64), rows=rows,
            integer=np.ones(count, dtype=bool),
        )  # fmt: skip
        return found is not None

    if not feasible([]):
        return InfeasibilityReport(size=problem.size, reasons=reasons, pool_too_small=True)

    # Deletion filter: drop each bound in turn; keep it dropped if the rest still conflict.
    active = [(q, kind) for q, quota in enumerate(problem.quotas) for kind in ("min", "max")
              if (kind == "min" and quota.min > 0) or (kind == "max" and quota.max < problem.size)]  # fmt: skip
    position = 0
    while position < len(active):
        trial = active[:position] + active[position + 1 :]
        if not feasible(trial):
            active = trial
        else:
            position += 1
    conflict = [QuotaBound(problem.quotas[q], kind) for q, kind in active]

    # Smallest relaxation: columns = seats per group, then (lower_q, raise_q) per quota.
    quotas = problem.quotas
    n_quota = len(quotas)
    rows = [size_row, *household_rows]
    for q, (idx, val, lo, hi) in enumerate(quota_rows):
        lower_col, raise_col = count + 2 * q, count + 2 * q + 1
        rows.append(
            (np.append(idx, lower_col), np.append(val, 1.0), lo, INF)
        )  # seats + lowered ≥ min
        rows.append(
            (np.append(idx, raise_col), np.append(val, -1.0), -INF, hi)
        )  # seats − raised ≤ max
    cost = np.concatenate([np.zeros(count), np.ones(2 * n_quota)])
    upper = np.concatenate(
        [
            groups.sizes.astype(np.float64),
            np.array([[q.min, problem.size] for q in quotas], dtype=np.float64).ravel(),
        ]
    )
    found = solve_mip(
        cost=cost, lower=np.zeros(count + 2 * n_quota), upper=upper, rows=rows,
        integer=np.ones(count + 2 * n_quota, dtype=bool),
    )  # fmt: skip
    relaxation: list[QuotaChange] = []
    total = 0
    if found is not None:
        slack = np.rint(found[0][count:]).astype(int)
        for q, quota in enumerate(quotas):
            lowered, raised = int(slack[2 * q]), int(slack[2 * q + 1])
            if lowered or raised:
                relaxation.append(QuotaChange(quota, quota.min - lowered, quota.max + raised))
                total += lowered + raised
    return InfeasibilityReport(
        size=problem.size,
        reasons=reasons,
        conflict=conflict,
        relaxation=relaxation,
        relaxation_seats=total,
    )
