"""A plain-Python reference evaluator: Dijkstra over (route, position) states.

This is the textbook way to score a route set and shares no code with :mod:`.evaluate`, so it
serves as an independent check in the tests and as the anchor of
``bench/network_evaluator.py``. Each state is a stop on a route; riding to the next or
previous position costs the link time, changing to another route at the same stop costs the
transfer penalty and one transfer; keys are ``(minutes, transfers)`` so that among equally
quick journeys the one with fewest transfers wins, as in Mumford's evaluator.

Complexity: O(n (V + E) log V) heap operations in Python, V = sum of route lengths.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from .instance import TransitNetwork


def reference_scores(
    network: TransitNetwork, routes: Sequence[Sequence[int]], *, transfer_penalty: float = 5.0
) -> dict[str, float]:
    """ATT, d0, d1, d2, dun and TRT of a feasible route set, by per-origin Dijkstra."""
    times = network.travel_times.tolist()
    demand = network.demand.tolist()
    n = network.n_stops
    copies: dict[int, list[tuple[int, int]]] = {}
    for ri, route in enumerate(routes):
        for pos, stop in enumerate(route):
            copies.setdefault(stop, []).append((ri, pos))
    total = weighted = 0.0
    by_transfers = [0.0, 0.0, 0.0, 0.0]
    for origin in range(n):
        best: dict[int, tuple[float, int]] = {}
        done: set[tuple[int, int]] = set()
        heap = [(0.0, 0, ri, pos) for ri, pos in copies[origin]]
        heapq.heapify(heap)
        while heap:
            t, k, ri, pos = heapq.heappop(heap)
            if (ri, pos) in done:
                continue
            done.add((ri, pos))
            route = routes[ri]
            stop = route[pos]
            if stop not in best:
                best[stop] = (t, k)
            for nxt in (pos - 1, pos + 1):
                if 0 <= nxt < len(route) and (ri, nxt) not in done:
                    heapq.heappush(heap, (t + times[stop][route[nxt]], k, ri, nxt))
            for rj, q in copies[stop]:
                if rj != ri and (rj, q) not in done:
                    heapq.heappush(heap, (t + transfer_penalty, k + 1, rj, q))
        for dest in range(n):
            d = demand[origin][dest]
            if origin == dest or d == 0:
                continue
            t, k = best[dest]
            total += d
            weighted += d * t
            by_transfers[min(k, 3)] += d
    trt = sum(times[a][b] for r in routes for a, b in zip(r[:-1], r[1:], strict=True))
    shares = [100 * x / total for x in by_transfers]
    return {
        "ATT": weighted / total,
        "d0": shares[0],
        "d1": shares[1],
        "d2": shares[2],
        "dun": shares[3],
        "TRT": float(trt),
    }
