"""The p-median model: open ``p`` sites so that the total demand-weighted travel is least.

Three layers, each usable alone:

* :func:`greedy_sites` and :func:`interchange` (Teitz & Bart's vertex substitution in the fast
  form of Whitaker / Resende & Werneck) give good sites quickly: upper bounds.
* :func:`lagrangian_bound` relaxes "every zone is assigned once" (Beasley 1993) and returns a
  proven lower bound; its reduced costs also prove that many candidate sites can never be in an
  optimal answer (or must be), which shrinks the exact model.
* :func:`p_median` runs the above, then, unless the gap is already closed, solves the reduced
  problem exactly with HiGHS in the radius formulation of Elloumi (2010), written in a chained
  form with O(n m) non-zeros instead of O(n m^2).

References
----------
.. [1] M.B. Teitz, P. Bart, "Heuristic methods for estimating the generalized vertex median of a
   weighted graph", Operations Research 16 (1968) 955-961.
.. [2] R.A. Whitaker, "A fast algorithm for the greedy interchange for large-scale clustering and
   median location problems", INFOR 21 (1983) 95-108; M.G.C. Resende, R.F. Werneck, "A fast swap-
   based local search procedure for location problems", Annals of OR 150 (2007) 205-230.
.. [3] J.E. Beasley, "Lagrangean heuristics for location problems", EJOR 65 (1993) 383-399.
.. [4] S. Elloumi, "A computational study of a new formulation for the p-median problem",
   Discrete Applied Mathematics 158 (2010) 2115-2122 (after Cornuéjols, Nemhauser, Wolsey 1980).
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
    check_sites,
    check_time_limit,
    median_cost,
    nearest_assignment,
    relative_gap,
)

MODEL = "p-median"


# --------------------------------------------------------------------------- heuristics


def greedy_sites(demand: np.ndarray, travel: np.ndarray, p: int) -> np.ndarray:
    """Add, one at a time, the site that lowers the total weighted travel most.

    O(p n m) time, O(n m) extra memory. The sequence is nested: its first ``k`` sites are the
    greedy answer for ``k``.
    """
    n, m = travel.shape
    chosen: list[int] = []
    first = int(np.argmin(demand @ travel))
    chosen.append(first)
    current = travel[:, first].copy()
    for _ in range(1, p):
        gain = demand @ np.maximum(current[:, None] - travel, 0.0)
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        chosen.append(best)
        np.minimum(current, travel[:, best], out=current)
    return np.asarray(chosen, dtype=np.int64)


@dataclass
class Neighbours:
    """Each zone's ``k`` nearest sites, sorted: most swap and bound arithmetic only needs these."""

    sites: np.ndarray  # (n, k) site indices, nearest first
    travel: np.ndarray  # (n, k) their travel
    kth: np.ndarray  # (n,) travel to the k-th nearest (inf when k == m)

    @classmethod
    def of(cls, travel: np.ndarray, k: int = 48) -> Neighbours:
        """O(n m) selection plus O(n k log k) sorting."""
        n, m = travel.shape
        k = min(k, m)
        if k < m:
            idx = np.argpartition(travel, k - 1, axis=1)[:, :k]
        else:
            idx = np.tile(np.arange(m), (n, 1))
        near_d = np.take_along_axis(travel, idx, axis=1)
        srt = np.argsort(near_d, axis=1, kind="stable")
        idx = np.take_along_axis(idx, srt, axis=1)
        near_d = np.take_along_axis(near_d, srt, axis=1)
        kth = near_d[:, -1].copy() if k < m else np.full(n, np.inf)
        return cls(sites=idx, travel=near_d, kth=kth)


def interchange(
    demand: np.ndarray,
    travel: np.ndarray,
    sites: np.ndarray,
    *,
    deadline: float = math.inf,
    max_swaps: int = 10_000,
    neighbours: Neighbours | None = None,
) -> tuple[np.ndarray, int]:
    """Best-improvement vertex substitution (swap one open site for a closed one) to a local optimum.

    Each round evaluates all ``p (m - p)`` swaps at once: with ``d1``, ``d2`` each zone's nearest
    and second-nearest open travel and ``c1`` its nearest site, swapping ``r`` out and ``j`` in
    changes the cost by ``loss[r] - gain[j] - extra[j, r]`` (Whitaker 1983; Resende & Werneck
    2007). Only sites nearer than ``d2`` enter ``gain`` and ``extra``, so with neighbour lists a
    round costs O(n k + m p) instead of O(n m p), falling back to full rows for zones whose
    ``d2`` lies beyond their ``k`` nearest.

    Returns
    -------
    (sites, swaps) : the locally optimal sites (ascending) and the number of swaps made.
    """
    sites = np.array(sites, dtype=np.int64)
    n, m = travel.shape
    p = sites.size
    if p == m or p == 0:
        return np.sort(sites), 0
    nb = neighbours if neighbours is not None else Neighbours.of(travel)
    far = float(travel.max()) * 2.0 + 1.0
    rows = np.arange(n)
    swaps = 0
    while swaps < max_swaps and time.perf_counter() < deadline:
        sub = travel[:, sites]
        if p >= 2:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            t0 = np.take_along_axis(sub, two, axis=1)
            first = np.where(t0[:, 0] <= t0[:, 1], 0, 1)
            c1 = two[rows, first]
            d1 = t0[rows, first]
            d2 = t0[rows, 1 - first]
        else:
            c1 = np.zeros(n, dtype=np.int64)
            d1 = sub[:, 0]
            d2 = np.full(n, far)
        loss = np.bincount(c1, weights=demand * (d2 - d1), minlength=p).astype(np.float64)
        inside = d2 <= nb.kth  # every site nearer than d2 is in the zone's list
        # Neighbour-list part: zones whose d2 is within their list.
        zi = np.flatnonzero(inside)
        nd = nb.travel[zi]
        ns = nb.sites[zi]
        wz = demand[zi, None]
        g = wz * np.maximum(d1[zi, None] - nd, 0.0)
        # astype: bincount of an empty selection returns integers even with float weights (p = 1).
        gain = np.bincount(ns.ravel(), weights=g.ravel(), minlength=m).astype(np.float64)
        e = wz * np.maximum(d2[zi, None] - np.maximum(nd, d1[zi, None]), 0.0)
        keys = ns * p + c1[zi, None]
        extra = np.bincount(keys.ravel(), weights=e.ravel(), minlength=m * p).astype(np.float64).reshape(m, p)
        # Full rows for the rest.
        zo = np.flatnonzero(~inside)
        if zo.size:
            fd = travel[zo]
            wo = demand[zo, None]
            gain += (wo * np.maximum(d1[zo, None] - fd, 0.0)).sum(axis=0)
            eo = wo * np.maximum(d2[zo, None] - np.maximum(fd, d1[zo, None]), 0.0)
            onehot = sp.csr_matrix(
                (np.ones(zo.size), (np.arange(zo.size), c1[zo])), shape=(zo.size, p)
            )
            extra += np.asarray((onehot.T @ eo).T)
        delta = loss[None, :] - gain[:, None] - extra
        delta[sites, :] = np.inf
        j, r = np.unravel_index(int(np.argmin(delta)), delta.shape)
        current = float(demand @ d1)
        if not delta[j, r] < -1e-9 * max(1.0, abs(current)):
            break
        sites[r] = j
        swaps += 1
    return np.sort(sites), swaps


# --------------------------------------------------------------------------- lower bound


@dataclass
class LagrangianOutcome:
    """Best Lagrangian lower bound, the multipliers that gave it, and the best sites seen."""

    bound: float
    multipliers: np.ndarray
    site_values: np.ndarray  # rho_j at the best multipliers
    upper: float
    upper_sites: np.ndarray
    iterations: int


def lagrangian_bound(
    demand: np.ndarray,
    travel: np.ndarray,
    p: int,
    *,
    upper: float,
    upper_sites: np.ndarray,
    max_iterations: int = 2000,
    deadline: float = math.inf,
    target_gap: float = 0.0,
    integral: bool = False,
    neighbours: Neighbours | None = None,
    polish_every: int = 50,
) -> LagrangianOutcome:
    """Subgradient optimisation of the Lagrangian relaxation of the assignment constraints.

    With multipliers ``lam`` the relaxed problem splits by site: ``rho_j = sum_i min(0,
    w_i d_ij - lam_i)`` and the bound is ``sum(lam) + (sum of the p smallest rho_j)``
    (Beasley 1993). Every ``25`` iterations the relaxed sites are polished by
    :func:`interchange`, which can lower ``upper``. O(n m) per iteration.
    """
    n, m = travel.shape
    wd = demand[:, None] * travel
    # Start from each zone's weighted travel in the incumbent: a multiplier of the right scale.
    nearest = np.argmin(travel[:, upper_sites], axis=1)
    lam = np.take_along_axis(wd[:, upper_sites], nearest[:, None], axis=1)[:, 0].copy()
    # Only sites with w_i d_ij < lam_i count, and lam_i stays near the zone's incumbent cost, so
    # each zone keeps its k nearest sites sorted; zones whose multiplier outgrows them are
    # handled on their full row. This makes a step O(n k) instead of O(n m).
    nb = neighbours if neighbours is not None else Neighbours.of(travel)
    k = nb.sites.shape[1]
    near = nb.sites
    near_wd = demand[:, None] * nb.travel
    kth = near_wd[:, -1] if k < m else np.full(n, np.inf)
    flat_sites = near.ravel()

    def relaxed(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """rho_j and, for the overflowing zones, their full rows."""
        diff = np.minimum(near_wd - lam[:, None], 0.0)
        rho = np.bincount(flat_sites, weights=diff.ravel(), minlength=m)
        over = np.flatnonzero(lam > kth) if k < m else np.zeros(0, dtype=np.int64)
        if over.size:
            full = np.minimum(wd[over] - lam[over, None], 0.0)
            full_near = np.minimum(near_wd[over] - lam[over, None], 0.0)
            rho -= np.bincount(near[over].ravel(), weights=full_near.ravel(), minlength=m)
            rho += full.sum(axis=0)
        return rho, over

    best = -math.inf
    best_lam = lam.copy()
    theta, stall = 2.0, 0
    ub, ub_sites = upper, upper_sites.copy()
    seen: set[bytes] = set()
    it = 0
    for it in range(1, max_iterations + 1):
        rho, over = relaxed(lam)
        chosen = np.argpartition(rho, p - 1)[:p] if p < m else np.arange(m)
        value = float(lam.sum() + rho[chosen].sum())
        if value > best + 1e-12 * max(1.0, abs(value)):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
        if it % polish_every == 0:
            key = np.sort(chosen).tobytes()
            if key not in seen:
                seen.add(key)
                cand, _ = interchange(demand, travel, chosen, deadline=deadline, neighbours=nb)
                cost = median_cost(demand, travel, cand)
                if cost < ub:
                    ub, ub_sites = cost, cand
        lb = math.ceil(best - 1e-6) if integral else best
        if relative_gap(ub, lb) <= target_gap or time.perf_counter() > deadline:
            break
        is_open = np.zeros(m, dtype=bool)
        is_open[chosen] = True
        served = ((near_wd < lam[:, None]) & is_open[near]).sum(axis=1)
        if over.size:
            served[over] = (wd[over][:, chosen] < lam[over, None]).sum(axis=1)
        g = 1.0 - served
        norm = float(g @ g)
        if norm == 0.0:
            break  # the relaxed answer assigns every zone once: it is optimal for the relaxation
        if stall >= 20:
            theta, stall = theta / 2.0, 0
            lam = best_lam.copy()
            if theta < 1e-4:
                break
        step = theta * max(ub - value, 1e-9 * max(1.0, abs(ub))) / norm
        lam = np.maximum(lam + step * g, 0.0)
    rho, _ = relaxed(best_lam)
    return LagrangianOutcome(
        bound=best,
        multipliers=best_lam,
        site_values=rho,
        upper=ub,
        upper_sites=np.sort(ub_sites),
        iterations=it,
    )


def fix_sites_by_reduced_cost(
    outcome: LagrangianOutcome, p: int, *, integral: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Sites provably closed / open in every answer better than ``outcome.upper``.

    Opening a site outside the relaxed answer raises the Lagrangian bound by
    ``rho_j - rho_(p)``; closing one inside by ``rho_(p+1) - rho_j``. If that pushes the bound to
    the incumbent (or, with integer costs, above ``upper - 1``), no better answer does it.
    """
    rho = outcome.site_values
    m = rho.size
    closed = np.zeros(m, dtype=bool)
    opened = np.zeros(m, dtype=bool)
    if p >= m:
        return closed, np.ones(m, dtype=bool)
    order = np.argsort(rho, kind="stable")
    inside = np.zeros(m, dtype=bool)
    inside[order[:p]] = True
    pth, next_ = rho[order[p - 1]], rho[order[p]]
    threshold = outcome.upper - (1.0 - 1e-6 if integral else 1e-9 * max(1.0, abs(outcome.upper)))
    closed = ~inside & (outcome.bound + rho - pth >= threshold)
    opened = inside & (outcome.bound + next_ - rho >= threshold)
    return closed, opened


# --------------------------------------------------------------------------- exact model


def radius_model(
    demand: np.ndarray,
    travel: np.ndarray,
    p: int,
    *,
    forced_open: np.ndarray | None = None,
) -> tuple[object, dict[str, object]]:
    """Build the chained radius (Elloumi) formulation in HiGHS.

    For zone ``i`` with distinct sorted travels ``D_1 < ... < D_K``, ``z_ik = 1`` means "no open
    site within ``D_k``" and costs ``w_i (D_{k+1} - D_k)``. Rows ``z_i1 + sum_{d_ij = D_1} y_j >=
    1`` and ``z_ik - z_i,k-1 + sum_{d_ij = D_k} y_j >= 0`` give the same LP bound as the classic
    model with O(n m) non-zeros. Levels at or beyond the ``(m - p + 1)``-th nearest site are
    dropped (some site that near is always open). Zones of zero demand are left out.

    Returns the HiGHS object and a dict with ``n_vars``, ``n_rows``, ``n_nonzeros`` and what the
    warm start needs.
    """
    active = np.flatnonzero(demand > 0)
    w = demand[active]
    d = travel[active]
    na, m = d.shape
    order = np.argsort(d, axis=1, kind="stable")
    ds = np.take_along_axis(d, order, axis=1)
    new = np.ones(ds.shape, dtype=bool)
    new[:, 1:] = ds[:, 1:] != ds[:, :-1]
    lvl = np.cumsum(new, axis=1) - 1
    last = lvl[:, m - p]  # z levels 0..last-1 exist
    zoff = np.concatenate([[0], np.cumsum(last)])
    nz = int(zoff[-1])
    # z costs: level k (1..last) starts at a position where new is True; z_{k-1} pays the step.
    ii, pp = np.nonzero(new & (lvl >= 1) & (lvl <= last[:, None]))
    zcol = zoff[ii] + lvl[ii, pp] - 1
    zcost = np.zeros(nz)
    zcost[zcol] = w[ii] * (ds[ii, pp] - ds[ii, pp - 1])
    # y entries: sites whose level is below the zone's last level.
    yi, yp = np.nonzero(lvl < last[:, None])
    y_rows = zoff[yi] + lvl[yi, yp]
    y_cols = order[yi, yp]
    # z entries: +1 on own row, -1 on the next row of the same zone.
    zr = np.arange(nz)
    z_zone = np.repeat(np.arange(na), last)
    z_level = zr - zoff[z_zone]
    nxt = z_level + 1 < last[z_zone]
    rows = np.concatenate([y_rows, zr, zr[nxt] + 1, np.full(m, nz)])
    cols = np.concatenate([y_cols, m + zr, m + zr[nxt], np.arange(m)])
    vals = np.concatenate([np.ones(y_rows.size), np.ones(nz), -np.ones(int(nxt.sum())), np.ones(m)])
    a = sp.csc_matrix((vals, (rows, cols)), shape=(nz + 1, m + nz))
    row_lo = np.zeros(nz + 1)
    row_lo[zoff[:-1][last > 0]] = 1.0
    row_lo[nz] = p
    row_hi = np.full(nz + 1, np.inf)
    row_hi[nz] = p
    col_lo = np.zeros(m + nz)
    if forced_open is not None:
        col_lo[:m][forced_open] = 1.0
    col_hi = np.ones(m + nz)
    integer = np.zeros(m + nz, dtype=bool)
    integer[:m] = True
    cost = np.concatenate([np.zeros(m), zcost])
    offset = float(w @ ds[:, 0])
    h = build_highs(cost, a, row_lo, row_hi, col_lo, col_hi, integer, offset=offset)
    info = {
        "n_vars": m + nz,
        "n_rows": nz + 1,
        "n_nonzeros": int(a.nnz),
        "_levels": (ds, lvl, last, zoff, d),
    }
    return h, info


def _radius_start(info: dict[str, object], sites: np.ndarray, m: int) -> np.ndarray:
    levels: tuple[np.ndarray, ...] = info["_levels"]  # type: ignore[assignment]
    ds, lvl, last, zoff, d = levels
    cur = d[:, sites].min(axis=1)
    y = np.zeros(m)
    y[sites] = 1.0
    # z_ik = 1 iff D_k < travel to the nearest open site; D_k is ds at the level's first position.
    nz = int(zoff[-1])
    z = np.zeros(nz)
    new = np.ones(ds.shape, dtype=bool)
    new[:, 1:] = ds[:, 1:] != ds[:, :-1]
    ii, pp = np.nonzero(new & (lvl < last[:, None]))
    z[zoff[ii] + lvl[ii, pp]] = (ds[ii, pp] < cur[ii]).astype(np.float64)
    return np.concatenate([y, z])


# --------------------------------------------------------------------------- capacities


def _capacitated(
    demand: np.ndarray,
    travel: np.ndarray,
    p: int,
    capacities: np.ndarray,
    *,
    time_limit: float | None,
    gap: float,
    seed: int,
    t_start: float,
) -> SitingResult:
    """Single-source capacitated p-median (each zone served wholly by one site), by MILP."""
    n, m = travel.shape
    if np.sort(capacities)[::-1][:p].sum() < demand.sum():
        raise SitingInfeasibleError(
            f"the {p} largest capacities sum to {np.sort(capacities)[::-1][:p].sum():g}, "
            f"less than the total demand {demand.sum():g}"
        )
    active = np.flatnonzero(demand > 0)
    na = active.size
    nx = na * m
    xi = np.repeat(np.arange(na), m)
    xj = np.tile(np.arange(m), na)
    cost = np.concatenate([np.zeros(m), (demand[active, None] * travel[active]).ravel()])
    # rows: assignment (na), capacity (m), x_ij <= y_j (nx), cardinality (1)
    r_assign = xi
    r_cap = na + xj
    r_link = na + m + np.arange(nx)
    rows = np.concatenate([r_assign, r_cap, np.arange(m) + na, r_link, r_link, [na + m + nx] * m])
    cols = np.concatenate(
        [m + np.arange(nx), m + np.arange(nx), np.arange(m), m + np.arange(nx), xj, np.arange(m)]
    )
    vals = np.concatenate(
        [np.ones(nx), demand[active][xi], -capacities, np.ones(nx), -np.ones(nx), np.ones(m)]
    )
    a = sp.csc_matrix((vals, (rows, cols)), shape=(na + m + nx + 1, m + nx))
    row_lo = np.concatenate([np.ones(na), np.full(m, -np.inf), np.full(nx, -np.inf), [p]])
    row_hi = np.concatenate([np.ones(na), np.zeros(m), np.zeros(nx), [p]])
    h = build_highs(
        cost, a, row_lo, row_hi, np.zeros(m + nx), np.ones(m + nx), np.ones(m + nx, bool)
    )
    remaining = (
        None if time_limit is None else max(time_limit - (time.perf_counter() - t_start), 1e-3)
    )
    out = run_highs(h, time_limit=remaining, mip_rel_gap=max(gap, 1e-9), seed=seed)
    if out.x is None:
        if out.status == "Infeasible":
            raise SitingInfeasibleError("no assignment of zones to sites respects the capacities")
        return SitingResult(
            MODEL,
            (),
            np.full(n, -1),
            math.inf,
            out.bound,
            math.inf,
            TIME_LIMIT,
            time.perf_counter() - t_start,
            "milp:capacitated",
            {"highs": out.status},
        )
    y = out.x[:m] > 0.5
    x = out.x[m:].reshape(na, m) > 0.5
    assignment = nearest_assignment(travel, np.flatnonzero(y))
    assignment[active] = np.argmax(x, axis=1)
    objective = float(demand[active] @ travel[active, assignment[active]])
    bound = min(out.bound, objective)
    g = relative_gap(objective, bound)
    return SitingResult(
        model=MODEL,
        sites=tuple(int(j) for j in np.flatnonzero(y)),
        assignment=assignment,
        objective=objective,
        bound=bound,
        gap=g,
        status=OPTIMAL if out.status == "Optimal" or g <= 1e-9 else TIME_LIMIT,
        time_s=time.perf_counter() - t_start,
        method="milp:capacitated",
        details={"highs": out.status, "n_vars": m + nx, "n_rows": na + m + nx + 1},
    )


# --------------------------------------------------------------------------- public entry


def p_median(
    demand: object,
    travel: object,
    p: int,
    *,
    method: str = "exact",
    capacities: object | None = None,
    time_limit: float | None = None,
    gap: float = 0.0,
    seed: int = 0,
    lagrangian_iterations: int = 3000,
    start: object | None = None,
    max_model_size: int = 1_500_000,
) -> SitingResult:
    """Open ``p`` sites minimising total demand-weighted travel to the nearest open site.

    Parameters
    ----------
    demand : array_like, shape (n,)
        Demand weight of each zone (non-negative).
    travel : array_like, shape (n, m)
        Travel time or distance from each zone to each candidate site (finite, non-negative).
    p : int
        Number of sites to open, ``1 <= p <= m``.
    method : {"exact", "heuristic"}
        ``"heuristic"``: greedy, vertex substitution and Lagrangian bound only (reports the gap).
        ``"exact"``: then closes the gap with a MILP on the candidates the bound cannot rule out.
    capacities : array_like, shape (m,), optional
        Demand each site can serve; zones are then served wholly by one site (single-source
        capacitated p-median, classic assignment MILP; practical up to a few hundred thousand
        zone-site pairs).
    time_limit : float, optional
        Seconds for the whole call; on expiry the best answer found and the proven bound are
        returned with status ``"time limit"``.
    gap : float
        Relative gap at which to stop (0: prove optimality).
    seed : int
        Seed handed to HiGHS (the heuristics are deterministic).
    start : sequence of int, optional
        Sites to start the local search from (e.g. the answer for ``p - 1``; topped up greedily
        when shorter than ``p``). The better of this and the greedy start is kept.
    max_model_size : int
        Largest exact model (level variables, at most zones x (kept sites - p + 1)) worth
        building. Beyond it (e.g. 10,000 zones x 500 sites) the answer rests on the Lagrangian
        bound, the status is ``"heuristic"`` and ``details["milp_skipped"]`` says why; building
        a model of millions of rows would take gigabytes and rarely improve the bound in time.

    Returns
    -------
    SitingResult
        Objective, bound, gap, status and time are always filled in.

    Notes
    -----
    Heuristic phase: O(p n m) greedy, O(n m p) per swap round, O(n m) per subgradient step, with
    O(n m) memory. The exact phase's model has at most ``n (m' - p + 1)`` level variables for the
    ``m'`` candidates that survive reduced-cost fixing.
    """
    t_start = time.perf_counter()
    w, d = check_demand_travel(demand, travel, allow_unreachable=False)
    n, m = d.shape
    p = check_count(p, "p", low=1, high=m)
    limit = check_time_limit(time_limit)
    if method not in ("exact", "heuristic"):
        raise SitingError(f"method must be 'exact' or 'heuristic', got {method!r}")
    if not (isinstance(gap, (int, float)) and 0.0 <= gap < 1.0):
        raise SitingError(f"gap must be a fraction in [0, 1), got {gap!r}")
    if capacities is not None:
        cap = np.asarray(capacities, dtype=np.float64)
        if cap.shape != (m,):
            raise SitingError(
                f"capacities must have one value per site ({m}), got shape {cap.shape}"
            )
        if not np.all(np.isfinite(cap)) or np.any(cap < 0):
            raise SitingError("capacities must be finite and non-negative")
        return _capacitated(w, d, p, cap, time_limit=limit, gap=gap, seed=seed, t_start=t_start)
    deadline = math.inf if limit is None else t_start + limit
    integral = bool(np.all(np.mod(w[:, None] * d, 1.0) == 0.0))

    nb = Neighbours.of(d)
    sites = greedy_sites(w, d, p)
    sites, swaps = interchange(w, d, sites, deadline=deadline, neighbours=nb)
    upper = median_cost(w, d, sites)
    if start is not None:
        first = list(check_sites(start, m)[:p])
        current = d[:, first].min(axis=1) if first else np.full(n, np.inf)
        while len(first) < p:
            gain = w @ np.maximum(np.minimum(current, d.max() * 2 + 1)[:, None] - d, 0.0)
            gain[first] = -1.0
            j = int(np.argmax(gain))
            first.append(j)
            current = np.minimum(current, d[:, j])
        other, more = interchange(w, d, np.asarray(first), deadline=deadline, neighbours=nb)
        swaps += more
        if median_cost(w, d, other) < upper:
            sites, upper = other, median_cost(w, d, other)
    # The bound gets at most 40 % of the time limit and the MILP the rest, unless the MILP looks
    # too large to help (then the bound gets 90 %).
    active = int((w > 0).sum())
    fits = active * (m - p + 1) <= max_model_size
    lag_deadline = math.inf if limit is None else t_start + (0.4 if fits else 0.9) * limit
    lag = lagrangian_bound(
        w,
        d,
        p,
        upper=upper,
        upper_sites=sites,
        max_iterations=lagrangian_iterations,
        deadline=lag_deadline,
        target_gap=gap,
        integral=integral,
        neighbours=nb,
    )
    upper, sites = lag.upper, lag.upper_sites
    bound = math.ceil(lag.bound - 1e-6) if integral else lag.bound
    bound = min(bound, upper)
    details: dict[str, object] = {"swaps": swaps, "lagrangian_iterations": lag.iterations}
    method_used = "greedy+interchange+lagrangian"
    status = HEURISTIC
    if relative_gap(upper, bound) <= gap:
        status = OPTIMAL if relative_gap(upper, bound) == 0.0 else HEURISTIC
    elif method == "exact" and time.perf_counter() < deadline:
        closed, opened = fix_sites_by_reduced_cost(lag, p, integral=integral)
        keep = np.flatnonzero(~closed)
        details.update(sites_ruled_out=int(closed.sum()), sites_forced_open=int(opened.sum()))
        size = active * (keep.size - p + 1)
        if size > max_model_size:
            details["milp_skipped"] = (
                f"reduced model would have up to {size:,} level variables "
                f"(max_model_size={max_model_size:,}); the Lagrangian bound stands"
            )
            return _finish(upper, bound, sites, HEURISTIC, method_used, details, d, t_start)
        h, info = radius_model(w, d[:, keep], p, forced_open=opened[keep])
        details.update({k: v for k, v in info.items() if not k.startswith("_")})
        in_keep = np.isin(sites, keep)
        start = None
        if in_keep.all():
            start = _radius_start(info, np.searchsorted(keep, sites), keep.size)
        remaining = None if limit is None else max(deadline - time.perf_counter(), 1e-3)
        out = run_highs(h, time_limit=remaining, mip_rel_gap=max(gap, 1e-9), start=start, seed=seed)
        details["highs"] = out.status
        method_used = "lagrangian+milp:radius"
        if out.x is not None:
            cand = keep[np.flatnonzero(out.x[: keep.size] > 0.5)]
            cost = median_cost(w, d, cand)
            if cost < upper:
                upper, sites = cost, np.sort(cand)
        milp_bound = out.bound
        if integral and np.isfinite(milp_bound):
            milp_bound = math.ceil(milp_bound - 1e-6)
        # Answers using a ruled-out site cost at least the incumbent the fixing was based on.
        bound = max(bound, min(milp_bound, lag.upper))
        bound = min(bound, upper)
        status = (
            OPTIMAL
            if relative_gap(upper, bound) <= max(gap, 1e-9) and out.status != "Time limit reached"
            else TIME_LIMIT
        )
        if relative_gap(upper, bound) == 0.0:
            status = OPTIMAL
    elif method == "exact":
        status = TIME_LIMIT
    return _finish(upper, bound, sites, status, method_used, details, d, t_start)


def _finish(
    upper: float,
    bound: float,
    sites: np.ndarray,
    status: str,
    method_used: str,
    details: dict[str, object],
    travel: np.ndarray,
    t_start: float,
) -> SitingResult:
    return SitingResult(
        model=MODEL,
        sites=tuple(int(j) for j in np.sort(sites)),
        assignment=nearest_assignment(travel, np.sort(sites)),
        objective=upper,
        bound=bound,
        gap=relative_gap(upper, bound),
        status=status,
        time_s=time.perf_counter() - t_start,
        method=method_used,
        details=details,
    )
