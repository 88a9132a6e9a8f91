"""A dial-a-ride solver: regret insertion and adaptive large neighbourhood search.

The search keeps a set of routes, repeatedly removes some requests (at random, the costliest, or
a group of related ones) and re-inserts them (greedy or regret-k, with or without noise), as in
Ropke & Pisinger's adaptive large neighbourhood search, and accepts the result by simulated
annealing with a temperature that falls with the elapsed share of the time limit. Every insertion
is screened cheaply (capacity, earliest starts against latest starts, a ride-time lower bound) and
then confirmed by Cordeau & Laporte's eight-step scheduling, so every route kept is feasible with
the schedule the procedure returns. Requests that fit nowhere stay unserved at a large penalty
until the search finds them a place.

References
----------
.. [1] S. Ropke and D. Pisinger (2006), "An adaptive large neighborhood search heuristic for the
   pickup and delivery problem with time windows", Transportation Science 40(4):455-472.
.. [2] S. Ropke, J.-F. Cordeau and G. Laporte (2007), "Models and branch-and-cut algorithms for
   pickup and delivery problems with time windows", Networks 49(4):258-272.
.. [3] J.-F. Cordeau and G. Laporte (2003), "A tabu search heuristic for the static multi-vehicle
   dial-a-ride problem", Transportation Research Part B 37(6):579-594.
"""

from __future__ import annotations

import math
import random
import time

from sharingcity.planning.dispatch.darp import DarpInstance, DarpSolution
from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.scheduling import eight_step_schedule

__all__ = ["solve_darp"]

EPS = 1e-9
# How many screened insertion positions are confirmed by full scheduling before giving up on a
# route: the cheap screen lets few infeasible ones through, so this rarely binds.
MAX_SCHEDULE_TRIES = 25
# Simulated annealing: a solution this much worse than the first one is accepted with probability
# one half at the start; the temperature then falls geometrically to END_RATIO of that.
START_WORSE = 0.05
END_RATIO = 1e-3


class _Route:
    """A feasible route with what the insertion screen needs (rebuilt on every change)."""

    __slots__ = ("nodes", "path", "times", "earliest", "latest", "load_after", "cost")

    def __init__(self, inst: DarpInstance, nodes: list[int], times: list[float]) -> None:
        t = inst.travel
        end = inst.end_depot
        path = [0, *nodes, end]
        self.nodes = nodes
        self.path = path
        self.times = times
        m = len(path)
        serv = inst.service
        early = inst.early
        late = inst.late
        e = [0.0] * m
        e[0] = early[0]
        for k in range(1, m):
            u, v = path[k - 1], path[k]
            a = e[k - 1] + serv[u] + t[u][v]
            e[k] = a if a > early[v] else early[v]
        z = [0.0] * m
        # The route cannot end later than the depot closes nor than T after the earliest start.
        z[m - 1] = min(late[end], late[0] + inst.max_route_duration)
        for k in range(m - 2, -1, -1):
            v = path[k]
            b = z[k + 1] - serv[v] - t[v][path[k + 1]]
            z[k] = b if b < late[v] else late[v]
        ld = [0] * m
        cur = 0
        for k in range(m):
            cur += inst.load[path[k]]
            ld[k] = cur
        self.earliest = e
        self.latest = z
        self.load_after = ld
        self.cost = sum(t[path[k]][path[k + 1]] for k in range(m - 1)) if nodes else 0.0


class _Insertion:
    __slots__ = ("delta", "p", "q", "times")

    def __init__(self, delta: float, p: int, q: int, times: list[float]) -> None:
        self.delta = delta
        self.p = p
        self.q = q
        self.times = times


def _best_insertion(inst: DarpInstance, route: _Route, i: int) -> _Insertion | None:
    """Cheapest feasible place for request ``i`` in ``route``, or ``None``."""
    n = inst.n_requests
    j = n + i
    t = inst.travel
    serv = inst.service
    early = inst.early
    late = inst.late
    cap = inst.capacity
    max_ride = inst.max_ride_time
    path = route.path
    e = route.earliest
    z = route.latest
    ld = route.load_after
    m = len(path)
    qi = inst.load[i]
    ei, li, di = early[i], late[i], serv[i]
    ej, lj, dj = early[j], late[j], serv[j]
    ti = t[i]
    tij = ti[j]
    tj = t[j]
    cands: list[tuple[float, int, int]] = []
    for p in range(m - 1):
        if e[p] > li:
            break
        if ld[p] + qi > cap:
            continue
        a = path[p]
        ta = t[a]
        arr_i = e[p] + serv[a] + ta[i]
        if arr_i > li:
            continue
        bi = arr_i if arr_i > ei else ei
        nxt_node = path[p + 1]
        base = ta[nxt_node]
        # Drop-off right after the pickup.
        arr_j = bi + di + tij
        if arr_j <= lj:
            bj = arr_j if arr_j > ej else ej
            if bj + dj + tj[nxt_node] <= z[p + 1] + EPS:
                cands.append((ta[i] + tij + tj[nxt_node] - base, p, p))
        dp = ta[i] + ti[nxt_node] - base
        # Latest the pickup can start with a stop after it: rides are measured from there.
        lat_i = z[p + 1] - di - ti[nxt_node]
        if lat_i > li:
            lat_i = li
        if lat_i < bi - EPS:
            continue
        leave_i = lat_i + di
        cur = bi
        prev = i
        ride = -di
        for q in range(p + 1, m - 1):
            if ld[q] + qi > cap:
                break
            v = path[q]
            arr = cur + serv[prev] + t[prev][v]
            bv = arr if arr > early[v] else early[v]
            if bv > z[q] + EPS:
                break
            ride += serv[prev] + t[prev][v]
            if ride > max_ride:
                break
            tv = t[v]
            arr_j = bv + serv[v] + tv[j]
            if arr_j <= lj and ride + serv[v] + tv[j] <= max_ride:
                w = path[q + 1]
                bj = arr_j if arr_j > ej else ej
                if bj - leave_i <= max_ride + EPS and bj + dj + tj[w] <= z[q + 1] + EPS:
                    cands.append((dp + tv[j] + tj[w] - tv[w], p, q))
            cur = bv
            prev = v
    if not cands:
        return None
    cands.sort()
    for delta, p, q in cands[:MAX_SCHEDULE_TRIES]:
        new_path = path[: p + 1] + [i] + path[p + 1 : q + 1] + [j] + path[q + 1 :]
        times = eight_step_schedule(
            new_path, t, serv, early, late, n, max_ride, inst.max_route_duration
        )
        if times is not None:
            return _Insertion(delta, p, q, times)
    return None


class _Search:
    """State of one search: routes, unserved requests and cached insertion costs."""

    def __init__(self, inst: DarpInstance, rng: random.Random) -> None:
        self.inst = inst
        self.rng = rng
        self.n = inst.n_requests
        self.routes = [
            _Route(inst, [], [inst.early[0], inst.early[0]]) for _ in range(inst.n_vehicles)
        ]
        self.cache: list[dict[int, _Insertion | None]] = [{} for _ in range(inst.n_vehicles)]
        self.where: dict[int, int] = {}
        self.unserved: set[int] = set(range(1, self.n + 1))
        t = inst.travel
        end = inst.end_depot
        alone = [t[0][i] + t[i][self.n + i] + t[self.n + i][end] for i in range(1, self.n + 1)]
        self.penalty = 2.0 * sum(alone) + 1.0
        self.max_travel = max(max(row) for row in t)
        self.saved: dict[int, tuple[_Route, dict[int, _Insertion | None]]] | None = None

    # -- state -------------------------------------------------------------------------------
    def objective(self) -> float:
        return sum(r.cost for r in self.routes) + self.penalty * len(self.unserved)

    def begin(self) -> None:
        self.saved = {}
        self.saved_where = dict(self.where)
        self.saved_unserved = set(self.unserved)

    def _touch(self, k: int) -> None:
        if self.saved is not None and k not in self.saved:
            self.saved[k] = (self.routes[k], self.cache[k])

    def rollback(self) -> None:
        assert self.saved is not None
        for k, (route, cache) in self.saved.items():
            self.routes[k] = route
            self.cache[k] = cache
        self.where = self.saved_where
        self.unserved = self.saved_unserved
        self.saved = None

    def commit(self) -> None:
        self.saved = None

    def snapshot(self) -> tuple[list[list[int]], list[list[float]], float, list[int]]:
        return (
            [list(r.nodes) for r in self.routes],
            [list(r.times) for r in self.routes],
            sum(r.cost for r in self.routes),
            sorted(self.unserved),
        )

    # -- moves -------------------------------------------------------------------------------
    def remove(self, i: int) -> None:
        k = self.where.pop(i)
        self._touch(k)
        route = self.routes[k]
        j = self.n + i
        keep = [idx for idx, v in enumerate(route.path) if v != i and v != j]
        # Dropping stops keeps the old schedule valid (travel obeys the triangle inequality).
        nodes = [route.path[idx] for idx in keep[1:-1]]
        times = [route.times[idx] for idx in keep] if nodes else [self.inst.early[0]] * 2
        self.routes[k] = _Route(self.inst, nodes, times)
        self.cache[k] = {}
        self.unserved.add(i)

    def insertion(self, i: int, k: int) -> _Insertion | None:
        cache = self.cache[k]
        if i in cache:
            return cache[i]
        res = _best_insertion(self.inst, self.routes[k], i)
        cache[i] = res
        return res

    def apply(self, i: int, k: int, ins: _Insertion) -> None:
        self._touch(k)
        path = self.routes[k].path
        j = self.n + i
        new_path = path[: ins.p + 1] + [i] + path[ins.p + 1 : ins.q + 1] + [j] + path[ins.q + 1 :]
        self.routes[k] = _Route(self.inst, new_path[1:-1], ins.times)
        self.cache[k] = {}
        self.where[i] = k
        self.unserved.discard(i)

    def candidate_routes(self) -> list[int]:
        # Empty vehicles are interchangeable: offering one avoids fake regret ties.
        out: list[int] = []
        empty_seen = False
        for k, r in enumerate(self.routes):
            if r.nodes:
                out.append(k)
            elif not empty_seen:
                empty_seen = True
                out.append(k)
        return out

    def insert_all(self, requests: list[int], regret: int, noise: float) -> None:
        """Insert ``requests`` by regret-``regret`` (1 = greedy), leaving the unplaceable unserved."""
        remaining = list(requests)
        rng = self.rng
        amp = noise * self.max_travel
        big = self.penalty
        while remaining:
            routes = self.candidate_routes()
            best_key: tuple[float, float] | None = None
            best: tuple[int, int, _Insertion] | None = None
            placeable = []
            for i in remaining:
                options: list[tuple[float, int, _Insertion]] = []
                for k in routes:
                    ins = self.insertion(i, k)
                    if ins is not None:
                        c = ins.delta + (amp * (2.0 * rng.random() - 1.0) if amp else 0.0)
                        options.append((c, k, ins))
                if not options:
                    continue
                placeable.append(i)
                options.sort(key=lambda o: o[0])
                c1 = options[0][0]
                if regret <= 1:
                    key = (-c1, 0.0)
                else:
                    reg = 0.0
                    for h in range(1, regret):
                        reg += (options[h][0] if h < len(options) else big) - c1
                    key = (reg, -c1)
                if best_key is None or key > best_key:
                    best_key = key
                    best = (i, options[0][1], options[0][2])
            if best is None:
                return
            i, k, ins = best
            self.apply(i, k, ins)
            remaining = [r for r in placeable if r != i]

    # -- removal heuristics ----------------------------------------------------------------------
    def served(self) -> list[int]:
        return sorted(self.where)

    def node_times(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for r in self.routes:
            for v, b in zip(r.path[1:-1], r.times[1:-1], strict=True):
                out[v] = b
        return out

    def remove_random(self, q: int) -> list[int]:
        chosen = self.rng.sample(self.served(), q)
        for i in chosen:
            self.remove(i)
        return chosen

    def remove_worst(self, q: int) -> list[int]:
        t = self.inst.travel
        n = self.n
        saving: list[tuple[float, int]] = []
        for r in self.routes:
            path = r.path
            pos = {v: k for k, v in enumerate(path)}
            for v in r.nodes:
                if v <= n:
                    pi, pj = pos[v], pos[n + v]
                    a, b = path[pi - 1], path[pj + 1]
                    if pj == pi + 1:
                        s = t[a][v] + t[v][n + v] + t[n + v][b] - t[a][b]
                    else:
                        b1, a2 = path[pi + 1], path[pj - 1]
                        s = t[a][v] + t[v][b1] - t[a][b1] + t[a2][n + v] + t[n + v][b] - t[a2][b]
                    saving.append((s, v))
        saving.sort(reverse=True)
        chosen: list[int] = []
        for _ in range(q):
            idx = int(len(saving) * self.rng.random() ** 3)
            chosen.append(saving.pop(idx)[1])
        for i in chosen:
            self.remove(i)
        return chosen

    def remove_related(self, q: int) -> list[int]:
        t = self.inst.travel
        n = self.n
        times = self.node_times()
        served = self.served()
        seed = self.rng.choice(served)
        span = max(1.0, self.inst.max_route_duration)

        def relatedness(i: int) -> float:
            dist = t[seed][i] + t[n + seed][n + i]
            gap = abs(times[seed] - times[i]) + abs(times[n + seed] - times[n + i])
            return (
                9.0 * dist / self.max_travel
                + 3.0 * gap / span
                + (0.0 if self.where[i] == self.where[seed] else 1.0)
            )

        others = sorted((relatedness(i), i) for i in served if i != seed)
        chosen = [seed]
        for _ in range(q - 1):
            idx = int(len(others) * self.rng.random() ** 6)
            chosen.append(others.pop(idx)[1])
        for i in chosen:
            self.remove(i)
        return chosen

    def remove_route_part(self, q: int) -> list[int]:
        # Empty most of one route so its requests can move to other vehicles together.
        k = self.rng.choice([k for k, r in enumerate(self.routes) if r.nodes])
        mine = [v for v in self.routes[k].nodes if v <= self.n]
        chosen = self.rng.sample(mine, min(q, len(mine)))
        for i in chosen:
            self.remove(i)
        return chosen


def solve_darp(
    instance: DarpInstance,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    max_iterations: int | None = None,
) -> DarpSolution:
    """Solve a static dial-a-ride instance by adaptive large neighbourhood search.

    Parameters
    ----------
    instance : DarpInstance
    time_limit : float
        Seconds of search (wall clock) after the construction.
    seed : int
        Seed of the search's random choices. With ``max_iterations`` and an ample time limit the
        run is reproducible; a run stopped by the clock depends on the machine's speed.
    max_iterations : int, optional
        Stop after this many destroy-and-repair iterations.

    Returns
    -------
    DarpSolution
        The best complete solution found, or, if none, the one with fewest unserved requests.

    Notes
    -----
    One iteration costs ``O(q * K * m^2)`` for ``q`` removed requests, ``K`` vehicles and routes
    of ``m`` stops, plus an ``O(m^2)`` eight-step scheduling per confirmed insertion.
    """
    if not time_limit > 0:
        raise DispatchError(f"time_limit must be positive, got {time_limit}")
    if max_iterations is not None and max_iterations < 0:
        raise DispatchError(f"max_iterations must be non-negative, got {max_iterations}")
    start = time.perf_counter()
    deadline = start + time_limit
    rng = random.Random(seed)
    search = _Search(instance, rng)
    n = instance.n_requests
    # Tightest window first: those are the hardest to place late.
    order = sorted(
        range(1, n + 1),
        key=lambda i: min(instance.late[i], instance.late[n + i] - instance.max_ride_time),
    )
    search.insert_all(order, regret=2, noise=0.0)
    current = search.objective()
    best_obj = current
    best = search.snapshot()
    destroys = [
        search.remove_random,
        search.remove_worst,
        search.remove_related,
        search.remove_route_part,
    ]
    repairs = [(1, 0.0), (1, 0.025), (2, 0.0), (2, 0.025), (3, 0.0), (instance.n_vehicles, 0.0)]
    w_destroy = [1.0] * len(destroys)
    w_repair = [1.0] * len(repairs)
    s_destroy = [0.0] * len(destroys)
    s_repair = [0.0] * len(repairs)
    c_destroy = [0] * len(destroys)
    c_repair = [0] * len(repairs)
    routed_cost = sum(r.cost for r in search.routes) or 1.0
    t_start = START_WORSE * routed_cost / math.log(2.0)
    t_end = t_start * END_RATIO
    lo = max(2, round(0.1 * n))
    hi = max(lo, min(round(0.4 * n), 30))
    iteration = 0
    while n and (max_iterations is None or iteration < max_iterations):
        now = time.perf_counter()
        if now >= deadline:
            break
        if max_iterations is not None:
            frac = iteration / max(1, max_iterations)
        else:
            frac = (now - start) / time_limit
        temperature = t_start * (t_end / t_start) ** min(1.0, frac)
        iteration += 1
        served = len(search.where)
        if served == 0:
            removed: list[int] = []
            di = -1
        else:
            q = min(served, rng.randint(lo, hi))
            di = rng.choices(range(len(destroys)), weights=w_destroy)[0]
            search.begin()
            removed = destroys[di](q)
        if di < 0:
            search.begin()
        ri = rng.choices(range(len(repairs)), weights=w_repair)[0]
        regret, noise = repairs[ri]
        pending = sorted(search.unserved)
        rng.shuffle(pending)
        search.insert_all(pending, regret=regret, noise=noise)
        new = search.objective()
        score = 0.0
        if new < best_obj - 1e-7:
            best_obj = new
            best = search.snapshot()
            score = 33.0
            search.commit()
            current = new
        elif new < current - 1e-7:
            score = 9.0
            search.commit()
            current = new
        elif new > current + 1e-7 and rng.random() < math.exp(-(new - current) / temperature):
            score = 13.0
            search.commit()
            current = new
        elif abs(new - current) <= 1e-7:
            search.commit()
        else:
            search.rollback()
        if di >= 0:
            s_destroy[di] += score
            c_destroy[di] += 1
        s_repair[ri] += score
        c_repair[ri] += 1
        if iteration % 100 == 0:
            for w, s, c in ((w_destroy, s_destroy, c_destroy), (w_repair, s_repair, c_repair)):
                for h in range(len(w)):
                    if c[h]:
                        w[h] = max(0.05, 0.9 * w[h] + 0.1 * s[h] / c[h])
                    s[h] = 0.0
                    c[h] = 0
        del removed
    routes, times, cost, unserved = best
    return DarpSolution(
        routes=tuple(tuple(r) for r in routes),
        times=tuple(tuple(b) for b in times),
        cost=cost,
        unserved=tuple(unserved),
        iterations=iteration,
        seconds=time.perf_counter() - start,
    )
