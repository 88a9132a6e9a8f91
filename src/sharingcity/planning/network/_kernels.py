"""Compiled inner loops of the route-set evaluator (Numba).

Why compiled: an optimiser scores thousands of route sets per second, and on the benchmark
instances the work per set is small (70 stops, a few hundred route stops), so NumPy spent most
of its time allocating temporaries and crossing from Python to C. One compiled call per route
set builds the single-ride matrix, runs the layered min-plus search row by row and sums the
demand, allocating only that matrix and a few rows of scratch. ``numba`` is BSD-2-Clause.

The search per origin ``i`` (see ``evaluate.py`` for the rules): ``r_0 = W[i]`` and
``r_k = r_(k-1) (min,+) W``; the layer at which an entry last improves is the number of
transfers of its quickest journey with fewest rides. Only the stops that improved at layer
``k - 1`` can improve anything at layer ``k`` (the others were already relaxed), and once every
entry is at or below its street shortest path plus ``(k + 1)`` penalties no journey of more rides
can be quicker, so each row stops after a handful of short layers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# status codes of :func:`journeys`
COMPLETE = 0
CUT_OFF = 1  # the demand-weighted sum provably exceeds the cutoff; the sum returned is a bound
UNREACHABLE = 2  # some pair cannot travel
BAD_STOP = 3  # a stop number outside 0..n-1


@njit(cache=True)
def plain_route_set(flat, lens, linked):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    """True if the routes (``flat`` end to end, ``lens`` stops each) serve every stop, use only
    street links and repeat no stop within a route: every rule but connectedness and the
    limits. No reasons; the caller asks :func:`check_route_set` for them."""
    n = linked.shape[0]
    served = np.zeros(n, dtype=np.bool_)
    last_route = np.full(n, -1, dtype=np.int64)
    pos = 0
    for r in range(lens.shape[0]):
        for a in range(lens[r]):
            s = flat[pos + a]
            if s < 0 or s >= n or last_route[s] == r:
                return False
            last_route[s] = r
            served[s] = True
            if a > 0 and not linked[flat[pos + a - 1], s]:
                return False
        pos += lens[r]
    return bool(served.all())


@njit(cache=True)
def journeys(  # type: ignore[no-untyped-def]  # noqa: ANN201, PLR0913
    flat,  # noqa: ANN001 - stops of all routes end to end (int64)
    lens,  # noqa: ANN001 - stops per route (int64)
    link_ticks,  # noqa: ANN001 - (n, n) int64 link times in ticks
    pen,  # noqa: ANN001 - transfer penalty in ticks
    floor,  # noqa: ANN001 - (n, n) int64 street shortest paths in ticks (big where none)
    big,  # noqa: ANN001 - "no journey" weight; twice it fits the weight type
    demand,  # noqa: ANN001 - (n, n) float64
    cutoff,  # noqa: ANN001 - stop once the weighted sum provably exceeds it (inf: never)
    d,  # noqa: ANN001 - (n, n) output: journey weights (ticks + one penalty per ride)
    tr,  # noqa: ANN001 - (n, n) int64 output: transfers, or a (0, 0) array when not wanted
    by_transfers,  # noqa: ANN001 - (4,) float64 output: demand with 0, 1, 2, 3+ transfers
):
    """Journey weights of a route set; returns ``(status, demand-weighted sum of weights)``."""
    n = floor.shape[0]
    want = tr.shape[0] > 0
    w = np.full((n, n), big, dtype=d.dtype)
    for s in flat:
        if s < 0 or s >= n:
            return BAD_STOP, 0.0
    cum = np.empty(int(lens.max()) if lens.shape[0] else 0, dtype=np.int64)
    pos = 0
    for r in range(lens.shape[0]):
        length = lens[r]
        if length == 0:
            continue
        cum[0] = 0
        for b in range(1, length):
            cum[b] = cum[b - 1] + link_ticks[flat[pos + b - 1], flat[pos + b]]
        for b in range(1, length):
            sb = flat[pos + b]
            for a in range(b):
                sa = flat[pos + a]
                v = cum[b] - cum[a] + pen
                if v < w[sa, sb]:
                    w[sa, sb] = v
                    w[sb, sa] = v
        pos += length
    for i in range(n):
        w[i, i] = 0

    # a lower bound per row for the cutoff: each pair keeps its single ride or takes two or
    # more rides, which cost at least the street path plus two penalties
    bound = 0.0
    row_bound = np.zeros(n)
    if cutoff < np.inf:
        for i in range(n):
            acc = 0.0
            for m in range(n):
                two = floor[i, m] + 2 * pen
                acc += demand[i, m] * (w[i, m] if w[i, m] < two else two)
            row_bound[i] = acc
            bound += acc
        if bound > cutoff:
            return CUT_OFF, bound

    new = np.empty(n, dtype=d.dtype)
    frontier = np.empty(n, dtype=np.int64)
    total = 0.0
    for k in range(4):
        by_transfers[k] = 0.0
    for i in range(n):
        row = d[i]
        nf = 0
        for m in range(n):
            row[m] = w[i, m]
            if m != i and w[i, m] < big:
                frontier[nf] = m
                nf += 1
        if want:
            for m in range(n):
                tr[i, m] = 0
        k = 1
        while nf > 0:
            lim = (k + 1) * pen
            hope = False
            for m in range(n):
                if row[m] > floor[i, m] + lim:
                    hope = True
                    break
            if not hope:
                break
            for m in range(n):
                new[m] = row[m]
            for f in range(nf):
                j = frontier[f]
                dj = row[j]
                wj = w[j]
                for m in range(n):
                    v = dj + wj[m]
                    if v < new[m]:
                        new[m] = v
            nf = 0
            for m in range(n):
                if new[m] < row[m]:
                    row[m] = new[m]
                    frontier[nf] = m
                    nf += 1
                    if want:
                        tr[i, m] = k
            k += 1
        acc = 0.0
        for m in range(n):
            if row[m] >= big:
                return UNREACHABLE, 0.0
            acc += demand[i, m] * row[m]
            if want:
                t = tr[i, m]
                by_transfers[t if t < 3 else 3] += demand[i, m]
        total += acc
        if cutoff < np.inf:
            bound += acc - row_bound[i]
            if bound > cutoff:
                return CUT_OFF, bound
    return COMPLETE, total
