"""Covering models: maximal covering (most demand within a time standard with ``p`` sites) and
set covering (fewest sites so that every zone with demand is within the standard).

Both are solved exactly by MILP with HiGHS after exact reductions that keep the optimum:

* zones with the same set of covering sites are merged (their demand adds up), and zones no
  site can cover are set aside;
* a site whose covered zones are a subset of another site's is dropped (swapping it for the
  larger one never loses coverage); of identical sites the first is kept.

Coverage variables of the maximal covering model are continuous in [0, 1]: with integer sites
they are integral at an optimum, so branching happens on sites only.

References
----------
.. [1] R. Church, C. ReVelle, "The maximal covering location problem", Papers of the Regional
   Science Association 32 (1974) 101-118.
.. [2] C. Toregas, R. Swain, C. ReVelle, L. Bergman, "The location of emergency service
   facilities", Operations Research 19 (1971) 1363-1373.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._highs import build_highs, run_highs
from .errors import SitingError, SitingInfeasibleError
from .problem import (
    HEURISTIC,
    OPTIMAL,
    TIME_LIMIT,
    SitingResult,
    check_count,
    check_demand_travel,
    check_time_limit,
    relative_gap,
)


@dataclass(frozen=True)
class CoverageGroups:
    """Zones merged by identical coverage sets, with dominated sites removed.

    ``cover`` is a (groups x kept sites) CSR 0/1 matrix; ``group_of_zone`` is -1 for zones no
    site covers; ``sites`` maps kept columns to original site indices.
    """

    cover: sp.csr_matrix
    weight: np.ndarray
    group_of_zone: np.ndarray
    sites: np.ndarray
    n_zones_uncoverable: int


def coverage_groups(
    demand: np.ndarray, within: np.ndarray, *, drop_dominated: bool = True
) -> CoverageGroups:
    """Merge zones with equal coverage rows and drop dominated sites. O(n m) plus O(m^2) for the
    site dominance test (a sparse ``C^T C``)."""
    n, m = within.shape
    coverable = within.any(axis=1)
    idx = np.flatnonzero(coverable)
    packed = np.packbits(within[idx], axis=1)
    uniq, inverse = np.unique(packed, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    weight = np.bincount(inverse, weights=demand[idx], minlength=uniq.shape[0])
    group_of_zone = np.full(n, -1, dtype=np.int64)
    group_of_zone[idx] = inverse
    rows = np.unpackbits(uniq, axis=1, count=m).astype(bool)
    cover = sp.csr_matrix(rows, dtype=np.float64)
    sites = np.arange(m)
    if drop_dominated and m > 1:
        c = sp.csc_matrix(rows, dtype=np.float64)
        inter = (c.T @ c).toarray()
        size = np.diag(inter).copy()
        subset = inter >= size[:, None] - 0.5  # subset[j, k]: cov_j is inside cov_k
        np.fill_diagonal(subset, False)
        larger = size[None, :] > size[:, None]
        earlier = np.arange(m)[None, :] < np.arange(m)[:, None]
        dominated = (subset & (larger | earlier)).any(axis=1)
        sites = np.flatnonzero(~dominated)
        cover = sp.csr_matrix(cover[:, sites])
    return CoverageGroups(
        cover=cover,
        weight=weight,
        group_of_zone=group_of_zone,
        sites=sites,
        n_zones_uncoverable=int(n - idx.size),
    )


def _greedy_cover(cover: sp.csr_matrix, weight: np.ndarray, p: int) -> np.ndarray:
    """Greedy maximal covering on groups: add the site covering most uncovered demand."""
    csc = sp.csc_matrix(cover)
    uncovered = weight.copy()
    chosen: list[int] = []
    for _ in range(min(p, cover.shape[1])):
        gain = csc.T @ uncovered
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        uncovered[csc[:, j].indices] = 0.0
    return np.asarray(chosen, dtype=np.int64)


def _swap_cover(
    cover: sp.csr_matrix, weight: np.ndarray, sites: np.ndarray, *, deadline: float = math.inf
) -> np.ndarray:
    """Best-improvement 1-swap local search for maximal covering. O(nnz + m p) per round."""
    csc = sp.csc_matrix(cover)
    g, m = cover.shape
    sites = sites.copy()
    p = sites.size
    if p == 0 or p == m:
        return sites
    while time.perf_counter() < deadline:
        open_ = np.zeros(m)
        open_[sites] = 1.0
        count = cover @ open_
        gain = csc.T @ (weight * (count == 0))
        sole = count == 1
        sole_groups = np.flatnonzero(sole)
        # the single open site covering each sole group, as a position in `sites`
        sub = cover[sole_groups][:, sites]
        pos = np.asarray(sub.argmax(axis=1)).ravel()
        loss = np.bincount(pos, weights=weight[sole_groups], minlength=p)
        onehot = sp.csr_matrix((weight[sole_groups], (sole_groups, pos)), shape=(g, p))
        extra = np.asarray((csc.T @ onehot).todense())  # (m, p)
        delta = gain[:, None] - loss[None, :] + extra
        delta[sites, :] = -np.inf
        j, r = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[j, r] > 1e-9 * max(1.0, float(weight.sum())):
            break
        sites[r] = j
    return sites


def _result(
    model: str,
    within: np.ndarray,
    travel: np.ndarray,
    sites: np.ndarray,
    objective: float,
    bound: float,
    status: str,
    t0: float,
    method: str,
    details: dict[str, object],
) -> SitingResult:
    sites = np.sort(sites)
    n = travel.shape[0]
    assignment = np.full(n, -1, dtype=np.int64)
    if sites.size:
        sub = np.where(within[:, sites], travel[:, sites], np.inf)
        best = np.argmin(sub, axis=1)
        ok = np.isfinite(sub[np.arange(n), best])
        assignment[ok] = sites[best[ok]]
    return SitingResult(
        model=model,
        sites=tuple(int(j) for j in sites),
        assignment=assignment,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        status=status,
        time_s=time.perf_counter() - t0,
        method=method,
        details=details,
    )


def _check_standard(standard: object) -> float:
    if isinstance(standard, bool) or not isinstance(standard, (int, float, np.number)):
        raise SitingError(f"standard must be a travel time or distance, got {standard!r}")
    if not (math.isfinite(float(standard)) and float(standard) >= 0):
        raise SitingError(f"standard must be finite and non-negative, got {standard}")
    return float(standard)


class MaximalCoveringModel:
    """The reduced maximal covering MILP, built once and re-solvable for several ``p``.

    Used by :func:`maximal_covering` and by the coverage curve (only the right-hand side of the
    "p sites" row changes between solves).
    """

    def __init__(self, demand: np.ndarray, travel: np.ndarray, standard: float) -> None:
        self.demand, self.travel, self.standard = demand, travel, standard
        self.within = travel <= standard
        self.groups = coverage_groups(demand, self.within)
        grp = self.groups
        g, m = grp.cover.shape
        self.n_groups, self.n_sites = g, m
        # columns: y (m) then z (g); rows: z_g - sum y <= 0 (g), sum y = p (1)
        cov = sp.coo_matrix(grp.cover)
        rows = np.concatenate([np.arange(g), cov.row, np.full(m, g)])
        cols = np.concatenate([m + np.arange(g), cov.col, np.arange(m)])
        vals = np.concatenate([np.ones(g), -np.ones(cov.nnz), np.ones(m)])
        a = sp.csc_matrix((vals, (rows, cols)), shape=(g + 1, m + g))
        cost = np.concatenate([np.zeros(m), grp.weight])
        integer = np.concatenate([np.ones(m, bool), np.zeros(g, bool)])
        row_lo = np.full(g + 1, -np.inf)
        row_hi = np.zeros(g + 1)
        self.highs = build_highs(
            cost, a, row_lo, row_hi, np.zeros(m + g), np.ones(m + g), integer, maximize=True
        )
        self.size = {
            "n_vars": m + g,
            "n_rows": g + 1,
            "n_nonzeros": int(a.nnz),
            "zone_groups": g,
            "sites_kept": m,
            "zones_uncoverable": grp.n_zones_uncoverable,
        }

    def heuristic(
        self, p: int, *, start: np.ndarray | None = None, deadline: float = math.inf
    ) -> np.ndarray:
        """Greedy (or ``start`` topped up greedily) then 1-swap search; kept-site positions."""
        cover, weight = self.groups.cover, self.groups.weight
        q = min(p, self.n_sites)
        if start is None:
            sites = _greedy_cover(cover, weight, q)
        else:
            chosen = [int(j) for j in start[:q]]
            csc = sp.csc_matrix(cover)
            while len(chosen) < q:
                open_ = np.zeros(self.n_sites)
                open_[chosen] = 1.0
                gain = csc.T @ (weight * ((cover @ open_) == 0))
                gain[chosen] = -1.0
                chosen.append(int(np.argmax(gain)))
            sites = np.asarray(chosen, dtype=np.int64)
        return _swap_cover(cover, weight, sites, deadline=deadline)

    def value(self, sites: np.ndarray) -> float:
        """Covered demand of kept-site positions ``sites``."""
        y = np.zeros(self.n_sites)
        y[sites] = 1.0
        return float(self.groups.weight @ np.minimum(self.groups.cover @ y, 1.0))

    def _set_integer(self, integer: bool) -> None:
        from ._highs import _highspy

        kind = _highspy().HighsVarType
        for j in range(self.n_sites):
            self.highs.changeColIntegrality(j, kind.kInteger if integer else kind.kContinuous)

    def solve(
        self,
        p: int,
        *,
        time_limit: float | None,
        gap: float,
        seed: int,
        start: np.ndarray | None,
        exact: bool,
        restarts: int | None = None,
    ) -> tuple[np.ndarray, float, str, str]:
        """Kept-site positions, bound on covered demand, HiGHS status and method.

        Heuristic phase (at most 35 % of the time limit): greedy or ``start`` with swaps, then the
        LP relaxation, whose site values seed more swap searches (largest values first, then
        seeded random roundings, alternating with perturbations of the best answer). A good
        incumbent matters: the LP bound is typically within a
        few per cent, so closing the gap is mostly a matter of finding the optimum.
        """
        q = min(p, self.n_sites)
        t0 = time.perf_counter()
        heur_deadline = math.inf if time_limit is None else t0 + 0.35 * time_limit
        if restarts is None:
            restarts = 8 if time_limit is None else 60
        sites = self.heuristic(q, start=start, deadline=heur_deadline)
        cover, weight = self.groups.cover, self.groups.weight
        m, g = self.n_sites, self.n_groups
        value = self.value(sites)
        total = float(weight.sum())
        if q == m or value >= total - 1e-9:
            return sites, value, "Optimal", "greedy (everything coverable is covered)"
        h = self.highs
        h.changeRowBounds(g, q, q)

        def remaining() -> float | None:
            return (
                None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 1e-3)
            )

        self._set_integer(False)
        lp = run_highs(h, time_limit=remaining(), seed=seed)
        self._set_integer(True)
        lp_ok = lp.x is not None and lp.status == "Optimal"
        bound = lp.objective if lp_ok else total
        if lp_ok and lp.x is not None:
            ylp = np.clip(lp.x[:m], 0.0, 1.0)
            rng = np.random.default_rng(seed)
            prob = (ylp + 1e-3) / (ylp + 1e-3).sum()
            stale = 0
            for k in range(restarts):
                if time.perf_counter() > heur_deadline or relative_gap(value, bound) <= gap:
                    break
                if stale >= 6:
                    break  # the incumbent looks optimal: leave the time to the bound
                if k == 0:
                    first = np.argsort(-ylp, kind="stable")[:q]
                elif k % 2 == 1:
                    # iterated local search: replace a few sites of the best answer
                    first = sites.copy()
                    out_ = rng.choice(q, size=max(1, q // 5), replace=False)
                    pool = np.setdiff1d(np.arange(m), sites)
                    pp = prob[pool] / prob[pool].sum()
                    first[out_] = rng.choice(pool, size=out_.size, replace=False, p=pp)
                else:
                    first = rng.choice(m, size=q, replace=False, p=prob)
                cand = _swap_cover(cover, weight, first, deadline=heur_deadline)
                v = self.value(cand)
                if v > value:
                    sites, value, stale = cand, v, 0
                else:
                    stale += 1
        if not exact:
            return sites, bound, lp.status, "greedy+LP-guided swap, LP bound"
        if relative_gap(value, bound) <= max(gap, 1e-9):
            return sites, bound, "Optimal", "LP-guided swap, LP bound met"
        y = np.zeros(m)
        y[sites] = 1.0
        z = np.minimum(cover @ y, 1.0)
        out = run_highs(
            h,
            time_limit=remaining(),
            mip_rel_gap=max(gap, 1e-9),
            start=np.concatenate([y, z]),
            seed=seed,
            heuristic_effort=0.01,  # the restarts found the incumbent; spend the time on the bound
        )
        if out.x is not None:
            cand = np.flatnonzero(out.x[:m] > 0.5)
            cval = self.value(cand)
            if cval > value:
                sites, value = cand, cval
        if np.isfinite(out.bound):
            bound = min(bound, out.bound)
        return sites, bound, out.status, "milp:aggregated"


def maximal_covering(
    demand: object,
    travel: object,
    p: int,
    standard: float,
    *,
    method: str = "exact",
    time_limit: float | None = None,
    gap: float = 0.0,
    seed: int = 0,
) -> SitingResult:
    """Open ``p`` sites covering the most demand within ``standard`` (travel time or distance).

    Parameters
    ----------
    demand : array_like, shape (n,)
    travel : array_like, shape (n, m)
        ``inf`` marks unreachable pairs.
    p : int
        Number of sites, ``1 <= p <= m``.
    standard : float
        A zone is covered when some open site is within this travel (inclusive).
    method : {"exact", "heuristic"}
        ``"heuristic"``: greedy and swap search with the LP relaxation as the bound.
    time_limit, gap, seed
        As in :func:`~sharingcity.planning.siting.pmedian.p_median`.

    Returns
    -------
    SitingResult
        ``objective`` is the covered demand, ``bound`` a proven upper bound.

    Notes
    -----
    The MILP has one binary per kept site and one continuous variable per zone group; with
    clustered demand there are far fewer groups than zones.
    """
    t0 = time.perf_counter()
    w, d = check_demand_travel(demand, travel, allow_unreachable=True)
    m = d.shape[1]
    p = check_count(p, "p", low=1, high=m)
    std = _check_standard(standard)
    limit = check_time_limit(time_limit)
    if method not in ("exact", "heuristic"):
        raise SitingError(f"method must be 'exact' or 'heuristic', got {method!r}")
    if not (isinstance(gap, (int, float)) and 0.0 <= gap < 1.0):
        raise SitingError(f"gap must be a fraction in [0, 1), got {gap!r}")
    model = MaximalCoveringModel(w, d, std)
    pos, bound, status, how = model.solve(
        p, time_limit=limit, gap=gap, seed=seed, start=None, exact=method == "exact"
    )
    sites = model.groups.sites[pos]
    sites = _pad(sites, p, m)
    objective = float(w[model.within[:, sites].any(axis=1)].sum())
    bound = max(min(bound, float(w.sum())), objective)
    g = relative_gap(objective, bound)
    if g <= max(gap, 1e-9):
        st = OPTIMAL if g == 0.0 or status == "Optimal" else HEURISTIC
    else:
        st = TIME_LIMIT if method == "exact" else HEURISTIC
    return _result(
        "maximal covering",
        model.within,
        d,
        sites,
        objective,
        bound,
        st,
        t0,
        how,
        {**model.size, "highs": status},
    )


def _pad(sites: np.ndarray, p: int, m: int) -> np.ndarray:
    """Top up with unused sites (lowest index first) when fewer than ``p`` were useful."""
    if sites.size >= p:
        return np.sort(sites)
    spare = np.setdiff1d(np.arange(m), sites)[: p - sites.size]
    return np.sort(np.concatenate([sites, spare]))


def set_covering(
    demand: object,
    travel: object,
    standard: float,
    *,
    time_limit: float | None = None,
    seed: int = 0,
) -> SitingResult:
    """The fewest sites such that every zone with positive demand is within ``standard``.

    Raises
    ------
    SitingInfeasibleError
        When some zone with demand has no site within the standard (the zones are named).

    Notes
    -----
    One binary per kept site, one row per distinct coverage set; greedy warm start (Chvátal's
    ln(n)-approximation) with redundant sites removed.
    """
    t0 = time.perf_counter()
    w, d = check_demand_travel(demand, travel, allow_unreachable=True)
    std = _check_standard(standard)
    limit = check_time_limit(time_limit)
    within = d <= std
    need = w > 0
    bad = np.flatnonzero(need & ~within.any(axis=1))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:10]) + (" ..." if bad.size > 10 else "")
        raise SitingInfeasibleError(
            f"{bad.size} zone(s) with demand have no candidate site within {std:g}: {shown}"
        )
    if not need.any():
        return _result(
            "set covering",
            within,
            d,
            np.zeros(0, np.int64),
            0.0,
            0.0,
            OPTIMAL,
            t0,
            "trivial (no demand)",
            {},
        )
    grp = coverage_groups(np.where(need, 1.0, 0.0), within & need[:, None])
    keep_groups = np.flatnonzero(grp.weight > 0)
    cover = sp.csr_matrix(grp.cover[keep_groups])
    g, m = cover.shape
    # greedy: most uncovered groups per site, then drop sites made redundant
    csc = sp.csc_matrix(cover)
    uncovered = np.ones(g)
    chosen: list[int] = []
    while uncovered.any():
        gain = csc.T @ uncovered
        j = int(np.argmax(gain))
        chosen.append(j)
        uncovered[csc[:, j].indices] = 0.0
    for j in list(chosen):
        rest = [k for k in chosen if k != j]
        y = np.zeros(m)
        y[rest] = 1.0
        if rest and (cover @ y).min() >= 1:
            chosen = rest
    y0 = np.zeros(m)
    y0[chosen] = 1.0
    a = sp.csc_matrix(cover)
    h = build_highs(
        np.ones(m), a, np.ones(g), np.full(g, np.inf), np.zeros(m), np.ones(m), np.ones(m, bool)
    )
    out = run_highs(h, time_limit=limit, start=y0, seed=seed)
    sites = np.asarray(chosen)
    if out.x is not None and (out.x > 0.5).sum() <= sites.size:
        sites = np.flatnonzero(out.x > 0.5)
    bound = math.ceil(out.bound - 1e-6) if np.isfinite(out.bound) else 1.0
    objective = float(sites.size)
    bound = min(float(bound), objective)
    orig = grp.sites[sites]
    st = OPTIMAL if bound >= objective else TIME_LIMIT
    return _result(
        "set covering",
        within,
        d,
        orig,
        objective,
        bound,
        st,
        t0,
        "milp:aggregated",
        {"n_vars": m, "n_rows": g, "zone_groups": g, "sites_kept": m, "highs": out.status},
    )
