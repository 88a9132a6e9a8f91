"""Scoring route sets under the standard UTRP rules (C. Mumford's 2017 reference evaluator).

Rules
-----
* Every route runs both ways along street links; its stops are a simple path.
* A journey is a sequence of rides on routes; each change of route costs a 5-minute transfer
  penalty (``transfer_penalty``); there is no wait before the first boarding.
* For each pair of stops the journey of least time is taken; among journeys of equal time the
  one with the fewest transfers (this decides d0-dun, not ATT).
* ATT = sum_ij D_ij T_ij / sum_ij D_ij over the full demand matrix, in minutes.
* d0, d1, d2, dun = percent of demand whose journey has 0, 1, 2, 3-or-more transfers.
* TRT (operator cost) = sum over routes of their link times, counted one way.
* A route set is infeasible if it misses a stop, is disconnected, a route repeats a stop, two
  consecutive stops are not linked, or (when the limits are given) the number of routes or of
  stops per route is wrong. :func:`check_route_set` lists every broken rule.

Method
------
Mumford's evaluator runs Floyd-Warshall on a graph with one vertex per (route, position). We
collapse it to the ``n`` stops: ``W[i, j]`` is the quickest ride from ``i`` to ``j`` on a single
route (``|c_a - c_b|`` with ``c`` the cumulative time along the route) plus one penalty ``p``,
so that a journey weighs its time plus one ``p``. Times are integer ticks, held in the narrowest
integer type that cannot overflow (16-bit on the benchmark instances). The journeys are then
found layer by layer in the number of rides: ``D_0 = W`` and ``D_k = D_(k-1) (min,+) W``, the
weights of the quickest journeys with at most ``k + 1`` rides; the layer at which a pair last
improves is its number of transfers, which is exactly the fewest-transfers tie-break. A pair
cannot improve at layer ``k`` once its weight is at most its street shortest path plus
``(k + 1) p``, and a row that did not change cannot change again, so the layers shrink fast and
stop without a confirming layer when no pair can improve (``RouteSetEvaluator._journeys``).

Complexity: O(sum_r L_r^2) to build ``W`` plus O(n^3) per layer (usually 2-4 layers, the later
ones on a few rows), in vectorised NumPy, against O(n (V + E) log V) heap operations on the
(route, position) graph in pure Python. On Mumford1 (n = 70) this is about 0.3-0.5 ms per route
set (see ``bench/network_evaluator.py``).

References
----------
C. L. Mumford, ``EvaluateRouteSet.py`` (2017), as shipped in GHuss7/UTRP_PhD_Code.
C. L. Mumford, "New heuristic and evolutionary operators for the multi-objective urban transit
routing problem", IEEE CEC 2013.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from math import inf, nextafter

import numpy as np
from scipy.sparse.csgraph import shortest_path

from .errors import InfeasibleRouteSetError, NetworkError
from .instance import TransitNetwork

DEFAULT_TRANSFER_PENALTY = 5.0
_INTEGERS = (int, np.integer)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Scores of a feasible route set.

    Attributes
    ----------
    att : float
        Average travel time in minutes, transfer penalties included.
    d0, d1, d2, dun : float
        Percent of demand travelling with 0, 1, 2 and 3-or-more transfers.
    trt : float
        Total route time, one way (operator cost), minutes.
    journey_times : (n, n) array
        Minutes from each stop to each other stop, penalties included.
    transfers : (n, n) int array
        Transfers on the chosen journey (fewest among the quickest).
    """

    att: float
    d0: float
    d1: float
    d2: float
    dun: float
    trt: float
    journey_times: np.ndarray
    transfers: np.ndarray

    def summary(self) -> dict[str, float]:
        return {
            "ATT": self.att,
            "d0": self.d0,
            "d1": self.d1,
            "d2": self.d2,
            "dun": self.dun,
            "TRT": self.trt,
        }


def _check_limits(n_routes: int | None, min_stops: int | None, max_stops: int | None) -> None:
    if n_routes is not None and n_routes < 1:
        raise NetworkError(f"the number of routes must be at least 1, got {n_routes}")
    if min_stops is not None and min_stops < 2:
        raise NetworkError(f"min_stops must be at least 2, got {min_stops}")
    if max_stops is not None and max_stops < 2:
        raise NetworkError(f"max_stops must be at least 2, got {max_stops}")
    if min_stops is not None and max_stops is not None and min_stops > max_stops:
        raise NetworkError(f"min_stops {min_stops} is above max_stops {max_stops}")


def check_route_set(
    network: TransitNetwork,
    routes: Sequence[Sequence[int]],
    *,
    n_routes: int | None = None,
    min_stops: int | None = None,
    max_stops: int | None = None,
) -> list[str]:
    """Every UTRP rule the route set breaks, as readable reasons (empty when feasible).

    Routes are numbered from 1 in the messages. Complexity O(sum of route lengths + n).
    """
    _check_limits(n_routes, min_stops, max_stops)
    n = network.n_stops
    times = network.travel_times
    reasons: list[str] = []
    if len(routes) == 0:
        return ["the route set has no routes"]
    if n_routes is not None and len(routes) != n_routes:
        reasons.append(f"the route set has {len(routes)} routes, expected {n_routes}")
    served = np.zeros(n, dtype=bool)
    rows: list[int] = []
    cols: list[int] = []
    for k, route in enumerate(routes, 1):
        stops = [int(s) for s in route]
        if not stops:
            reasons.append(f"route {k} is empty")
            continue
        unknown = sorted({s for s in stops if not 0 <= s < n})
        if unknown:
            reasons.append(
                f"route {k}: stop(s) {', '.join(map(str, unknown))} not in the network "
                f"(stops are 0..{n - 1})"
            )
        if min_stops is not None and len(stops) < min_stops:
            reasons.append(f"route {k} has {len(stops)} stops, fewer than the minimum {min_stops}")
        if max_stops is not None and len(stops) > max_stops:
            reasons.append(f"route {k} has {len(stops)} stops, more than the maximum {max_stops}")
        seen: set[int] = set()
        repeated = []
        for s in stops:
            if s in seen and s not in repeated:
                repeated.append(s)
            seen.add(s)
        if repeated:
            reasons.append(
                f"route {k} visits stop(s) {', '.join(map(str, repeated))} more than once "
                "(a route must be a simple path, no cycles)"
            )
        if len(stops) == 1:
            reasons.append(f"route {k} has a single stop and goes nowhere")
        arr = np.asarray(stops)
        a_arr, b_arr = arr[:-1], arr[1:]
        known = (a_arr >= 0) & (a_arr < n) & (b_arr >= 0) & (b_arr < n)
        linked = np.zeros(len(a_arr), dtype=bool)
        linked[known] = np.isfinite(times[a_arr[known], b_arr[known]]) & (
            a_arr[known] != b_arr[known]
        )
        for a, b in zip(a_arr[known & ~linked], b_arr[known & ~linked], strict=True):
            reasons.append(f"route {k}: stops {a} and {b} are not linked in the street graph")
        rows.extend(a_arr[linked].tolist())
        cols.extend(b_arr[linked].tolist())
        served[arr[(arr >= 0) & (arr < n)]] = True
    missing = np.flatnonzero(~served)
    if len(missing):
        listed = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
        reasons.append(f"{len(missing)} stop(s) not served by any route: {listed}")
    if served.sum() >= 2:
        # union-find over the links the routes use: cheaper than building a sparse graph
        parent = list(range(n))

        def root(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in zip(rows, cols, strict=True):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[ra] = rb
        served_stops = np.flatnonzero(served).tolist()
        labels = {s: root(s) for s in served_stops}
        parts = set(labels.values())
        if len(parts) > 1:
            part = labels[served_stops[0]]
            first = [s for s in served_stops if labels[s] == part]
            reasons.append(
                f"the route network is disconnected: {len(parts)} separate parts "
                f"(e.g. stops {', '.join(map(str, first[:10]))} reach no other part)"
            )
    return reasons


class RouteSetEvaluator:
    """Scores route sets on one network; build once, call many times (as an optimiser does).

    Parameters
    ----------
    network : TransitNetwork
    transfer_penalty : float
        Minutes per change of route (5 in the UTRP literature).

    Notes
    -----
    Times are handled as integer ticks of ``1 / scale`` minutes, ``scale`` the smallest of 1, 10,
    100, 1000 that makes every link time and the penalty whole; networks with finer times are
    rounded to 1/1000 minute (``exact`` is then False). The journey weights are held in the
    narrowest integer type that cannot overflow (16-bit on the benchmark instances).
    """

    # cap on the elements of one min-plus block (rows x n x n), to bound memory on big networks
    _BLOCK = 1 << 21
    # routes whose rides are kept (an optimiser meets a few new routes per step)
    _CACHE_LIMIT = 20_000

    def __init__(
        self, network: TransitNetwork, *, transfer_penalty: float = DEFAULT_TRANSFER_PENALTY
    ):
        if not (np.isfinite(transfer_penalty) and transfer_penalty >= 0):
            raise NetworkError(f"transfer_penalty must be finite and >= 0, got {transfer_penalty}")
        self.network = network
        self.transfer_penalty = float(transfer_penalty)
        n = network.n_stops
        t = network.travel_times
        linked = np.isfinite(t)
        np.fill_diagonal(linked, False)
        finite = t[linked]
        self.exact = False
        self.scale = 1000.0
        for scale in (1.0, 10.0, 100.0, 1000.0):
            vals = np.append(finite, transfer_penalty) * scale
            if np.all(np.abs(vals - np.round(vals)) < 1e-9 * np.maximum(1.0, np.abs(vals))):
                self.scale, self.exact = scale, True
                break
        self._linked = linked
        self._link_ticks = np.where(linked, np.round(np.where(linked, t, 0.0) * self.scale), 0)
        self._link_ticks = self._link_ticks.astype(np.int64)
        self._pen = int(round(transfer_penalty * self.scale))
        # A quickest journey never passes a stop twice (cutting the loop saves its time and at
        # least the one transfer it adds back), so it has at most n - 1 links and n - 1 rides.
        longest = (n - 1) * (int(self._link_ticks.max(initial=0)) + self._pen)
        self._dtype: type[np.signedinteger]
        for dtype in (np.int16, np.int32, np.int64):
            big = (int(np.iinfo(dtype).max) - 1) // 2
            if longest < big:
                self._dtype, self._big = dtype, big
                break
        else:
            raise NetworkError("travel times too large for exact evaluation; use coarser units")
        # street shortest paths in ticks: no journey rides faster (big where none exists)
        street = shortest_path(np.where(linked, self._link_ticks, 0).astype(float), directed=False)
        self._floor = np.where(np.isfinite(street), street, self._big).astype(np.int64)
        self._demand = network.demand
        self._demand_flat = np.ascontiguousarray(network.demand, dtype=float).ravel()
        self._total = float(network.demand.sum())
        self._n = n
        self._ride_cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._tri = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))
        self._bars: list[np.ndarray] = []
        # rows per min-plus block, and its scratch space; W tiled along the middle axis
        self._step = min(n, max(1, self._BLOCK // (n * n)))
        self._buf = np.empty(self._step * n * n, dtype=self._dtype)
        self._tiled = np.empty((n, self._step, n), dtype=self._dtype)

    def clear_cache(self) -> None:
        """Forget the rides of the routes seen so far (for benchmarks from a cold start)."""
        self._ride_cache.clear()

    # -- building blocks ----------------------------------------------------------------------
    def _triangle(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions ``(a, b)``, ``a < b``, ordered by ``b``: those of a route of ``l`` stops are
        the first ``l (l - 1) / 2`` entries whatever ``length`` the template was built for."""
        a, b = self._tri
        if len(a) < length * (length - 1) // 2:
            b = np.repeat(np.arange(length), np.arange(length))
            a = np.arange(len(b)) - np.repeat(
                np.cumsum(np.arange(length)) - np.arange(length), np.arange(length)
            )
            self._tri = (a, b)
        return self._tri

    def _build(self, keys: list[tuple[int, ...]]) -> None:
        """Rides of the given routes, all at once: flat pair indices ``i n + j`` (``i`` before
        ``j`` on the route) and ride ticks plus one penalty, one entry per route in the cache."""
        n = self._n
        lens = np.fromiter(map(len, keys), dtype=np.intp, count=len(keys))
        flat = np.fromiter(chain.from_iterable(keys), dtype=np.intp, count=int(lens.sum()))
        starts = np.cumsum(lens) - lens
        cum = np.zeros(len(flat), dtype=np.int64)
        if len(flat) > 1:
            np.cumsum(self._link_ticks[flat[:-1], flat[1:]], out=cum[1:])
        nonempty = lens > 0
        cum -= np.repeat(cum[starts[nonempty]], lens[nonempty])
        tri_a, tri_b = self._triangle(int(lens.max(initial=0)))
        m = lens * (lens - 1) // 2
        ends = np.cumsum(m)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - m, m)
        offset = np.repeat(starts, m)
        a = tri_a[within] + offset
        b = tri_b[within] + offset
        idx = flat[a] * n + flat[b]
        vals = (cum[b] - cum[a] + self._pen).astype(self._dtype)
        cache = self._ride_cache
        for key, lo, hi in zip(keys, (ends - m).tolist(), ends.tolist(), strict=True):
            cache[key] = (idx[lo:hi], vals[lo:hi])

    def _ride_weights(self, routes: Sequence[Sequence[int]]) -> np.ndarray:
        """Weight (ticks + one penalty) of the quickest single ride between each pair of stops,
        0 on the diagonal, ``big`` where no route has both stops."""
        n = self._n
        cache = self._ride_cache
        if len(cache) > self._CACHE_LIMIT:
            cache.clear()
        keys = [tuple(r) for r in routes]
        missing = [k for k in dict.fromkeys(keys) if k not in cache]
        if missing:
            self._build(missing)
        parts = [cache[k] for k in keys]
        w = np.full(n * n, self._big, dtype=self._dtype)
        if parts:
            idx = np.concatenate([p[0] for p in parts])
            vals = np.concatenate([p[1] for p in parts])
            np.minimum.at(w, idx, vals)
        w = w.reshape(n, n)
        np.minimum(w, w.T, out=w)
        np.fill_diagonal(w, 0)
        return w

    def _journeys(
        self, routes: Sequence[Sequence[int]], *, transfers: bool, cutoff: float | None = None
    ) -> tuple[np.ndarray, np.ndarray | None, float | None]:
        """Journey weights (ticks plus one penalty per ride; ``big`` where unreachable) and,
        if asked, the transfers of the quickest journey with fewest rides.

        Layer ``k`` holds the least weight over journeys of at most ``k + 1`` rides: layer 0
        is the single-ride matrix ``W`` and layer ``k`` the min-plus product of layer
        ``k - 1`` with ``W`` (whose zero diagonal keeps shorter journeys). The layer at which
        a pair last improved is its number of transfers, fewest first among equal times.
        Two rules skip work: a row that did not change cannot change later, and a pair can
        only improve at layer ``k`` if its weight is above ``S + (k + 1) p``, ``S`` the
        street shortest path (no journey of ``k + 1`` rides is quicker), so each layer redoes
        only the rows that changed and have such a pair, and the search stops when none
        has (often with no layer spent confirming it). Each product materialises
        ``D[i, j] + W[j, m]`` as a ``(j, i, m)`` block from two contiguous operands and
        reduces it over ``j`` with one ``minimum.reduce`` on a 2-D view: the layouts that
        NumPy vectorises (its reductions along other axes and its broadcast sums are
        several times slower).

        With a ``cutoff`` on the demand-weighted sum of weights, each layer first bounds that
        sum from below by ``sum D min(D_(k-1), S + (k + 1) p)`` (a pair keeps its weight or
        improves through ``k + 1`` or more rides); once the bound exceeds the cutoff the
        search stops and returns it as the third value (None when it ran to the end).
        """
        n = self._n
        w = self._ride_weights(routes)
        d = w.copy()
        tr = np.zeros((n, n), dtype=np.intp) if transfers else None
        step = self._step
        tiled = self._tiled
        np.copyto(tiled, w[:, None, :])
        rows: np.ndarray | None = None  # None: all rows
        k = 1
        while True:
            bar = self._bar(k)
            if cutoff is not None:
                bound = float(np.dot(self._demand_flat, np.minimum(d, bar).ravel()))
                if bound > cutoff:
                    return d, tr, bound
            if rows is None:
                hope = np.flatnonzero((d > bar).any(axis=1))
                rows = None if len(hope) == n else hope
            else:
                rows = rows[(d[rows] > bar[rows]).any(axis=1)]
            if rows is not None and not len(rows):
                break
            changed = []
            for lo in range(0, n if rows is None else len(rows), step):
                whole = rows is None and step >= n
                block = np.arange(n) if rows is None else rows
                block = block[lo : lo + step]
                sub = d if whole else d[block]
                m = len(block)
                t = self._buf[: n * m * n].reshape(n, m, n)
                np.copyto(t, sub.T[:, :, None])
                np.add(t, tiled[:, :m], out=t)
                new = np.minimum.reduce(t.reshape(n, m * n), axis=0).reshape(m, n)
                better = new < sub
                if whole:
                    np.copyto(d, new)
                    if tr is not None:
                        np.copyto(tr, k, where=better)
                else:
                    d[block] = new
                    if tr is not None:
                        part = tr[block]
                        np.copyto(part, k, where=better)
                        tr[block] = part
                changed.append(block[better.any(axis=1)])
            rows = np.concatenate(changed)
            if not len(rows):
                break
            k += 1
        return d, tr, None

    def _bar(self, k: int) -> np.ndarray:
        """``S + (k + 1) p`` (capped at ``big``): a pair at or below it cannot improve at layer
        ``k`` or later."""
        bars = self._bars
        while len(bars) <= k:
            bars.append(
                np.minimum(self._floor + (len(bars) + 1) * self._pen, self._big).astype(self._dtype)
            )
        return bars[k]

    def _att(self, d: np.ndarray) -> float:
        total = float(np.dot(self._demand_flat, d.ravel()))
        return (total / self._total - self._pen) / self.scale

    # -- public --------------------------------------------------------------------------------
    def check(
        self,
        routes: Sequence[Sequence[int]],
        *,
        n_routes: int | None = None,
        min_stops: int | None = None,
        max_stops: int | None = None,
    ) -> list[str]:
        """See :func:`check_route_set`."""
        return check_route_set(
            self.network, routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
        )

    def _plainly_feasible(
        self,
        routes: Sequence[Sequence[int]],
        n_routes: int | None,
        min_stops: int | None,
        max_stops: int | None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The stops of all routes end to end and the positions where one route ends, if the
        set passes every rule but connectedness (which the journeys show), else None;
        vectorised, with no reasons."""
        n = self._n
        if not routes or (n_routes is not None and len(routes) != n_routes):
            return None
        lens = [len(r) for r in routes]
        if min(lens) < max(2, min_stops or 2) or (max_stops is not None and max(lens) > max_stops):
            return None
        if not all(isinstance(s, _INTEGERS) for s in routes[0]):
            return None
        try:
            flat = np.fromiter(chain.from_iterable(routes), dtype=np.intp, count=sum(lens))
            counts = np.bincount(flat, minlength=n)  # ValueError on a negative stop
        except (TypeError, ValueError):
            return None
        if len(counts) > n or not counts.all():
            return None  # a stop beyond the network, or one not served
        ends = np.cumsum(lens)
        ok = self._linked[flat[:-1], flat[1:]]
        ok[ends[:-1] - 1] = True  # from the end of one route to the start of the next
        if not ok.all():
            return None
        # a stop twice on one route: count (route, stop) pairs
        route_of = np.repeat(np.arange(len(lens)), lens)
        if np.bincount(route_of * n + flat).max() > 1:
            return None
        return flat, ends[:-1] - 1

    def passenger_cost(
        self, routes: Sequence[Sequence[int]], *, above: float | None = None
    ) -> float:
        """ATT of routes already known to be simple linked paths; ``inf`` if some pair cannot
        travel (a stop missing or the network disconnected). The optimiser's fast path: no
        transfer shares, no rule checks beyond reachability.

        With ``above`` the search may stop as soon as the ATT is known to exceed it and then
        returns a lower bound on the ATT that is above ``above`` (not the ATT itself): enough
        for a search that only wants to know whether a candidate beats a threshold.
        """
        cutoff = None if above is None else (above * self.scale + self._pen) * self._total
        d, _, bound = self._journeys(routes, transfers=False, cutoff=cutoff)
        if bound is not None:
            assert above is not None
            return max((bound / self._total - self._pen) / self.scale, nextafter(above, inf))
        if int(d.max()) >= self._big:
            return float("inf")
        return self._att(d)

    def operator_cost(self, routes: Sequence[Sequence[int]]) -> float:
        """TRT: sum of link times along each route, one way."""
        t = self.network.travel_times
        return float(sum(t[r[:-1], r[1:]].sum() for r in (np.asarray(x) for x in routes)))

    def evaluate(
        self,
        routes: Sequence[Sequence[int]],
        *,
        n_routes: int | None = None,
        min_stops: int | None = None,
        max_stops: int | None = None,
    ) -> Evaluation:
        """Check and score a route set.

        Raises
        ------
        InfeasibleRouteSetError
            Listing every broken rule.
        """
        plain = self._plainly_feasible(routes, n_routes, min_stops, max_stops)
        if plain is None:
            # something looks wrong: the full check says what (or finds nothing, e.g. stops
            # given as whole floats, and the set is scored as usual)
            reasons = self.check(
                routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
            )
            if reasons:
                raise InfeasibleRouteSetError(reasons)
            routes = [[int(s) for s in r] for r in routes]
            plain = self._plainly_feasible(routes, n_routes, min_stops, max_stops)
            assert plain is not None
        flat, ends = plain
        d, tr, _ = self._journeys(routes, transfers=True)
        assert tr is not None
        if int(d.max()) >= self._big:
            reasons = self.check(
                routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
            )
            raise InfeasibleRouteSetError(reasons or ["some stops cannot reach each other"])
        n = self._n
        minutes = np.subtract(d, self._pen, dtype=float)
        minutes.ravel()[:: n + 1] = 0.0
        if self.scale != 1.0:
            minutes /= self.scale
        by_transfers = np.bincount(tr.ravel(), weights=self._demand_flat, minlength=4)
        shares = [float(x) * (100 / self._total) for x in by_transfers[:3]]
        links = self.network.travel_times[flat[:-1], flat[1:]]
        links[ends] = 0.0
        return Evaluation(
            att=self._att(d),
            d0=shares[0],
            d1=shares[1],
            d2=shares[2],
            dun=float(by_transfers[3:].sum()) * (100 / self._total),
            trt=float(links.sum()),
            journey_times=minutes,
            transfers=tr,
        )


def evaluate_route_set(
    network: TransitNetwork,
    routes: Sequence[Sequence[int]],
    *,
    transfer_penalty: float = DEFAULT_TRANSFER_PENALTY,
    n_routes: int | None = None,
    min_stops: int | None = None,
    max_stops: int | None = None,
) -> Evaluation:
    """Check and score one route set (see the module notes for the rules).

    For many route sets on one network build a :class:`RouteSetEvaluator` once instead.
    """
    return RouteSetEvaluator(network, transfer_penalty=transfer_penalty).evaluate(
        routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
    )
