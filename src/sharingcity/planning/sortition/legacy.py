"""The legacy greedy draw, kept for comparison with LEXIMIN.

Before LEXIMIN, panel organisers (e.g. the Sortition Foundation's LEGACY algorithm, described in
Flanigan et al., Nature 2021, Methods) filled quotas one seat at a time: pick the feature value that
most urgently needs people (largest ratio of missing minimum seats to remaining volunteers with that
value), draw a volunteer with that value uniformly at random, drop everyone whose values are now
full, and start over when stuck. It always meets the quotas, but some volunteers are picked far less
often than others (on the paper's ``example_small_20`` pool one volunteer gets ~1-2 % instead of
10 %). This is our own implementation of that idea, not a copy of any package.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .errors import SortitionError
from .model import PanelProblem

__all__ = ["draw_legacy", "estimate_legacy_probabilities"]


def _attempt(problem: PanelProblem, rng: np.random.Generator) -> list[str] | None:
    features = problem.features
    key_of = {(q.feature, q.value): j for j, q in enumerate(problem.quotas)}
    mins = np.array([q.min for q in problem.quotas])
    maxs = np.array([q.max for q in problem.quotas])
    ids = [v.id for v in problem.volunteers]
    value_keys = np.array(
        [[key_of[(f, v.features[f])] for f in features] for v in problem.volunteers], dtype=np.int64
    )
    households: dict[str, list[int]] = defaultdict(list)
    if problem.one_per_household:
        for i, v in enumerate(problem.volunteers):
            if v.household is not None:
                households[v.household].append(i)
    available = np.ones(len(ids), dtype=bool)
    seats = np.zeros(len(problem.quotas), dtype=np.int64)
    panel: list[int] = []
    # Values already at their maximum exclude their holders from the start (max 0).
    for j in np.flatnonzero(maxs == 0):
        available &= ~(value_keys == j).any(axis=1)
    while len(panel) < problem.size:
        if not available.any():
            return None
        remaining = np.bincount(value_keys[available].ravel(), minlength=len(mins))
        missing = np.maximum(mins - seats, 0)
        if (missing > remaining).any():
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            urgency = np.where(remaining > 0, missing / remaining, 0.0)
        if urgency.max() > 0:
            best = np.flatnonzero(urgency == urgency.max())
            value = int(rng.choice(best))
            candidates = np.flatnonzero(available & (value_keys == value).any(axis=1))
        else:
            candidates = np.flatnonzero(available)
        person = int(rng.choice(candidates))
        panel.append(person)
        available[person] = False
        seats[value_keys[person]] += 1
        household = problem.volunteers[person].household
        if problem.one_per_household and household is not None:
            available[households[household]] = False
        for j in value_keys[person]:
            if seats[j] >= maxs[j]:
                available &= ~(value_keys == j).any(axis=1)
    if (seats < mins).any():
        return None
    return sorted(ids[i] for i in panel)


def draw_legacy(
    problem: PanelProblem, *, seed: int | np.random.Generator | None = None, max_attempts: int = 100
) -> tuple[str, ...]:
    """Draw one panel with the legacy greedy quota-filling method.

    Parameters
    ----------
    problem : PanelProblem
    seed : int or numpy Generator, optional
    max_attempts : int
        Restarts when a draw gets stuck before giving up.

    Returns
    -------
    tuple of str
        Sorted volunteer ids; the panel meets every quota (and the household rule when set).

    Raises
    ------
    SortitionError
        When every attempt got stuck (the quotas may be infeasible; see ``explain_infeasibility``).

    Notes
    -----
    Complexity: O(k·n·F) per attempt for panel size k, n volunteers and F features.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    for _ in range(max_attempts):
        panel = _attempt(problem, rng)
        if panel is not None:
            return tuple(panel)
    raise SortitionError(
        f"the legacy draw got stuck {max_attempts} times; the quotas may be impossible to meet"
    )


def estimate_legacy_probabilities(
    problem: PanelProblem, *, draws: int = 1000, seed: int | None = None
) -> dict[str, float]:
    """Selection frequency of every volunteer over ``draws`` legacy draws (an estimate, not exact)."""
    if draws < 1:
        raise ValueError("draws must be at least 1")
    rng = np.random.default_rng(seed)
    counts = dict.fromkeys((v.id for v in problem.volunteers), 0)
    for _ in range(draws):
        for volunteer_id in draw_legacy(problem, seed=rng):
            counts[volunteer_id] += 1
    return {volunteer_id: c / draws for volunteer_id, c in counts.items()}
