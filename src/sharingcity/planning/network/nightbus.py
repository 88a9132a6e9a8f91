"""Night-bus planning: routes and headways under a fleet budget, maximising the demand served.

Seoul's owl buses were planned from counts of night calls: 9 routes and about 30 buses that
served some 42% of night demand. This module answers the same questions on any network: given
candidate routes, a fleet budget, allowed headways and operating hours, which routes should run
and how often, so that the most trips can be made within a maximum journey time and number of
transfers? And how much of demand could any plan serve with ``B`` buses (the coverage-versus-fleet
curve, with an upper bound from a linear-programming relaxation)?

Model
-----
* A *service* is a candidate route run at one headway ``h``; it needs
  ``ceil(cycle / h)`` buses, ``cycle = 2 (one-way time + layover)``.
* A trip from ``i`` to ``j`` is *served* when some journey on the chosen services with at most
  ``max_transfers`` transfers takes at most ``max_journey_minutes``, counting in-vehicle time,
  an expected wait of ``wait_factor * h`` at every boarding and ``transfer_penalty`` per
  transfer. :func:`served_trips` computes this exactly (layered min-plus products).
* Choice: a mixed-integer programme (HiGHS via :func:`scipy.optimize.milp`) on a relaxed
  coverage model gives a first plan, which a local search then improves under the exact rule.

Upper bound
-----------
The relaxed model keeps every trip a real plan serves: a direct trip needs one service holding
both stops with ride + wait within the limit; a one-transfer trip needs a first service at the
origin and a second at the destination that meet with a short enough ride (each bounded using
the shortest possible wait on the other); trips with two or more transfers need some service at
each end. Its LP relaxation is therefore an upper bound on the demand any plan drawn from the
candidates can serve with the given fleet (the *bound* of the curve); the exact share of our plan
sits below it and the gap shows how close the plan is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from .errors import NetworkError
from .instance import RouteSet, TransitNetwork


@dataclass(frozen=True)
class NightBusSettings:
    """Rules of a night-bus plan (plain data, as the platform stores them).

    Parameters
    ----------
    fleet : int
        Buses available.
    headways : tuple of float
        Allowed minutes between buses on a route.
    start, end : str
        Operating hours ``"HH:MM"``; an ``end`` before ``start`` is on the next day.
    max_journey_minutes : float
        A trip counts as served when it takes at most this long (waits included).
    max_transfers : int
        ... and needs at most this many transfers.
    transfer_penalty : float
        Minutes added per transfer (on top of the wait for the next bus).
    wait_factor : float
        Expected wait as a share of the headway (0.5 for random arrivals).
    layover_minutes : float
        Turn-around time at each terminal.
    max_routes : int, optional
        At most this many routes.
    min_stops, max_stops : int
        Stops per candidate route.
    """

    fleet: int
    headways: tuple[float, ...] = (15.0, 20.0, 30.0, 40.0, 60.0)
    start: str = "23:30"
    end: str = "05:00"
    max_journey_minutes: float = 60.0
    max_transfers: int = 1
    transfer_penalty: float = 5.0
    wait_factor: float = 0.5
    layover_minutes: float = 10.0
    max_routes: int | None = None
    min_stops: int = 2
    max_stops: int = 40

    def __post_init__(self) -> None:
        if int(self.fleet) != self.fleet or self.fleet < 0:
            raise NetworkError(f"fleet must be a whole number of buses >= 0, got {self.fleet}")
        if not self.headways or any(not (h > 0 and math.isfinite(h)) for h in self.headways):
            raise NetworkError(f"headways must be positive minutes, got {self.headways}")
        object.__setattr__(self, "headways", tuple(sorted({float(h) for h in self.headways})))
        start, end = parse_clock(self.start), parse_clock(self.end)
        if start == end:
            raise NetworkError("operating hours are empty (start equals end)")
        for name in ("max_journey_minutes", "transfer_penalty", "wait_factor", "layover_minutes"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise NetworkError(f"{name} must be a non-negative number, got {value}")
        if self.max_journey_minutes <= 0:
            raise NetworkError("max_journey_minutes must be positive")
        if self.max_transfers not in (0, 1, 2, 3):
            raise NetworkError(f"max_transfers must be 0, 1, 2 or 3, got {self.max_transfers}")
        if self.max_routes is not None and self.max_routes < 1:
            raise NetworkError(f"max_routes must be at least 1, got {self.max_routes}")
        if not 2 <= self.min_stops <= self.max_stops:
            raise NetworkError(
                f"need 2 <= min_stops <= max_stops, got {self.min_stops}, {self.max_stops}"
            )

    @property
    def service_minutes(self) -> float:
        """Length of the operating period."""
        start, end = parse_clock(self.start), parse_clock(self.end)
        return (end - start) % (24 * 60)


def parse_clock(text: str) -> float:
    """Minutes after midnight of ``"HH:MM"``."""
    try:
        hh, mm = str(text).split(":")
        h, m = int(hh), int(mm)
    except ValueError:
        raise NetworkError(f"time {text!r} is not HH:MM") from None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise NetworkError(f"time {text!r} is out of range")
    return 60.0 * h + m


@dataclass(frozen=True)
class Service:
    """A route run at one headway."""

    route: list[int]
    headway: float
    buses: int
    one_way_minutes: float


@dataclass(frozen=True, eq=False)
class NightBusPlan:
    """A chosen set of services and what it serves.

    ``served_share`` and ``bound_share`` are fractions of total demand: exact for the plan, and
    the LP upper bound for any plan from the same candidates and fleet.
    """

    services: list[Service]
    settings: NightBusSettings
    served_trips: float
    total_trips: float
    bound_trips: float
    journey_minutes: np.ndarray = field(repr=False)
    served: np.ndarray = field(repr=False)
    seconds: float = 0.0

    @property
    def buses(self) -> int:
        return sum(s.buses for s in self.services)

    @property
    def served_share(self) -> float:
        return self.served_trips / self.total_trips

    @property
    def bound_share(self) -> float:
        return min(1.0, self.bound_trips / self.total_trips)

    @property
    def routes(self) -> RouteSet:
        return [list(s.route) for s in self.services]


@dataclass(frozen=True)
class CoveragePoint:
    fleet: int
    served_share: float
    bound_share: float
    buses_used: int
    routes: int


# ---------------------------------------------------------------------------------------------
# exact served trips


def _route_times(network: TransitNetwork, route: Sequence[int]) -> np.ndarray:
    r = np.asarray(route, dtype=np.intp)
    return np.concatenate(([0.0], np.cumsum(network.travel_times[r[:-1], r[1:]])))


def _check_route(network: TransitNetwork, route: Sequence[int], where: str) -> None:
    n = network.n_stops
    if len(route) < 2:
        raise NetworkError(f"{where}: a route needs at least 2 stops")
    if len(set(route)) != len(route):
        raise NetworkError(f"{where}: a route visits a stop twice")
    for a, b in zip(route[:-1], route[1:], strict=True):
        if not (0 <= a < n and 0 <= b < n) or not np.isfinite(network.travel_times[a, b]):
            raise NetworkError(f"{where}: stops {a} and {b} are not linked in the street graph")


def served_trips(
    network: TransitNetwork,
    services: Sequence[tuple[Sequence[int], float]],
    settings: NightBusSettings,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Demand served by ``(route, headway)`` services under the night-bus rule.

    Returns
    -------
    served : float
        Trips served.
    minutes : (n, n) array
        Quickest journey with at most ``max_transfers`` transfers, inf if none.
    mask : (n, n) bool array
        Pairs whose journey is within ``max_journey_minutes``.

    Complexity O(max_transfers n^3) (layered min-plus products) after O(sum L^2) set-up.
    """
    n = network.n_stops
    one = np.full((n, n), np.inf)
    for k, (route, headway) in enumerate(services):
        _check_route(network, list(route), f"service {k + 1}")
        c = _route_times(network, route)
        ix = np.ix_(route, route)
        one[ix] = np.minimum(
            one[ix], np.abs(c[:, None] - c[None, :]) + settings.wait_factor * headway
        )
    np.fill_diagonal(one, 0.0)
    best = one.copy()
    # best[i, j] after round k: quickest journey with <= k transfers
    step = one.copy()
    np.fill_diagonal(step, np.inf)
    for _ in range(settings.max_transfers):
        via = best + settings.transfer_penalty
        np.fill_diagonal(via, 0.0)  # staying put needs no transfer
        best = np.minimum(best, (via[:, :, None] + step[None, :, :]).min(axis=1))
    np.fill_diagonal(best, 0.0)
    mask = best <= settings.max_journey_minutes + 1e-9
    np.fill_diagonal(mask, False)
    return float(network.demand[mask].sum()), best, mask


# ---------------------------------------------------------------------------------------------
# candidates


def candidate_routes(
    network: TransitNetwork, *, min_stops: int = 2, max_stops: int = 40, n_candidates: int = 40
) -> RouteSet:
    """Shortest street paths between the busiest pairs, as candidate night routes.

    Pairs are taken in order of two-way demand; paths shorter than ``min_stops`` grow at their
    ends towards the neighbour with most demand to the route, longer ones are cut into windows
    of ``max_stops``. Paths equal up to direction are kept once. Deterministic.
    """
    if n_candidates < 1:
        raise NetworkError("n_candidates must be at least 1")
    t = network.travel_times
    _, pred = shortest_path(t, directed=False, return_predecessors=True)
    d = network.demand + network.demand.T
    iu = np.triu_indices(network.n_stops, 1)
    order = np.argsort(-d[iu], kind="stable")
    adj = network.neighbours()
    seen: set[tuple[int, ...]] = set()
    out: RouteSet = []
    for k in order:
        a, b = int(iu[0][k]), int(iu[1][k])
        if d[a, b] <= 0 or pred[a, b] < 0:
            break
        path = [b]
        while path[-1] != a:
            path.append(int(pred[a, path[-1]]))
        path.reverse()
        while len(path) < min_stops:
            inside = set(path)
            options = [
                (d[x, path].sum(), e, x) for e in (0, -1) for x in adj[path[e]] if x not in inside
            ]
            if not options:
                break
            _, e, x = max(options)
            if e == 0:
                path.insert(0, x)
            else:
                path.append(x)
        if len(path) < min_stops:
            continue
        pieces = [
            path[s : s + max_stops]
            for s in range(0, max(1, len(path) - max_stops + 1), max(1, max_stops // 2))
        ]
        # a trunk variant: the same path grown at both ends towards where its riders go,
        # as night routes are long and few
        trunk = list(path)
        while len(trunk) < max_stops:
            inside = set(trunk)
            options = [
                (d[x, trunk].sum(), e, x) for e in (0, -1) for x in adj[trunk[e]] if x not in inside
            ]
            if not options:
                break
            _, e, x = max(options)
            if e == 0:
                trunk.insert(0, x)
            else:
                trunk.append(x)
        if len(trunk) <= max_stops:
            pieces.append(trunk)
        for piece in pieces:
            key = tuple(piece) if piece[0] < piece[-1] else tuple(reversed(piece))
            if key not in seen:
                seen.add(key)
                out.append(list(piece))
        if len(out) >= n_candidates:
            break
    return out[:n_candidates]


# ---------------------------------------------------------------------------------------------
# relaxed coverage model


class _Model:
    def __init__(self, network: TransitNetwork, candidates: RouteSet, settings: NightBusSettings):
        self.net = network
        self.cands = candidates
        self.s = settings
        n = network.n_stops
        hs = settings.headways
        self.h = hs
        cycle = [2 * (_route_times(network, r)[-1] + settings.layover_minutes) for r in candidates]
        self.one_way = [float(_route_times(network, r)[-1]) for r in candidates]
        self.buses = np.array([[math.ceil(c / h - 1e-9) for h in hs] for c in cycle], dtype=float)
        R, H = len(candidates), len(hs)
        self.R, self.H = R, H
        w = settings.wait_factor * np.asarray(hs)
        wmin = float(w.min())
        maxt = settings.max_journey_minutes + 1e-9
        pen = settings.transfer_penalty
        # ride[r] : (n, n) in-vehicle minutes on route r, inf off the route
        rides = np.full((R, n, n), np.inf)
        on = np.zeros((R, n), dtype=bool)
        for k, r in enumerate(candidates):
            c = _route_times(network, r)
            rides[k][np.ix_(r, r)] = np.abs(c[:, None] - c[None, :])
            on[k, r] = True
        demand = network.demand + network.demand.T
        iu = np.triu_indices(n, 1)
        keep = demand[iu] > 0
        pi, pj = iu[0][keep], iu[1][keep]
        self.pairs = list(zip(pi.tolist(), pj.tolist(), strict=True))
        self.weight = demand[pi, pj]
        street, _ = shortest_path(network.travel_times, directed=False, return_predecessors=True)
        # variable layout: y (R*H) | x (P) | z (Z) | q (Q)
        P = len(self.pairs)
        self.n_y = R * H
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lo: list[float] = []
        hi: list[float] = []
        z_count = 0
        q_count = 0
        z_rows: list[tuple[int, list[int], list[int]]] = []  # (pair, first cols, second cols)
        q_rows: list[tuple[int, list[int], list[int]]] = []
        direct_cols: list[list[int]] = []
        for p, (i, j) in enumerate(self.pairs):
            direct = []
            for rd in np.flatnonzero(on[:, i] & on[:, j]):
                for hh in range(H):
                    if rides[rd, i, j] + w[hh] <= maxt:
                        direct.append(int(rd) * H + hh)
            direct_cols.append(direct)
            if settings.max_transfers >= 1:
                at_i = np.flatnonzero(on[:, i])
                at_j = np.flatnonzero(on[:, j])
                for r1 in at_i:
                    # tau[r2] = quickest ride i -> m on r1 then m -> j on r2
                    tau = (rides[r1, i, :][None, :] + rides[at_j][:, :, j]).min(axis=1)
                    tau[at_j == r1] = np.inf
                    if not np.isfinite(tau).any():
                        continue
                    tmin = float(tau.min())
                    first = [
                        int(r1) * H + hh for hh in range(H) if w[hh] + tmin + pen + wmin <= maxt
                    ]
                    second = [
                        int(r2) * H + hh
                        for r2, t2 in zip(at_j, tau, strict=True)
                        for hh in range(H)
                        if t2 + pen + wmin + w[hh] <= maxt
                    ]
                    if first and second:
                        z_rows.append((p, first, second))
                        z_count += 1
            if settings.max_transfers >= 2 and street[i, j] + 2 * pen + 3 * wmin <= maxt:
                at_i = np.flatnonzero(on[:, i])
                at_j = np.flatnonzero(on[:, j])
                if len(at_i) and len(at_j):
                    q_rows.append(
                        (
                            p,
                            [int(r) * H + hh for r in at_i for hh in range(H)],
                            [int(r) * H + hh for r in at_j for hh in range(H)],
                        )
                    )
                    q_count += 1
        self.n_x = P
        self.n_z = z_count
        self.n_q = q_count
        x0 = self.n_y
        z0 = x0 + P
        q0 = z0 + z_count
        nv = q0 + q_count
        row = 0

        def add(coefs: dict[int, float], lower: float, upper: float) -> None:
            nonlocal row
            for c, v in coefs.items():
                rows.append(row)
                cols.append(c)
                vals.append(v)
            lo.append(lower)
            hi.append(upper)
            row += 1

        add({k: float(self.buses.flat[k]) for k in range(self.n_y)}, -np.inf, float(settings.fleet))
        for ri in range(R):
            add({ri * H + hh: 1.0 for hh in range(H)}, -np.inf, 1.0)
        if settings.max_routes is not None:
            add(dict.fromkeys(range(self.n_y), 1.0), -np.inf, float(settings.max_routes))
        cover: list[dict[int, float]] = [{x0 + p: 1.0} for p in range(P)]
        for p, cols_p in enumerate(direct_cols):
            for col in cols_p:
                cover[p][col] = cover[p].get(col, 0.0) - 1.0
        for k, (p, first, second) in enumerate(z_rows):
            cover[p][z0 + k] = -1.0
            add({z0 + k: 1.0, **{c: -1.0 for c in first}}, -np.inf, 0.0)
            add({z0 + k: 1.0, **{c: -1.0 for c in second}}, -np.inf, 0.0)
        for k, (p, first, second) in enumerate(q_rows):
            cover[p][q0 + k] = -1.0
            add({q0 + k: 1.0, **{c: -1.0 for c in first}}, -np.inf, 0.0)
            add({q0 + k: 1.0, **{c: -1.0 for c in second}}, -np.inf, 0.0)
        for coefs in cover:
            add(coefs, -np.inf, 0.0)
        self.A = coo_matrix((vals, (rows, cols)), shape=(row, nv)).tocsr()
        self.lo = np.array(lo)
        self.hi = np.array(hi)
        self.c = np.zeros(nv)
        self.c[x0 : x0 + P] = -self.weight
        self.nv = nv

    def solve(self, *, integral: bool, time_limit: float) -> tuple[float, np.ndarray]:
        integrality = np.zeros(self.nv)
        if integral:
            integrality[: self.n_y] = 1
        res = milp(
            self.c,
            constraints=LinearConstraint(self.A, self.lo, self.hi),
            integrality=integrality,
            bounds=Bounds(np.zeros(self.nv), np.ones(self.nv)),
            options={"time_limit": max(1.0, time_limit), "disp": False},
        )
        if res.x is None:
            if integral:
                return 0.0, np.zeros(self.n_y)
            raise NetworkError(f"the LP relaxation failed: {res.message}")
        y = np.asarray(res.x[: self.n_y])
        # the LP objective is the bound: a time-limited LP is not a bound, so refuse it
        if not integral and res.status != 0:
            raise NetworkError(f"the LP relaxation did not finish: {res.message}")
        return float(-res.fun), y


def _services(model: _Model, chosen: Sequence[tuple[int, int]]) -> list[Service]:
    return [
        Service(list(model.cands[r]), model.h[hh], int(model.buses[r, hh]), model.one_way[r])
        for r, hh in sorted(chosen)
    ]


def _exact(model: _Model, chosen: Sequence[tuple[int, int]]) -> float:
    if not chosen:
        return 0.0
    return served_trips(model.net, [(model.cands[r], model.h[hh]) for r, hh in chosen], model.s)[0]


def _improve(
    model: _Model, chosen: list[tuple[int, int]], deadline: float
) -> list[tuple[int, int]]:
    """First-improvement local search under the exact rule: add, drop, re-time, swap services."""
    budget = model.s.fleet
    max_routes = model.s.max_routes or model.R

    def cost(ch):
        return sum(model.buses[r, hh] for r, hh in ch)

    current = list(chosen)
    value = _exact(model, current)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        used = {r for r, _ in current}
        moves: list[list[tuple[int, int]]] = []
        for r in range(model.R):
            for hh in range(model.H):
                if r in used:
                    base = [(a, b) for a, b in current if a != r]
                    if (r, hh) not in current:
                        moves.append(base + [(r, hh)])
                elif len(current) < max_routes:
                    moves.append(current + [(r, hh)])
        for k in range(len(current)):
            moves.append(current[:k] + current[k + 1 :])
        for cand in moves:
            if time.perf_counter() > deadline:
                break
            if cost(cand) > budget or len(cand) > max_routes:
                continue
            v = _exact(model, cand)
            if v > value + 1e-9 or (v >= value - 1e-9 and cost(cand) < cost(current)):
                current, value, improved = cand, v, True
                break
        if not improved and time.perf_counter() < deadline:
            # swap: drop one service, add another that fits
            for k in range(len(current)):
                rest = current[:k] + current[k + 1 :]
                room = budget - cost(rest)
                used_rest = {r for r, _ in rest}
                for r in range(model.R):
                    if r in used_rest:
                        continue
                    for hh in range(model.H):
                        if model.buses[r, hh] > room or (r, hh) == current[k]:
                            continue
                        cand = rest + [(r, hh)]
                        v = _exact(model, cand)
                        if v > value + 1e-9:
                            current, value, improved = cand, v, True
                            break
                    if improved or time.perf_counter() > deadline:
                        break
                if improved or time.perf_counter() > deadline:
                    break
    return current


def _greedy(model: _Model) -> list[tuple[int, int]]:
    """Add the service with most extra served trips per bus until nothing fits (not timed:
    at most ``max_routes`` rounds over the candidates)."""
    chosen: list[tuple[int, int]] = []
    value = 0.0
    spent = 0.0
    max_routes = model.s.max_routes or model.R
    while len(chosen) < max_routes:
        used = {r for r, _ in chosen}
        best, best_rate = None, 0.0
        for r in range(model.R):
            if r in used:
                continue
            for hh in range(model.H):
                b = model.buses[r, hh]
                if spent + b > model.s.fleet:
                    continue
                gain = _exact(model, chosen + [(r, hh)]) - value
                rate = gain / max(b, 1.0)
                if rate > best_rate:
                    best, best_rate = (r, hh), rate
        if best is None:
            break
        chosen.append(best)
        spent += model.buses[best]
        value = _exact(model, chosen)
    return chosen


def plan_night_buses(
    network: TransitNetwork,
    settings: NightBusSettings,
    *,
    candidates: RouteSet | None = None,
    n_candidates: int = 40,
    time_limit: float = 20.0,
    initial: Sequence[tuple[Sequence[int], float]] | None = None,
) -> NightBusPlan:
    """Choose services (route and headway) maximising the demand served within the fleet.

    Parameters
    ----------
    network : TransitNetwork
        Street graph with night travel times and night demand.
    settings : NightBusSettings
    candidates : route set, optional
        Routes to choose from (simple linked paths); by default :func:`candidate_routes`.
    time_limit : float
        Seconds for the integer programme and the local search, after the LP bound (which runs
        to optimality, up to a minute) and a greedy start.
    initial : services, optional
        ``(route, headway)`` pairs of a plan to start from (routes among the candidates and
        within this fleet), e.g. the plan for a smaller fleet.

    Returns
    -------
    NightBusPlan
        With the exact share served and the LP upper bound for this fleet.
    """
    t0 = time.perf_counter()
    if not time_limit > 0:
        raise NetworkError("time_limit must be positive")
    if candidates is None:
        candidates = candidate_routes(
            network,
            min_stops=settings.min_stops,
            max_stops=settings.max_stops,
            n_candidates=n_candidates,
        )
    else:
        for k, r in enumerate(candidates):
            _check_route(network, list(r), f"candidate route {k + 1}")
            if not settings.min_stops <= len(r) <= settings.max_stops:
                raise NetworkError(
                    f"candidate route {k + 1} has {len(r)} stops, outside {settings.min_stops}-{settings.max_stops}"
                )
    if not candidates:
        raise NetworkError("no candidate routes")
    model = _Model(network, [list(map(int, r)) for r in candidates], settings)
    # the bound must be proven, so the LP gets time of its own; the MIP only seeds the search
    bound, _ = model.solve(integral=False, time_limit=max(60.0, time_limit))
    t1 = time.perf_counter()
    _, y = model.solve(integral=True, time_limit=time_limit * 0.3)
    mip = [(int(k) // model.H, int(k) % model.H) for k in np.flatnonzero(y > 0.5)]
    deadline = t1 + time_limit
    starts: list[list[tuple[int, int]]] = [mip, _greedy(model)]
    if initial:
        index = {tuple(r): k for k, r in enumerate(model.cands)}
        start: list[tuple[int, int]] = []
        for route, headway in initial:
            key = tuple(int(x) for x in route)
            if key not in index or float(headway) not in model.h:
                raise NetworkError(
                    f"initial service {list(key)} at {headway} min is not a candidate"
                )
            start.append((index[key], model.h.index(float(headway))))
        if sum(model.buses[r, hh] for r, hh in start) <= settings.fleet:
            starts.insert(0, start)
    best: list[tuple[int, int]] = []
    best_value = -1.0
    for first in starts:
        improved = _improve(model, first, deadline)
        v = _exact(model, improved)
        if v > best_value:
            best, best_value = improved, v
    services = _services(model, best)
    served, minutes, mask = (
        served_trips(network, [(s.route, s.headway) for s in services], settings)
        if services
        else (0.0, np.full((network.n_stops,) * 2, np.inf), np.zeros((network.n_stops,) * 2, bool))
    )
    total = float(network.demand.sum())
    return NightBusPlan(
        services=services,
        settings=settings,
        served_trips=served,
        total_trips=total,
        # the bound counts unordered pairs with both directions' demand: same units as served
        bound_trips=bound,
        journey_minutes=minutes,
        served=mask,
        seconds=time.perf_counter() - t0,
    )


def coverage_curve(
    network: TransitNetwork,
    settings: NightBusSettings,
    fleets: Sequence[int],
    *,
    candidates: RouteSet | None = None,
    n_candidates: int = 40,
    time_limit_per_point: float = 10.0,
) -> list[CoveragePoint]:
    """Share of demand served against fleet size, with the LP upper bound at each size.

    This answers "what share could 30 buses serve?": for each fleet size a plan is made with
    :func:`plan_night_buses` and its exact share is reported beside the bound.
    """
    if not fleets:
        raise NetworkError("give at least one fleet size")
    if candidates is None:
        candidates = candidate_routes(
            network,
            min_stops=settings.min_stops,
            max_stops=settings.max_stops,
            n_candidates=n_candidates,
        )
    points = []
    previous: list[tuple[list[int], float]] | None = None
    for fleet in sorted({int(f) for f in fleets}):
        s = NightBusSettings(**{**settings.__dict__, "fleet": fleet})
        # a plan for fewer buses is a start for more, which keeps the curve non-decreasing
        plan = plan_night_buses(
            network, s, candidates=candidates, time_limit=time_limit_per_point, initial=previous
        )
        previous = [(sv.route, sv.headway) for sv in plan.services]
        points.append(
            CoveragePoint(
                fleet, plan.served_share, plan.bound_share, plan.buses, len(plan.services)
            )
        )
    return points
