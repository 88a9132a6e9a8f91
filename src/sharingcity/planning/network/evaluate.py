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
collapse it to the ``n`` stops: ``R0[i, j]`` is the shortest ride from ``i`` to ``j`` on a single
route (``|c_a - c_b|`` with ``c`` the cumulative time along the route). A journey is then a path
in the complete graph with edge weights ``R0 + p`` (one ``p`` per ride, ``p`` the transfer
penalty), less one ``p``. The fewest-transfers tie-break is folded into the weights
lexicographically: times are kept as integer ticks and each ride weighs ``(R0 + p) K + 1`` with
``K`` a power of two above the number of stops, so one Floyd-Warshall (SciPy, in C) on an
``n x n`` matrix returns both the least time and, among those, the fewest rides; all sums are
integers below 2**53 and therefore exact in float64.

Complexity: O(sum_r L_r^2) to build ``R0`` plus O(n^3) for Floyd-Warshall, against
O(n (V + E) log V) heap operations on the (route, position) graph in pure Python. On Mumford1
(n = 70) this is about 1 ms per route set (see ``bench/network_evaluator.py``).

References
----------
C. L. Mumford, ``EvaluateRouteSet.py`` (2017), as shipped in GHuss7/UTRP_PhD_Code.
C. L. Mumford, "New heuristic and evolutionary operators for the multi-objective urban transit
routing problem", IEEE CEC 2013.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import floyd_warshall

from .errors import InfeasibleRouteSetError, NetworkError
from .instance import TransitNetwork

DEFAULT_TRANSFER_PENALTY = 5.0


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
    rounded to 1/1000 minute (``exact`` is then False).
    """

    def __init__(
        self, network: TransitNetwork, *, transfer_penalty: float = DEFAULT_TRANSFER_PENALTY
    ):
        if not (np.isfinite(transfer_penalty) and transfer_penalty >= 0):
            raise NetworkError(f"transfer_penalty must be finite and >= 0, got {transfer_penalty}")
        self.network = network
        self.transfer_penalty = float(transfer_penalty)
        n = network.n_stops
        t = network.travel_times
        finite = t[np.isfinite(t)]
        self.exact = False
        self.scale = 1000.0
        for scale in (1.0, 10.0, 100.0, 1000.0):
            vals = np.append(finite, transfer_penalty) * scale
            if np.all(np.abs(vals - np.round(vals)) < 1e-9 * np.maximum(1.0, np.abs(vals))):
                self.scale, self.exact = scale, True
                break
        self._ticks = np.where(np.isfinite(t), np.round(t * self.scale), np.inf)
        self._pen = float(round(transfer_penalty * self.scale))
        self._k = float(2 ** int(np.ceil(np.log2(n + 2))))
        worst = (finite.sum() * self.scale + self._pen * (n + 1)) * self._k
        if worst >= 2**52:
            raise NetworkError("travel times too large for exact evaluation; use coarser units")
        self._demand = network.demand
        self._total = float(network.demand.sum())
        self._n = n
        self._ride_cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._pair_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    # -- building blocks ----------------------------------------------------------------------
    def _rides(self, route: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Flat pair indices and ride ticks (plus penalty) along one route, cached by route:
        an optimiser changes one or two routes per step, so most are found here."""
        key = tuple(route)
        hit = self._ride_cache.get(key)
        if hit is not None:
            return hit
        r = np.asarray(key, dtype=np.intp)
        c = np.zeros(len(r))
        np.cumsum(self._ticks[r[:-1], r[1:]], out=c[1:])
        pairs = self._pair_cache.get(len(r))
        if pairs is None:
            pairs = self._pair_cache[len(r)] = np.triu_indices(len(r), 1)
        a, b = pairs
        hit = (r[a] * self._n + r[b], c[b] - c[a] + self._pen)
        if len(self._ride_cache) > 20_000:
            self._ride_cache.clear()
        self._ride_cache[key] = hit
        return hit

    def _ride_weights(
        self, routes: Sequence[Sequence[int]], *, lexicographic: bool = True
    ) -> np.ndarray:
        """Weight of one ride between each pair of stops, inf if no route has both.

        ``(R0 + p) K + 1`` when ``lexicographic`` (time, then number of rides), else ``R0 + p``.
        """
        n = self._n
        parts = [self._rides(r) for r in routes]
        idx = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        if lexicographic:
            vals = vals * self._k + 1.0
        flat = np.full(n * n, np.inf)
        np.minimum.at(flat, idx, vals)
        w = flat.reshape(n, n)
        np.minimum(w, w.T, out=w)
        np.fill_diagonal(w, 0.0)
        return w

    def _all_pairs(
        self, routes: Sequence[Sequence[int]], *, lexicographic: bool = True
    ) -> np.ndarray:
        # SciPy turns a plain dense matrix into a masked array to find missing edges, which
        # costs about as much as the search itself at n = 70; our matrix already marks them
        # with inf, so hand it over as a masked array with no mask.
        w = np.ma.MaskedArray(
            self._ride_weights(routes, lexicographic=lexicographic), mask=np.ma.nomask
        )
        return np.asarray(floyd_warshall(w, directed=True, overwrite=True))

    def _shortest(self, routes: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Journey ticks and transfers for all pairs (inf where unreachable)."""
        s = self._all_pairs(routes)
        finite = np.isfinite(s)
        rides = np.where(finite, np.fmod(np.where(finite, s, 0.0), self._k), 0.0)
        ticks = np.where(finite, (s - rides) / self._k - self._pen * (rides > 0), np.inf)
        return ticks, np.maximum(rides - 1, 0).astype(np.int64)

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

    def passenger_cost(self, routes: Sequence[Sequence[int]]) -> float:
        """ATT of routes already known to be simple linked paths; ``inf`` if some pair cannot
        travel (a stop missing or the network disconnected). The optimiser's fast path: no
        transfer shares, no rule checks beyond reachability."""
        s = self._all_pairs(routes, lexicographic=False)
        # each journey weighs its time plus one penalty per ride, so the demand-weighted sum
        # carries exactly one extra penalty per trip; an unreachable pair gives inf (or NaN
        # where it has no demand), so a non-finite sum means an infeasible set
        total = float(np.vdot(self._demand, s))
        if not np.isfinite(total):
            return float("inf")
        return (total / self._total - self._pen) / self.scale

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
        reasons = self.check(routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops)
        if reasons:
            raise InfeasibleRouteSetError(reasons)
        ticks, transfers = self._shortest(routes)
        minutes = ticks / self.scale
        d = self._demand
        total = self._total
        att = float((d * ticks).sum() / total / self.scale)
        shares = [float(d[transfers == m].sum() / total * 100) for m in (0, 1, 2)]
        dun = float(d[transfers >= 3].sum() / total * 100)
        return Evaluation(
            att=att,
            d0=shares[0],
            d1=shares[1],
            d2=shares[2],
            dun=dun,
            trt=self.operator_cost(routes),
            journey_times=minutes,
            transfers=transfers,
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
