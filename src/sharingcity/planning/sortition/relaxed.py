"""The fast path of LEXIMIN: solve it over the LP relaxation, then check that panels realise it.

A panel is an integer vector of seats per group in the polytope::

    Q = {s : 0 ≤ s_t ≤ size_t, Σ_t s_t = k, quota rows, at most one seat per household}

and a lottery gives group ``t`` the probability ``E[s_t]/size_t``, a point of ``conv(Q ∩ Z^T)``.
``Q`` itself contains that hull. So the LEXIMIN point ``x*`` over ``Q`` (each level an explicit LP
with T+1 variables: no panels, no integer programs) is lexicographically at least as good as every
lottery, and **if some lottery has the probabilities ``x*``, that lottery is LEXIMIN**.
:func:`decompose` looks for one by column generation (one integer program per panel, as in the
level-by-level method, but for one target instead of one LP per level). When it proves that no
lottery reaches ``x*`` (a Lagrangian bound, or a stall), the caller falls back to the paper's
level-by-level column generation, which never relies on the relaxation.

Which groups a level of the relaxation fixes: a group whose row has a positive dual is at the level
in every optimum (complementary slackness); every other open group is tested with one LP maximising
its own probability while the others keep the level, unless an earlier test's solution already had it
above the level. Groups that no panel seats (found by the caller) are held at 0 in the relaxation,
as in every lottery. Correctness never depends on the relaxation being integral: a wrong guess only
costs the time of the failed decomposition.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from ._highs import INF, IncrementalLP, PanelOracle, _new_highs, _pass, panel_rows
from .model import Quota, VolunteerGroups

#: A group is at the level when its largest probability (others at the level) exceeds it by no more.
LEVEL_TOLERANCE = 1e-9
#: Fixed levels are lowered by this much inside the relaxation so that later LPs stay feasible.
RELAXED_SLACK = 1e-10
#: Row duals above this mark a group as fixed at the level without its own LP test. Well above
#: HiGHS's dual tolerance: a group whose true dual is smaller is only tested, never fixed wrongly.
DUAL_TOLERANCE = 1e-6
#: Expected seats this close to a bound count as at the bound (see face_of).
FACE_TOLERANCE = 1e-6
#: Decomposition stops once the total deviation Σ_t |probability_t − target_t| is this small ...
DEVIATION_TOLERANCE = 1e-9
#: ... and, when no new panel improves it further, accepts at most this (HiGHS's LP feasibility
#: tolerance is 1e-7; every group keeps at least its level minus this deviation).
ACCEPTED_DEVIATION = 1e-7
#: Decomposition: reduced values below this do not improve the master LP.
PRICING_TOLERANCE = 1e-9
#: Weight of the best dual point in the pricing point (Wentges smoothing).
SMOOTHING = 0.5
#: HiGHS feasibility tolerances of these LPs (its default, 1e-7, is too coarse for 1e-8 levels).
_TOLERANCES: dict[str, str | int | float] = {
    "primal_feasibility_tolerance": 1e-10,
    "dual_feasibility_tolerance": 1e-10,
}


@dataclass
class RelaxedLeximin:
    """LEXIMIN over the relaxation: the level of every group, and how many LP levels it took."""

    levels: np.ndarray
    #: Seats per group of the last level's LP solution: a point of ``Q`` at (or within
    #: ``RELAXED_SLACK`` below) every level, hence the decomposition's target.
    point: np.ndarray
    count: int
    lp_solves: int


def relaxed_leximin(
    groups: VolunteerGroups, quotas: Sequence[Quota], size: int, never: np.ndarray
) -> RelaxedLeximin | None:
    """LEXIMIN probabilities over the LP relaxation ``Q`` (groups in ``never`` held at 0).

    Returns None if HiGHS does not report an optimum (the caller then uses the exact method).
    Complexity: per level one LP, plus one LP per group of the level whose dual is zero and whose
    probability no earlier test already showed above the level; LPs of T+1 columns.
    """
    count = groups.count
    sizes = groups.sizes.astype(np.float64)
    rows = list(panel_rows(groups, quotas, size))
    first = len(rows)
    # Row first+t: x_t − size_t·z ≥ 0 while t is open; x_t ≥ size_t·level once fixed.
    rows.extend((np.array([t, count]), np.array([1.0, -sizes[t]]), 0.0, INF) for t in range(count))
    highs = _new_highs()
    for key, value in _TOLERANCES.items():
        highs.setOptionValue(key, value)
    z_only = np.append(np.zeros(count), 1.0)
    _pass(
        highs,
        cost=z_only,
        lower=np.append(np.zeros(count), -INF),
        upper=np.append(np.where(never, 0.0, sizes), INF),
        rows=rows,
        integer=False,
        maximize=True,
    )
    columns = np.arange(count + 1, dtype=np.int32)
    fixed = np.full(count, np.nan)
    point = np.zeros(count)
    lp_solves = 0

    def fix(t: int, level: float) -> None:
        fixed[t] = level
        highs.changeCoeff(first + t, count, 0.0)
        highs.changeRowBounds(first + t, sizes[t] * max(0.0, level - RELAXED_SLACK), INF)

    def run() -> bool:
        nonlocal lp_solves
        highs.run()
        lp_solves += 1
        return bool(highs.getModelStatus() == highspy.HighsModelStatus.kOptimal)

    for t in np.flatnonzero(never):
        fix(int(t), 0.0)
    levels = 0
    while np.isnan(fixed).any():
        unfixed = np.isnan(fixed)
        highs.changeColBounds(count, -INF, INF)
        highs.changeColsCost(count + 1, columns, z_only)
        if not run():
            return None
        z = float(highs.getInfo().objective_function_value)
        point = np.asarray(highs.getSolution().col_value)[:count].copy()
        duals = np.asarray(highs.getSolution().row_dual)[first : first + count]
        at_level = unfixed & (np.abs(duals) > DUAL_TOLERANCE)
        above = np.zeros(count, dtype=bool)
        highs.changeColBounds(count, z, z)
        for t in np.flatnonzero(unfixed & ~at_level):
            if above[t]:
                continue
            cost = np.zeros(count + 1)
            cost[t] = 1.0 / sizes[t]
            highs.changeColsCost(count + 1, columns, cost)
            if not run():
                return None
            if highs.getInfo().objective_function_value <= z + LEVEL_TOLERANCE:
                at_level[t] = True
            else:
                x = np.asarray(highs.getSolution().col_value)[:count]
                above |= unfixed & (x > sizes * (z + LEVEL_TOLERANCE))
        if not at_level.any():
            return None
        for t in np.flatnonzero(at_level):
            fix(int(t), min(1.0, max(0.0, z)))
        levels += 1
    return RelaxedLeximin(levels=fixed, point=point, count=levels, lp_solves=lp_solves)


def face_of(
    groups: VolunteerGroups, quotas: Sequence[Quota], point: np.ndarray
) -> tuple[dict[int, int], dict[int, int]]:
    """Quotas and groups whose seats every panel of a lottery with expected seats ``point`` has.

    A quota whose expected seats equal its min (max), and a group whose expected seats equal its size
    (zero), are at that bound on every panel with positive probability. Rows within 1e-6 seats count
    as equal; if one is taken wrongly, the decomposition fails and the caller falls back to the exact
    method, so this cannot make the result wrong, only slower.
    """
    quota_seats: dict[int, int] = {}
    for q, quota in enumerate(quotas):
        expected = float(groups.membership[q] @ point)
        if abs(expected - quota.min) <= FACE_TOLERANCE:
            quota_seats[q] = quota.min
        elif abs(expected - quota.max) <= FACE_TOLERANCE:
            quota_seats[q] = quota.max
    sizes = groups.sizes
    group_seats = {int(t): int(sizes[t]) for t in np.flatnonzero(point >= sizes - FACE_TOLERANCE)}
    group_seats.update({int(t): 0 for t in np.flatnonzero(point <= FACE_TOLERANCE)})
    return quota_seats, group_seats


@dataclass
class Decomposition:
    """What :func:`decompose` found: the total deviation (None: no lottery reaches the target)."""

    deviation: float | None
    reason: str = ""
    panels_generated: int = 0
    oracle_calls: int = 0
    lp_solves: int = 0


def decompose(
    oracle: PanelOracle,
    target: np.ndarray,
    sizes: np.ndarray,
    known: Sequence[np.ndarray],
    add: Callable[[np.ndarray], bool],
    deadline: float,
) -> Decomposition:
    """Find panels and a lottery over them whose probabilities are ``target`` (up to a tolerance).

    Master LP over panel probabilities ``λ`` and deviations ``a, b``::

        minimise    Σ_t a_t + b_t
        subject to  Σ_P λ_P·seats_{P,t}/size_t + a_t − b_t = target_t     for every group t
                    Σ_P λ_P = 1,   λ, a, b ≥ 0

    New panels maximise ``Σ_t π_t·seats_t/size_t`` for the row duals ``π`` (in [−1, 1]). For any
    such ``π``, ``target·π − max_P π·seats_P/size`` is a lower bound on the smallest total deviation,
    so a positive bound proves that no lottery reaches the target. ``known`` panels start the master;
    ``add`` records a new panel and returns False for one seen before. The deviations keep the master
    feasible from the first panel on; matching the target exactly (rather than at least) gives duals
    of both signs, which steer the pricing away from over-served groups too.
    """
    result = Decomposition(deviation=None)
    count = len(sizes)
    master = IncrementalLP(
        cost=np.ones(2 * count),
        lower=np.zeros(2 * count),
        upper=np.full(2 * count, INF),
        rows=[
            *(
                (
                    np.array([t, count + t]),
                    np.array([1.0, -1.0]),
                    float(target[t]),
                    float(target[t]),
                )
                for t in range(count)
            ),
            (np.zeros(0, dtype=np.int64), np.zeros(0), 1.0, 1.0),
        ],
        maximize=False,
        options={"simplex_strategy": 4},
    )

    def add_column(seats: np.ndarray) -> None:
        idx = np.flatnonzero(seats)
        master.add_column(
            0.0, 0.0, INF, np.append(idx, count), np.append(seats[idx] / sizes[idx], 1.0)
        )

    def price(weights: np.ndarray) -> tuple[np.ndarray, float] | None:
        found = oracle.best(weights / sizes)
        result.oracle_calls += 1
        return None if found is None else (found[0], found[2])

    for seats in known:
        add_column(seats)
    if not known:
        first = price(target)
        if first is None:
            result.reason = "no panel on the face"
            return result
        seats = first[0]
        add(seats)
        add_column(seats)
        result.panels_generated += 1
    center: np.ndarray | None = None
    best_lower = -np.inf
    upper = np.inf

    def finish(reason: str) -> Decomposition:
        result.reason = reason
        if upper <= ACCEPTED_DEVIATION:
            result.deviation = max(0.0, upper)
        return result

    while True:
        solved = master.solve()
        result.lp_solves += 1
        if solved is None:
            return finish("the master LP failed")
        upper = solved[1]
        if upper <= DEVIATION_TOLERANCE:
            return finish("target reached")
        if time.perf_counter() > deadline:
            upper = np.inf
            return finish("time limit")
        duals = master.row_duals()
        pi, mu = np.clip(duals[:count], -1.0, 1.0), float(duals[count])
        trial = pi if center is None else SMOOTHING * center + (1 - SMOOTHING) * pi
        priced = price(trial)
        if priced is None:
            return finish("no panel on the face")
        seats, bound = priced
        lower = float(target @ trial) - bound
        if lower > best_lower:
            best_lower, center = lower, trial
        if best_lower > ACCEPTED_DEVIATION:
            return finish(f"proven out of reach (deviation at least {best_lower:.1e})")
        if float(seats @ (pi / sizes)) + mu <= PRICING_TOLERANCE:
            priced = price(pi)
            if priced is None:
                return finish("no panel on the face")
            seats, bound = priced
            lower = float(target @ pi) - bound
            if lower > best_lower:
                best_lower, center = lower, pi
            if bound + mu <= PRICING_TOLERANCE:
                return finish(f"converged at deviation {upper:.1e}")
        if not add(seats):
            return finish(f"a known panel priced as new at deviation {upper:.1e}")
        add_column(seats)
        result.panels_generated += 1
