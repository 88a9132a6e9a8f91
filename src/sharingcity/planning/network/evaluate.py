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
improves is its number of transfers, which is exactly the fewest-transfers tie-break. Rows are
independent, so each origin runs its own layers; at layer ``k`` only the stops that improved at
layer ``k - 1`` are relaxed again, and an origin stops when no pair is above its street shortest
path plus ``(k + 1) p`` (no journey of more rides can be quicker), usually without a confirming
layer. The whole search is one compiled call per route set (``_kernels.journeys``, Numba).

Complexity: O(sum_r L_r^2) to build ``W`` plus O(n) per relaxed stop, origin and layer, against
O(n (V + E) log V) heap operations on the (route, position) graph in pure Python. On Mumford1
(n = 70) this is about 0.1 ms per route set, about 230x the plain-Python evaluator (see
``bench/network_evaluator.py``).

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

from . import _kernels
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
        self._demand = np.ascontiguousarray(network.demand, dtype=float)
        self._total = float(network.demand.sum())
        self._n = n

    def _flat(self, routes: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The stops of all routes end to end, and the number of stops per route."""
        lens = np.fromiter(map(len, routes), dtype=np.int64, count=len(routes))
        flat = np.fromiter(chain.from_iterable(routes), dtype=np.int64, count=int(lens.sum()))
        return flat, lens

    def _journeys(
        self,
        flat: np.ndarray,
        lens: np.ndarray,
        *,
        transfers: bool,
        cutoff: float = inf,
    ) -> tuple[int, float, np.ndarray, np.ndarray, np.ndarray]:
        """Journey weights (ticks plus one penalty per ride) by the compiled layered search
        (``_kernels.journeys``): its status, the demand-weighted sum of the weights (a lower
        bound above ``cutoff`` when it stopped there), the weights, the transfers of the
        quickest journey with fewest rides (if asked) and the demand per number of transfers
        (0, 1, 2, 3+)."""
        n = self._n
        d = np.empty((n, n), dtype=self._dtype)
        tr = np.empty((n, n) if transfers else (0, 0), dtype=np.int64)
        by_transfers = np.zeros(4)
        status, total = _kernels.journeys(
            flat,
            lens,
            self._link_ticks,
            self._pen,
            self._floor,
            self._big,
            self._demand,
            cutoff,
            d,
            tr,
            by_transfers,
        )
        if status == _kernels.BAD_STOP:
            raise NetworkError(f"a route has a stop outside 0..{n - 1}")
        return status, total, d, tr, by_transfers

    def _att(self, total: float) -> float:
        """ATT in minutes from the demand-weighted sum of journey weights."""
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
        """The stops of all routes end to end and the stops per route, if the set passes every
        rule but connectedness (which the journeys show), else None; compiled, no reasons."""
        if not routes or (n_routes is not None and len(routes) != n_routes):
            return None
        if not all(isinstance(s, _INTEGERS) for s in routes[0]):
            return None
        try:
            flat, lens = self._flat(routes)
        except (TypeError, ValueError, OverflowError):
            return None
        if int(lens.min()) < max(2, min_stops or 2):
            return None
        if max_stops is not None and int(lens.max()) > max_stops:
            return None
        if not _kernels.plain_route_set(flat, lens, self._linked):
            return None
        return flat, lens

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
        cutoff = inf if above is None else (above * self.scale + self._pen) * self._total
        status, total, *_ = self._journeys(*self._flat(routes), transfers=False, cutoff=cutoff)
        if status == _kernels.CUT_OFF:
            assert above is not None
            return max((total / self._total - self._pen) / self.scale, nextafter(above, inf))
        if status == _kernels.UNREACHABLE:
            return float("inf")
        return self._att(total)

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
        flat, lens = plain
        status, total, d, tr, by_transfers = self._journeys(flat, lens, transfers=True)
        if status == _kernels.UNREACHABLE:
            reasons = self.check(
                routes, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
            )
            raise InfeasibleRouteSetError(reasons or ["some stops cannot reach each other"])
        n = self._n
        minutes = np.subtract(d, self._pen, dtype=float)
        minutes.ravel()[:: n + 1] = 0.0
        if self.scale != 1.0:
            minutes /= self.scale
        shares = by_transfers * (100 / self._total)
        links = self.network.travel_times[flat[:-1], flat[1:]]
        links[np.cumsum(lens)[:-1] - 1] = 0.0  # from the end of one route to the next's start
        return Evaluation(
            att=self._att(total),
            d0=float(shares[0]),
            d1=float(shares[1]),
            d2=float(shares[2]),
            dun=float(shares[3]),
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
