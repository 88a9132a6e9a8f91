"""Route design for the UTRP: construction heuristics and a hyper-heuristic simulated annealing.

The search follows the shape of Ahmed, Mumford & Kheiri (2019): a feasible start built from
demand-weighted shortest paths (or grown at random, as Mumford 2013), then a selection
hyper-heuristic that picks one of several route-modifying low-level heuristics by its recent
success and accepts the result by a simulated-annealing rule on a time-based cooling schedule,
returning to the best set found when the search stalls. Every move keeps each route a simple
linked path within the stop limits and keeps every stop served; moves that disconnect the
network are scored ``inf`` and refused, so every returned route set is feasible (and is checked
once more with :func:`~.evaluate.check_route_set` before it is returned).

Objectives: ``"passenger"`` (minimise ATT), ``"operator"`` (minimise TRT, ties by ATT) or a
weighted sum (used by :func:`design_pareto_front`, which keeps every non-dominated set seen).

References
----------
L. Ahmed, C. Mumford, A. Kheiri, "Solving urban transit route design problem using selection
hyper-heuristics", European Journal of Operational Research 274(2), 2019, pp. 545-559.
C. L. Mumford, "New heuristic and evolutionary operators for the multi-objective urban transit
routing problem", IEEE CEC 2013.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.csgraph import shortest_path

from .errors import InfeasibleRouteSetError, NetworkError
from .evaluate import DEFAULT_TRANSFER_PENALTY, Evaluation, RouteSetEvaluator, _check_limits
from .instance import RouteSet, TransitNetwork

OBJECTIVES = ("passenger", "operator")


@dataclass(frozen=True)
class DesignProgress:
    """What a progress callback receives, a few times per second."""

    elapsed: float
    fraction: float
    evaluations: int
    best_cost: float
    best_att: float
    best_trt: float


@dataclass(frozen=True, eq=False)
class RouteDesign:
    """A designed route set with its scores and how it was found."""

    routes: RouteSet
    evaluation: Evaluation
    objective: str
    seed: int | None
    evaluations: int
    elapsed: float
    history: list[tuple[float, float]] = field(default_factory=list, repr=False)

    @property
    def att(self) -> float:
        return self.evaluation.att

    @property
    def trt(self) -> float:
        return self.evaluation.trt


# ---------------------------------------------------------------------------------------------
# The searcher


def _draw(cum: np.ndarray, rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to its weight, given cumulative weights."""
    return min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)


class _Designer:
    def __init__(
        self,
        network: TransitNetwork,
        n_routes: int,
        min_stops: int,
        max_stops: int,
        rng: np.random.Generator,
        transfer_penalty: float,
    ):
        self.net = network
        self.n = network.n_stops
        self.r = n_routes
        self.lo = min_stops
        self.hi = max_stops
        self.rng = rng
        self.ev = RouteSetEvaluator(network, transfer_penalty=transfer_penalty)
        self.adj = network.neighbours()
        self.adjset = [set(a) for a in self.adj]
        dist, pred = shortest_path(network.travel_times, directed=False, return_predecessors=True)
        if not np.isfinite(dist).all():
            raise NetworkError("the street graph is disconnected: no route set can serve it")
        self.pred = pred
        d = network.demand + network.demand.T
        iu = np.triu_indices(self.n, 1)
        self.pairs = np.column_stack(iu)
        w = d[iu]
        self.pair_p = w / w.sum()
        # cumulative weights: drawing by bisection is several times cheaper than choice(p=)
        self.pair_cum = np.cumsum(self.pair_p)
        self.demand_sym = d
        self.demand_cum = np.cumsum(d, axis=1)

    # -- paths ---------------------------------------------------------------------------------
    def path(self, a: int, b: int) -> list[int]:
        out = [b]
        while out[-1] != a:
            out.append(int(self.pred[a, out[-1]]))
        return out[::-1]

    def fit_length(self, route: list[int]) -> list[int] | None:
        """Cut a long path to a random window, grow a short one at its ends."""
        rng = self.rng
        if len(route) > self.hi:
            start = int(rng.integers(0, len(route) - self.hi + 1))
            route = route[start : start + self.hi]
        route = list(route)
        inside = set(route)
        while len(route) < self.lo:
            ends = [0, -1]
            rng.shuffle(ends)
            for e in ends:
                options = [x for x in self.adj[route[e]] if x not in inside]
                if options:
                    x = int(options[rng.integers(len(options))])
                    if e == 0:
                        route.insert(0, x)
                    else:
                        route.append(x)
                    inside.add(x)
                    break
            else:
                return None
        return route

    def random_demand_path(self) -> list[int] | None:
        a, b = self.pairs[_draw(self.pair_cum, self.rng)]
        return self.fit_length(self.path(int(a), int(b)))

    # -- construction --------------------------------------------------------------------------
    def covered(self, routes: Sequence[Sequence[int]]) -> bool:
        return len({s for r in routes for s in r}) == self.n

    def repair_coverage(self, routes: RouteSet) -> RouteSet | None:
        routes = [list(r) for r in routes]
        for _ in range(4 * self.n):
            served = {s for r in routes for s in r}
            missing = [u for u in range(self.n) if u not in served]
            if not missing:
                return routes
            progress = False
            for u in missing:
                if self._attach(routes, u):
                    progress = True
            if not progress:
                # swap a terminal stop served elsewhere for a missing neighbour
                for u in missing:
                    if self._swap_terminal(routes, u):
                        progress = True
                        break
            if not progress:
                return None
        return None

    def _attach(self, routes: RouteSet, u: int) -> bool:
        order = self.rng.permutation(len(routes))
        for k in order:
            r = routes[k]
            if len(r) >= self.hi or u in r:
                continue
            if u in self.adjset[r[-1]]:
                r.append(u)
                return True
            if u in self.adjset[r[0]]:
                r.insert(0, u)
                return True
        for k in order:
            r = routes[k]
            if len(r) >= self.hi or u in r:
                continue
            for p in range(len(r) - 1):
                if u in self.adjset[r[p]] and u in self.adjset[r[p + 1]]:
                    r.insert(p + 1, u)
                    return True
        return False

    def _swap_terminal(self, routes: RouteSet, u: int) -> bool:
        counts = np.bincount([s for r in routes for s in r], minlength=self.n)
        for k in self.rng.permutation(len(routes)):
            r = routes[k]
            if u in r or len(r) < 2:
                continue
            if counts[r[-1]] > 1 and u in self.adjset[r[-2]]:
                r[-1] = u
                return True
            if counts[r[0]] > 1 and u in self.adjset[r[1]]:
                r[0] = u
                return True
        return False

    def construct_demand(self) -> RouteSet | None:
        """Greedy: each new route is the fitted shortest path that directly serves the most
        not-yet-direct demand among paths touching the network built so far."""
        direct = np.zeros((self.n, self.n), dtype=bool)
        routes: RouteSet = []
        served: set[int] = set()
        for _ in range(self.r):
            best, best_gain = None, -1.0
            for _ in range(40):
                p = self.random_demand_path()
                if p is None or (served and not served.intersection(p)):
                    continue
                ix = np.ix_(p, p)
                gain = float((self.demand_sym[ix] * ~direct[ix]).sum())
                new = len(set(p) - served)
                gain *= 1.0 + 0.1 * new
                if gain > best_gain:
                    best, best_gain = p, gain
            if best is None:
                return None
            routes.append(best)
            served.update(best)
            direct[np.ix_(best, best)] = True
        return self.repair_coverage(routes)

    def construct_random(self) -> RouteSet | None:
        """Mumford (2013): grow each route from a served stop so the network stays connected."""
        rng = self.rng
        routes: RouteSet = []
        served: set[int] = set()
        for _ in range(self.r):
            for _attempt in range(20):
                start = int(rng.integers(self.n)) if not served else int(rng.choice(sorted(served)))
                target = int(rng.integers(self.lo, self.hi + 1))
                route = [start]
                inside = {start}
                while len(route) < target:
                    grown = False
                    for e in rng.permutation(2):
                        end = route[0] if e == 0 else route[-1]
                        options = [x for x in self.adj[end] if x not in inside]
                        fresh = [x for x in options if x not in served]
                        pick = fresh or options
                        if pick:
                            x = int(pick[rng.integers(len(pick))])
                            if e == 0:
                                route.insert(0, x)
                            else:
                                route.append(x)
                            inside.add(x)
                            grown = True
                            break
                    if not grown:
                        break
                if len(route) >= self.lo:
                    routes.append(route)
                    served.update(route)
                    break
            else:
                return None
        return self.repair_coverage(routes)

    def construct(self, objective: str) -> RouteSet:
        for attempt in range(300):
            build = (
                self.construct_demand
                if objective == "passenger" and attempt % 2 == 0
                else self.construct_random
            )
            routes = build()
            if routes is not None and math.isfinite(self.ev.passenger_cost(routes)):
                return routes
        raise NetworkError(
            f"could not build a feasible set of {self.r} routes with {self.lo}-{self.hi} stops "
            f"on {self.n} stops after 300 attempts; the limits may be too tight"
        )

    # -- low-level heuristics ------------------------------------------------------------------
    # Each returns (index of changed routes, new routes) or None when it does not apply.

    def _pick(self, routes: RouteSet) -> int:
        return int(self.rng.integers(len(routes)))

    def h_extend(self, routes: RouteSet):
        k = self._pick(routes)
        r = routes[k]
        if len(r) >= self.hi:
            return None
        front = bool(self.rng.integers(2))
        end = r[0] if front else r[-1]
        options = [x for x in self.adj[end] if x not in r]
        if not options:
            return None
        x = options[int(self.rng.integers(len(options)))]
        return {k: [x, *r] if front else [*r, x]}

    def h_shrink(self, routes: RouteSet, counts: np.ndarray):
        k = self._pick(routes)
        r = routes[k]
        if len(r) <= self.lo:
            return None
        front = bool(self.rng.integers(2))
        end = r[0] if front else r[-1]
        if counts[end] < 2:
            return None
        return {k: r[1:] if front else r[:-1]}

    def h_replace(self, routes: RouteSet, counts: np.ndarray):
        k = self._pick(routes)
        p = self.random_demand_path()
        if p is None or not self._keeps_coverage(routes[k], p, counts):
            return None
        return {k: p}

    def h_reroute(self, routes: RouteSet, counts: np.ndarray):
        """Replace the stretch between two stops by the shortest path through a third stop."""
        k = self._pick(routes)
        r = routes[k]
        if len(r) < 2:
            return None
        i, j = sorted(self.rng.choice(len(r), size=2, replace=False))
        via = int(self.rng.integers(self.n))
        middle = self.path(r[i], via) + self.path(via, r[j])[1:]
        new = r[:i] + middle + r[j + 1 :]
        if len(new) != len(set(new)) or not self.lo <= len(new) <= self.hi:
            return None
        if not self._keeps_coverage(r, new, counts):
            return None
        return {k: new}

    def h_extend_path(self, routes: RouteSet):
        """Grow a route from one end along the shortest path towards a demand-weighted stop."""
        k = self._pick(routes)
        r = routes[k]
        if len(r) >= self.hi:
            return None
        front = bool(self.rng.integers(2))
        end = r[0] if front else r[-1]
        cum = self.demand_cum[end]
        target = _draw(cum, self.rng) if cum[-1] > 0 else int(self.rng.integers(self.n))
        if target in r:
            return None
        tail: list[int] = []
        inside = set(r)
        for x in self.path(end, target)[1:]:
            if x in inside or len(r) + len(tail) >= self.hi:
                break
            tail.append(x)
        if not tail:
            return None
        return {k: tail[::-1] + r if front else r + tail}

    def h_exchange(self, routes: RouteSet):
        """Swap tails of two routes at a shared stop (crossover of two routes)."""
        k = self._pick(routes)
        r = routes[k]
        p = int(self.rng.integers(len(r)))
        v = r[p]
        others = [m for m in range(len(routes)) if m != k and v in routes[m]]
        if not others:
            return None
        m = others[int(self.rng.integers(len(others)))]
        s = routes[m]
        q = s.index(v)
        if self.rng.integers(2):
            s = s[::-1]
            q = len(s) - 1 - q
        a = r[:p] + s[q:]
        b = s[:q] + r[p:]
        for x in (a, b):
            if len(x) != len(set(x)) or not self.lo <= len(x) <= self.hi:
                return None
        return {k: a, m: b}

    def h_insert(self, routes: RouteSet):
        k = self._pick(routes)
        r = routes[k]
        if len(r) >= self.hi or len(r) < 2:
            return None
        p = int(self.rng.integers(len(r) - 1))
        options = [x for x in self.adjset[r[p]] & self.adjset[r[p + 1]] if x not in r]
        if not options:
            return None
        x = options[int(self.rng.integers(len(options)))]
        return {k: r[: p + 1] + [x] + r[p + 1 :]}

    def h_delete(self, routes: RouteSet, counts: np.ndarray):
        k = self._pick(routes)
        r = routes[k]
        if len(r) <= max(self.lo, 2):
            return None
        p = int(self.rng.integers(1, len(r) - 1)) if len(r) > 2 else 0
        if p == 0 or counts[r[p]] < 2 or r[p + 1] not in self.adjset[r[p - 1]]:
            return None
        return {k: r[:p] + r[p + 1 :]}

    def _keeps_coverage(self, old: list[int], new: list[int], counts: np.ndarray) -> bool:
        keep = set(new)
        return all(counts[s] > 1 or s in keep for s in old)


HEURISTICS = (
    "extend",
    "shrink",
    "replace",
    "reroute",
    "extend_path",
    "exchange",
    "insert",
    "delete",
)


class _Search:
    """One simulated-annealing hyper-heuristic run."""

    def __init__(
        self,
        designer: _Designer,
        cost: Callable[..., tuple[float, float, float]],
        *,
        time_limit: float,
        max_evaluations: int | None,
        progress: Callable[[DesignProgress], None] | None,
        archive: list[tuple[float, float, RouteSet]] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.clock = clock
        self.d = designer
        self.cost = cost
        self.time_limit = time_limit
        self.max_evaluations = max_evaluations
        self.progress = progress
        self.evaluations = 0
        self.archive = archive

    def _record(self, att: float, trt: float, routes: RouteSet) -> None:
        """Keep the non-dominated (ATT, TRT) sets seen (for Pareto fronts)."""
        arch = self.archive
        if arch is None:
            return
        for a, t, _ in arch:
            if a <= att and t <= trt:
                return
        arch[:] = [e for e in arch if not (att <= e[0] and trt <= e[1])]
        arch.append((att, trt, [list(r) for r in routes]))

    def run(self, start: RouteSet, t0: float) -> tuple[RouteSet, float, list[tuple[float, float]]]:
        rng = self.d.rng
        current = [list(r) for r in start]
        cur_cost, att, trt = self.cost(current)
        self.evaluations += 1
        self._record(att, trt, current)
        best, best_cost, best_att, best_trt = current, cur_cost, att, trt
        history = [(0.0, best_cost)]
        weights = np.ones(len(HEURISTICS))
        temp0 = self._initial_temperature(current, cur_cost)
        temp_end = temp0 * 1e-3
        last_report = self.clock()
        last_improve = 0.0
        while True:
            now = self.clock()
            elapsed = now - t0
            frac = elapsed / self.time_limit if self.time_limit > 0 else 1.0
            if self.max_evaluations is not None:
                frac = max(frac, self.evaluations / self.max_evaluations)
            if frac >= 1.0:
                break
            temp = temp0 * (temp_end / temp0) ** frac
            if frac - last_improve > 0.1:
                # stalled: go back to the best set and warm up a little
                current, cur_cost = [list(r) for r in best], best_cost
                last_improve = frac
            h = _draw(np.cumsum(weights), rng)
            change = self._apply(HEURISTICS[h], current)
            if change is None:
                weights[h] = max(0.2, weights[h] * 0.995)
                continue
            cand = list(current)
            for k, r in change.items():
                cand[k] = r
            # the simulated-annealing rule (accept if rand < exp(-delta / temp)) as a threshold
            # drawn first, so that the evaluator may stop once the candidate is sure to exceed it
            threshold = cur_cost - max(temp, 1e-12) * math.log(1.0 - rng.random())
            c, att, trt = self.cost(cand, None if self.archive is not None else threshold)
            self.evaluations += 1
            if not math.isfinite(c):
                weights[h] = max(0.2, weights[h] * 0.995)
                continue
            self._record(att, trt, cand)
            if c <= threshold:
                current, cur_cost = cand, c
                if c < best_cost - 1e-12:
                    best, best_cost, best_att, best_trt = cand, c, att, trt
                    history.append((elapsed, c))
                    last_improve = frac
                    weights[h] += 1.0
                else:
                    weights[h] += 0.1
            weights *= 0.999
            weights = np.maximum(weights, 0.2)
            if self.progress is not None and now - last_report > 0.25:
                last_report = now
                self.progress(
                    DesignProgress(
                        elapsed, min(frac, 1.0), self.evaluations, best_cost, best_att, best_trt
                    )
                )
        return best, best_cost, history

    def _apply(self, name: str, routes: RouteSet):
        d = self.d
        counts = np.empty(0, dtype=np.intp)
        if name in ("shrink", "replace", "reroute", "delete"):
            counts = np.bincount(np.concatenate(routes), minlength=d.n)
        if name == "extend":
            return d.h_extend(routes)
        if name == "shrink":
            return d.h_shrink(routes, counts)
        if name == "replace":
            return d.h_replace(routes, counts)
        if name == "reroute":
            return d.h_reroute(routes, counts)
        if name == "extend_path":
            return d.h_extend_path(routes)
        if name == "exchange":
            return d.h_exchange(routes)
        if name == "insert":
            return d.h_insert(routes)
        return d.h_delete(routes, counts)

    def _initial_temperature(self, routes: RouteSet, cost: float) -> float:
        """Accept a typical worsening move with probability 1/2 at the start."""
        ups = []
        for _ in range(60):
            change = self._apply(HEURISTICS[int(self.d.rng.integers(len(HEURISTICS)))], routes)
            if change is None:
                continue
            cand = list(routes)
            for k, r in change.items():
                cand[k] = r
            c, att, trt = self.cost(cand)
            self.evaluations += 1
            if math.isfinite(c):
                self._record(att, trt, cand)
                if c > cost:
                    ups.append(c - cost)
        if not ups:
            return max(abs(cost) * 1e-3, 1e-6)
        return float(np.median(ups)) / math.log(2.0)


# ---------------------------------------------------------------------------------------------
# Public API


def _clock(name: str) -> Callable[[], float]:
    if name == "wall":
        return time.perf_counter
    if name == "cpu":
        return time.process_time
    raise NetworkError(f"clock must be 'wall' or 'cpu', got {name!r}")


def _validate(network, n_routes, min_stops, max_stops, time_limit, max_evaluations):
    if not isinstance(network, TransitNetwork):
        raise NetworkError("network must be a TransitNetwork")
    if n_routes is None or min_stops is None or max_stops is None:
        raise NetworkError("n_routes, min_stops and max_stops are required")
    _check_limits(n_routes, min_stops, max_stops)
    if max_stops > network.n_stops:
        raise NetworkError(f"max_stops {max_stops} is above the number of stops {network.n_stops}")
    if n_routes * max_stops < network.n_stops:
        raise NetworkError(
            f"{n_routes} routes of at most {max_stops} stops cannot serve {network.n_stops} stops"
        )
    if not (time_limit >= 0 and math.isfinite(time_limit)):
        raise NetworkError(f"time_limit must be a non-negative number of seconds, got {time_limit}")
    if max_evaluations is not None and max_evaluations < 1:
        raise NetworkError(f"max_evaluations must be positive, got {max_evaluations}")
    if time_limit == 0 and max_evaluations is None:
        raise NetworkError("give a positive time_limit or max_evaluations")


def _final(
    designer: _Designer,
    routes: RouteSet,
    objective: str,
    seed,
    evaluations,
    t0,
    history,
    clock=time.perf_counter,
):
    ev = designer.ev
    reasons = ev.check(routes, n_routes=designer.r, min_stops=designer.lo, max_stops=designer.hi)
    if reasons:  # a defect in a move, never expected: refuse rather than return it
        raise InfeasibleRouteSetError(reasons)
    return RouteDesign(
        routes=[list(map(int, r)) for r in routes],
        evaluation=ev.evaluate(routes),
        objective=objective,
        seed=seed,
        evaluations=evaluations,
        elapsed=clock() - t0,
        history=history,
    )


def _cost_function(designer: _Designer, objective: str | tuple[float, float, float, float]):
    ev = designer.ev
    if objective == "passenger":

        def cost(routes, above=None):
            att = ev.passenger_cost(routes, above=above)
            return att, att, math.nan

    elif objective == "operator":

        def cost(routes, above=None):
            att = ev.passenger_cost(routes)
            trt = ev.operator_cost(routes)
            # TRT first; ATT only breaks ties (it moves the cost by less than one minute)
            return trt + 1e-3 * att, att, trt

    else:
        w, att_ref, trt_ref, _ = objective  # type: ignore[misc,str-unpack]

        def cost(routes, above=None):
            att = ev.passenger_cost(routes)
            trt = ev.operator_cost(routes)
            return w * att / att_ref + (1 - w) * trt / trt_ref, att, trt

    return cost


def design_routes(
    network: TransitNetwork,
    *,
    n_routes: int,
    min_stops: int,
    max_stops: int,
    objective: str = "passenger",
    seed: int | None = 0,
    time_limit: float = 60.0,
    max_evaluations: int | None = None,
    progress: Callable[[DesignProgress], None] | None = None,
    initial: RouteSet | None = None,
    transfer_penalty: float = DEFAULT_TRANSFER_PENALTY,
    clock: str = "wall",
) -> RouteDesign:
    """Design a route set minimising passenger (ATT) or operator (TRT) cost.

    Parameters
    ----------
    network : TransitNetwork
    n_routes, min_stops, max_stops : int
        The number of routes and the limits on stops per route (inclusive).
    objective : {"passenger", "operator"}
    seed : int or None
        Seed of the random choices; with ``max_evaluations`` and no time limit the result is
        reproducible, with a time limit it depends on machine speed.
    time_limit : float
        Seconds of search (construction included); ``0`` means no limit (then give
        ``max_evaluations``).
    max_evaluations : int, optional
        Stop after this many route-set evaluations.
    progress : callable, optional
        Called with a :class:`DesignProgress` about four times a second.
    initial : route set, optional
        A feasible start (e.g. a published set to improve); checked first.
    clock : {"wall", "cpu"}
        Whether ``time_limit`` counts wall-clock seconds or this process's CPU seconds (fairer
        on a shared machine; used by the benchmarks).

    Returns
    -------
    RouteDesign
        Always feasible under the UTRP rules with the given limits.

    Notes
    -----
    Each step costs one evaluation (about 0.4 ms on Mumford1, some 2,500 per CPU second; see
    :mod:`.evaluate`); the search spends its whole budget, so results improve with
    ``time_limit``.
    """
    if objective not in OBJECTIVES:
        raise NetworkError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    _validate(network, n_routes, min_stops, max_stops, time_limit, max_evaluations)
    timer = _clock(clock)
    t0 = timer()
    limit = time_limit if time_limit > 0 else math.inf
    designer = _Designer(
        network, n_routes, min_stops, max_stops, np.random.default_rng(seed), transfer_penalty
    )
    if initial is not None:
        reasons = designer.ev.check(
            initial, n_routes=n_routes, min_stops=min_stops, max_stops=max_stops
        )
        if reasons:
            raise InfeasibleRouteSetError(reasons)
        start = [list(map(int, r)) for r in initial]
    else:
        start = designer.construct(objective)
    search = _Search(
        designer,
        _cost_function(designer, objective),
        time_limit=limit,
        max_evaluations=max_evaluations,
        progress=progress,
        clock=timer,
    )
    best, _, history = search.run(start, t0)
    return _final(designer, best, objective, seed, search.evaluations, t0, history, timer)


def _scaled_progress(progress, t0: float, k: int, parts: int, done: int):
    """Report the progress of part ``k`` of ``parts`` searches as progress of the whole."""
    if progress is None:
        return None

    def report(p: DesignProgress) -> None:
        progress(
            DesignProgress(
                time.perf_counter() - t0,
                (k + p.fraction) / parts,
                done + p.evaluations,
                p.best_cost,
                p.best_att,
                p.best_trt,
            )
        )

    return report


def design_pareto_front(
    network: TransitNetwork,
    *,
    n_routes: int,
    min_stops: int,
    max_stops: int,
    seed: int | None = 0,
    time_limit: float = 60.0,
    max_evaluations: int | None = None,
    n_weights: int = 6,
    progress: Callable[[DesignProgress], None] | None = None,
    transfer_penalty: float = DEFAULT_TRANSFER_PENALTY,
) -> list[RouteDesign]:
    """Approximate the passenger/operator Pareto front.

    The budget is split over ``n_weights`` searches on weighted sums
    ``w ATT / ATT_0 + (1 - w) TRT / TRT_0`` (``w`` from 1 to 0, each search starting from the
    previous best); every feasible set met on the way enters a non-dominated archive, which is
    returned sorted by TRT (then ATT), each entry fully evaluated.
    """
    _validate(network, n_routes, min_stops, max_stops, time_limit, max_evaluations)
    if n_weights < 2:
        raise NetworkError(f"n_weights must be at least 2, got {n_weights}")
    t0 = time.perf_counter()
    designer = _Designer(
        network, n_routes, min_stops, max_stops, np.random.default_rng(seed), transfer_penalty
    )
    start = designer.construct("passenger")
    att0 = designer.ev.passenger_cost(start)
    trt0 = designer.ev.operator_cost(start)
    archive: list[tuple[float, float, RouteSet]] = []
    total = 0
    for k, w in enumerate(np.linspace(1.0, 0.0, n_weights)):
        per_time = time_limit / n_weights if time_limit > 0 else math.inf
        per_eval = None if max_evaluations is None else max(1, max_evaluations // n_weights)
        search = _Search(
            designer,
            _cost_function(designer, (float(w), att0, trt0, 0.0)),
            time_limit=per_time,
            max_evaluations=per_eval,
            progress=_scaled_progress(progress, t0, k, n_weights, total),
            archive=archive,
        )
        start, _, _ = search.run(start, time.perf_counter())
        total += search.evaluations
    archive.sort(key=lambda e: (e[1], e[0]))
    return [_final(designer, routes, "pareto", seed, total, t0, []) for _, _, routes in archive]
