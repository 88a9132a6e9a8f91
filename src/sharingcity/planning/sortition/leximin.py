"""LEXIMIN and maximin panel lotteries by column generation with HiGHS.

Flanigan, Gölz, Gupta, Hennig and Procaccia (Nature 596, 2021) choose the distribution over
quota-meeting panels that maximises the smallest selection probability, then the second smallest,
and so on (LEXIMIN). Their algorithm solves a sequence of LPs over panels, generating the panels
("columns") with an integer program, and needs Gurobi. This module is an open-source re-derivation
with two differences:

* It works on **groups of interchangeable volunteers** (same quota values, no housemates; see
  :class:`~sharingcity.planning.sortition.model.VolunteerGroups`) instead of people. The LEXIMIN
  allocation is unique, hence equal inside a group, and any distribution over seat counts per group
  turns into one over people by filling each group's seats uniformly at random (which the public draw
  does). So the LPs have one row per group and the integer program one variable per group: the
  paper's 2,000-person example has 3 groups.
* Every LP and integer program is solved by HiGHS (``highspy``).

Level by level, with ``f`` the probabilities fixed so far and ``U`` the groups not yet fixed, the dual
LP restricted to the known panels ``P`` is::

    minimise    ŷ − Σ_{t fixed} f_t·y_t
    subject to  Σ_{t in U} y_t = 1
                ŷ ≥ Σ_t y_t·seats_{P,t}/size_t      for every known panel P
                y ≥ 0

A new panel is one maximising ``Σ_t y_t·seats_t/size_t`` (the integer program); when its proven
upper bound does not exceed ``ŷ`` (plus a tolerance) the level ``z`` is the LP value. Groups with
``y_t > 0`` are at ``z`` in every optimal distribution (complementary slackness), so they are fixed;
at least one group is fixed per level. Maximin is the first level only.

LEXIMIN first takes a shorter road (module :mod:`.relaxed`): it solves LEXIMIN over the LP relaxation
of the panel constraints (explicit LPs, no panels) and then looks for panels on which a lottery has
exactly those probabilities. The relaxation contains every lottery, so when such panels exist the
result is LEXIMIN; when they provably do not (or the search stalls), the level-by-level method above
runs, starting from the panels found so far. On a 475-group pool the short road takes about a minute;
the level-by-level method alone did not finish in ten.

References
----------
B. Flanigan, P. Gölz, A. Gupta, B. Hennig, A. D. Procaccia, "Fair algorithms for selecting citizens'
assemblies", Nature 596, 548-552 (2021), doi:10.1038/s41586-021-03788-6 (Methods: "LEXIMIN").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._highs import INF, IncrementalLP, PanelOracle, solve_lp
from .errors import InfeasibleQuotasError
from .feasibility import explain_infeasibility
from .lottery import PanelLottery
from .model import PanelProblem, VolunteerGroups, group_volunteers
from .relaxed import decompose, face_of, relaxed_leximin

__all__ = ["SelectionStats", "find_leximin", "find_maximin"]

#: Columns whose reduced value is below this do not improve the LP (probabilities are in [0, 1]).
PRICING_TOLERANCE = 1e-9
#: Dual values above this mark a group as fixed at the current level.
DUAL_TOLERANCE = 1e-7
#: Column generation stops when the level is proven within this of the optimum.
LEVEL_TOLERANCE = 1e-8
#: Weight of the best dual point found so far in the pricing point (Wentges smoothing).
SMOOTHING = 0.5
#: Fixed levels are lowered by this much so that later LPs stay feasible despite rounding.
FIX_SLACK = 1e-9
#: Try the LP relaxation first (module :mod:`.relaxed`); tests switch it off to check the fallback.
USE_RELAXATION = True


@dataclass
class SelectionStats:
    """What the computation did (for logs and benchmarks)."""

    groups: int = 0
    levels: int = 0
    panels_generated: int = 0
    oracle_calls: int = 0
    lp_solves: int = 0
    seconds: float = 0.0
    #: False when ``time_limit`` stopped LEXIMIN before the last level (see find_leximin).
    complete: bool = True


def find_leximin(
    problem: PanelProblem,
    *,
    time_limit: float | None = None,
    stats: SelectionStats | None = None,
    progress: Callable[[str], None] | None = None,
) -> PanelLottery:
    """LEXIMIN lottery: maximise the smallest selection probability, then the next smallest, ...

    Parameters
    ----------
    problem : PanelProblem
    time_limit : float, optional
        Seconds after which no new level is started and the current one is cut short. The lottery
        is then still valid and every volunteer keeps at least the last completed level (at least
        the maximin value once the first level is done), but it is not fully LEXIMIN:
        ``stats.complete`` is set to False.
    stats : SelectionStats, optional
        Filled with counts and the running time.
    progress : callable, optional
        Called with a short message after each level.

    Returns
    -------
    PanelLottery
        Its ``minimum_probability`` equals the maximin value; no other distribution over valid
        panels has a lexicographically larger sorted probability vector (up to ~1e-8 by the levels,
        ~1e-7 through the relaxation, whose accepted deviation is ``relaxed.ACCEPTED_DEVIATION``).

    Raises
    ------
    InfeasibleQuotasError
        When no panel meets the quotas; its report names the conflicting quotas and the smallest
        relaxation.

    Notes
    -----
    Complexity: one LP and one small integer program (T variables, one row per quota) per generated
    panel, for T groups; at most T levels. Volunteers who cannot sit on any valid panel get
    probability 0 and are set aside first.
    """
    return _solve(problem, leximin=True, stats=stats, progress=progress, time_limit=time_limit)


def find_maximin(
    problem: PanelProblem,
    *,
    stats: SelectionStats | None = None,
    progress: Callable[[str], None] | None = None,
) -> PanelLottery:
    """Maximin lottery: maximise the smallest selection probability only (the first LEXIMIN level).

    Same parameters and errors as :func:`find_leximin`; the other probabilities are whatever the LP
    solver's optimal vertex gives.
    """
    return _solve(problem, leximin=False, stats=stats, progress=progress)


class _ColumnPool:
    """Known panels (seat vectors), without duplicates."""

    def __init__(self, count: int) -> None:
        self.seats: list[np.ndarray] = []
        self._seen: set[bytes] = set()
        self.count = count

    def add(self, seats: np.ndarray) -> bool:
        key = seats.astype(np.int64).tobytes()
        if key in self._seen:
            return False
        self._seen.add(key)
        self.seats.append(seats.astype(np.int64))
        return True


def _initial_panels(
    groups: VolunteerGroups, oracle: PanelOracle, pool: _ColumnPool, stats: SelectionStats
) -> np.ndarray:
    """Find panels covering every group that can be covered; return the mask of groups that cannot."""
    sizes = groups.sizes.astype(np.float64)
    covered = np.zeros(groups.count, dtype=bool)
    never = np.zeros(groups.count, dtype=bool)
    # Greedy cover: favour groups not yet on any panel (weighted per person, as the LP will be).
    while True:
        open_groups = ~covered & ~never
        if not open_groups.any():
            break
        weights = np.where(open_groups, 1.0 / sizes, 0.0) + 1e-6 / sizes
        found = oracle.best(weights)
        stats.oracle_calls += 1
        if found is None:
            raise RuntimeError("panel model became infeasible after a feasible start")
        seats = found[0]
        newly = open_groups & (seats > 0)
        if newly.any():
            pool.add(seats)
            covered |= newly
            continue
        # The best panel covers none of the open groups: test them one by one.
        t = int(np.flatnonzero(open_groups)[0])
        single = np.zeros(groups.count)
        single[t] = 1.0
        found = oracle.best(single)
        stats.oracle_calls += 1
        if found is None or found[0][t] == 0:
            never[t] = True
        else:
            pool.add(found[0])
            covered |= found[0] > 0
    return never


def _price(
    oracle: PanelOracle, y: np.ndarray, sizes: np.ndarray, stats: SelectionStats
) -> tuple[np.ndarray, float]:
    """Best panel for dual values ``y`` and a proven upper bound on its value."""
    found = oracle.best(y / sizes)
    stats.oracle_calls += 1
    if found is None:
        raise RuntimeError("panel model became infeasible after a feasible start")
    return found[0], found[2]


def _panel_row(seats: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Dual row of a panel: ŷ − Σ_t y_t·seats_t/size_t ≥ 0 (ŷ is the last column)."""
    idx = np.flatnonzero(seats)
    return np.append(idx, len(sizes)), np.append(-seats[idx] / sizes[idx], 1.0), 0.0, INF


def _solve(
    problem: PanelProblem,
    *,
    debug: Callable[[str], None] | None = None,
    time_limit: float | None = None,
    leximin: bool,
    stats: SelectionStats | None,
    progress: Callable[[str], None] | None,
) -> PanelLottery:
    started = time.perf_counter()
    stats = stats if stats is not None else SelectionStats()
    groups = group_volunteers(problem)
    count = groups.count
    stats.groups = count
    oracle = PanelOracle(groups, problem.quotas, problem.size)
    if oracle.best(np.zeros(count)) is None:
        raise InfeasibleQuotasError(explain_infeasibility(problem))
    sizes = groups.sizes.astype(np.float64)
    pool = _ColumnPool(count)
    never = _initial_panels(groups, oracle, pool, stats)
    fixed = np.full(count, np.nan)
    fixed[never] = 0.0

    deadline = np.inf if time_limit is None else started + time_limit
    ceiling: np.ndarray | None = None
    if leximin and USE_RELAXATION:
        through_relaxation = _via_relaxation(
            problem, groups, never, pool, stats, progress, deadline, started
        )
        if through_relaxation is not None:
            fixed, ceiling = through_relaxation
    last_level: float | None = None
    while np.isnan(fixed).any():
        if time.perf_counter() > deadline:
            stats.complete = False
            break
        unfixed = np.isnan(fixed)
        cost = np.append(np.where(unfixed, 0.0, -np.nan_to_num(fixed)), 1.0)
        lower = np.append(np.zeros(count), -INF)
        upper = np.full(count + 1, INF)
        rows = [(np.flatnonzero(unfixed), np.ones(int(unfixed.sum())), 1.0, 1.0)]
        rows.extend(_panel_row(seats, sizes) for seats in pool.seats)
        dual = IncrementalLP(cost=cost, lower=lower, upper=upper, rows=rows, maximize=False)
        fixed_levels = np.nan_to_num(fixed)
        center: np.ndarray | None = None
        best_bound = np.inf
        while True:
            solved = dual.solve()
            stats.lp_solves += 1
            if solved is None:
                raise RuntimeError(
                    "the LEXIMIN dual LP became infeasible; please report this instance"
                )
            values, level = solved
            y = np.maximum(values[:count], 0.0)
            y_hat = values[count]
            # Wentges smoothing: price at a point between the best dual found so far and the
            # current one, which damps the oscillation of plain column generation.
            trial = y if center is None else SMOOTHING * center + (1 - SMOOTHING) * y
            seats, bound = _price(oracle, trial, sizes, stats)
            upper_bound = bound - float(fixed_levels[~unfixed] @ trial[~unfixed])
            if upper_bound < best_bound:
                best_bound, center = upper_bound, trial
            if debug is not None:
                debug(f"{stats.levels} {len(pool.seats)} level={level:.9f} upper={best_bound:.9f}")
            if best_bound - level <= LEVEL_TOLERANCE:
                break
            if time.perf_counter() > deadline:
                stats.complete = False
                break
            if float(seats @ (y / sizes)) <= y_hat + PRICING_TOLERANCE:
                # Mis-priced: the smoothed point gave no column for the current LP; price exactly.
                seats, bound = _price(oracle, y, sizes, stats)
                upper_bound = bound - float(fixed_levels[~unfixed] @ y[~unfixed])
                if upper_bound < best_bound:
                    best_bound, center = upper_bound, y
                if bound <= y_hat + PRICING_TOLERANCE:
                    break
            if not pool.add(seats):
                break
            dual.add_row(*_panel_row(seats, sizes))
            stats.panels_generated += 1
        if not stats.complete:
            break
        stats.levels += 1
        last_level = max(0.0, level - FIX_SLACK)
        tight = unfixed & (y > DUAL_TOLERANCE)
        if not tight.any():
            tight = unfixed & (y == y[unfixed].max())
        fixed[tight] = max(0.0, level - FIX_SLACK)
        if progress is not None:
            progress(
                f"level {stats.levels}: probability {level:.6f} fixed for {int(tight.sum())} group(s), {len(pool.seats)} panels"
            )
        if not leximin:
            break

    name = "leximin" if leximin else "maximin"
    if not stats.complete:
        name = f"leximin (time limit: {stats.levels} level(s) completed)"
        if last_level is None:
            leximin = False  # stopped inside the first level: keep the best maximin found
        else:
            fixed[np.isnan(fixed)] = last_level
    weights = _final_distribution(
        pool, sizes, fixed, maximin=not leximin, never=never, ceiling=ceiling
    )
    lottery = PanelLottery.from_weights(
        groups,
        problem.quotas,
        problem.size,
        pool.seats,
        weights,
        algorithm=name,
    )
    stats.seconds = time.perf_counter() - started
    return lottery


def _via_relaxation(
    problem: PanelProblem,
    groups: VolunteerGroups,
    never: np.ndarray,
    pool: _ColumnPool,
    stats: SelectionStats,
    progress: Callable[[str], None] | None,
    deadline: float,
    started: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """LEXIMIN levels through the LP relaxation (see :mod:`.relaxed`), or None if panels cannot realise them.

    Returns a floor and a ceiling per group, both within the accepted deviation of the relaxation's
    point: the known panels carry a lottery between them.
    """
    relaxed = relaxed_leximin(groups, problem.quotas, problem.size, never)
    if relaxed is None:
        return None
    stats.lp_solves += relaxed.lp_solves
    if progress is not None:
        progress(
            f"relaxation: {relaxed.count} level(s), minimum {relaxed.levels.min():.6f}, "
            f"{time.perf_counter() - started:.1f} s"
        )
    sizes = groups.sizes.astype(np.float64)
    face = PanelOracle(groups, problem.quotas, problem.size)
    face.restrict(*face_of(groups, problem.quotas, relaxed.point))
    target = relaxed.point / sizes
    done = decompose(
        face,
        target,
        sizes,
        list(pool.seats),
        pool.add,
        deadline,
    )
    stats.panels_generated += done.panels_generated
    stats.oracle_calls += done.oracle_calls
    stats.lp_solves += done.lp_solves
    if progress is not None:
        outcome = (
            done.reason
            if done.deviation is None
            else f"deviation {done.deviation:.1e} ({done.reason})"
        )
        progress(
            f"decomposition into {len(pool.seats)} panels: {outcome}, "
            f"{time.perf_counter() - started:.1f} s"
        )
    if done.deviation is None:
        return None
    stats.levels = relaxed.count
    # Every group gets at least target − deviation, and target ≥ level − RELAXED_SLACK.
    reached = np.minimum(relaxed.levels, target) - done.deviation - FIX_SLACK
    # The ceiling keeps the final LP from handing the leftover of the floors to a few groups.
    return np.maximum(0.0, reached), target + done.deviation + FIX_SLACK


def _final_distribution(
    pool: _ColumnPool,
    sizes: np.ndarray,
    fixed: np.ndarray,
    *,
    maximin: bool,
    never: np.ndarray,
    ceiling: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities of the known panels meeting the fixed levels (maximin: maximising the minimum).

    With ``ceiling``, no group gets more than its entry either.
    """
    panels = len(pool.seats)
    count = len(sizes)
    shares = np.array(pool.seats, dtype=np.float64) / sizes  # (panels, groups)
    rows: list[tuple[np.ndarray, np.ndarray, float, float]] = [
        (np.arange(panels), np.ones(panels), 1.0, 1.0)
    ]
    if maximin:
        # Variables: λ_P, then z. Rows: Σ λ = 1; Σ_P λ_P·share_{P,t} − z ≥ 0 for every coverable group.
        for t in range(count):
            if never[t]:
                continue
            idx = np.flatnonzero(shares[:, t])
            rows.append((np.append(idx, panels), np.append(shares[idx, t], -1.0), 0.0, INF))
        cost = np.append(np.zeros(panels), 1.0)
        solved = solve_lp(
            cost=cost,
            lower=np.append(np.zeros(panels), -INF),
            upper=np.full(panels + 1, INF),
            rows=rows,
            maximize=True,
        )
    else:
        for t in range(count):
            idx = np.flatnonzero(shares[:, t])
            top = INF if ceiling is None else float(ceiling[t])
            if len(idx) and (fixed[t] > 0 or top < INF):
                rows.append((idx, shares[idx, t], float(fixed[t]), top))
        solved = solve_lp(
            cost=np.zeros(panels),
            lower=np.zeros(panels),
            upper=np.full(panels, INF),
            rows=rows,
            maximize=False,
        )
    if solved is None:
        raise RuntimeError(
            "no distribution over the generated panels meets the fixed levels; please report this instance"
        )
    return np.maximum(solved[0][:panels], 0.0)
