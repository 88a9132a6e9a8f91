"""An independent feasibility check of dial-a-ride solutions.

It shares nothing with the solver but the instance's raw fields: distances are recomputed from the
coordinates with :func:`math.dist`, the given schedule is checked constraint by constraint, and a
route without a schedule is checked exactly as a simple temporal network (difference constraints,
Bellman-Ford negative-cycle test) rather than with the solver's eight-step heuristic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sharingcity.planning.dispatch.darp import DarpInstance

__all__ = ["check_darp_solution", "route_cost", "schedule_exists"]

TOL = 1e-6


def route_cost(instance: DarpInstance, routes: Sequence[Sequence[int]]) -> float:
    """Total Euclidean distance of the routes, depots included (unused vehicles cost nothing)."""
    total = 0.0
    end = instance.end_depot
    for route in routes:
        if not route:
            continue
        path = [0, *route, end]
        for a, b in zip(path, path[1:], strict=False):
            total += math.dist((instance.x[a], instance.y[a]), (instance.x[b], instance.y[b]))
    return total


def _dist(instance: DarpInstance, a: int, b: int) -> float:
    return math.dist((instance.x[a], instance.y[a]), (instance.x[b], instance.y[b]))


def schedule_exists(instance: DarpInstance, route: Sequence[int]) -> bool:
    """Whether some start-of-service times make this node sequence feasible (exact).

    Time windows, travel, ride time and route duration are difference constraints
    ``B_v - B_u <= w``; they are satisfiable iff the constraint graph has no negative cycle.

    Complexity: Bellman-Ford, ``O(m^2)`` for a route of ``m`` nodes (``O(m)`` constraints).
    """
    n = instance.n_requests
    path = [0, *route, instance.end_depot]
    m = len(path)
    source = m
    edges: list[tuple[int, int, float]] = []
    for k, v in enumerate(path):
        edges.append((source, k, instance.late[v]))
        edges.append((k, source, -instance.early[v]))
    for k in range(m - 1):
        a, b = path[k], path[k + 1]
        edges.append((k + 1, k, -(instance.service[a] + _dist(instance, a, b))))
    pos = {v: k for k, v in enumerate(path)}
    for v in route:
        if 1 <= v <= n and n + v in pos:
            edges.append((pos[v], pos[n + v], instance.max_ride_time + instance.service[v]))
    edges.append((0, m - 1, instance.max_route_duration))
    dist = [0.0] * (m + 1)
    for _ in range(m + 1):
        changed = False
        for u, v, w in edges:
            if dist[u] + w < dist[v] - 1e-9:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            return True
    return False


def check_darp_solution(
    instance: DarpInstance,
    routes: Sequence[Sequence[int]],
    times: Sequence[Sequence[float]] | None = None,
    *,
    allow_unserved: bool = False,
    tol: float = TOL,
) -> list[str]:
    """List every constraint a dial-a-ride solution violates (an empty list means feasible).

    Parameters
    ----------
    instance : DarpInstance
    routes : sequence of sequence of int
        Nodes visited by each vehicle, depots excluded.
    times : sequence of sequence of float, optional
        Start of service at each node, depots included. Without it, the check asks whether any
        schedule exists (:func:`schedule_exists`).
    allow_unserved : bool
        Accept requests that no route visits (for partial solutions); the default demands all.
    tol : float
        Tolerance on times.
    """
    n = instance.n_requests
    end = instance.end_depot
    problems: list[str] = []
    if len(routes) > instance.n_vehicles:
        problems.append(f"{len(routes)} routes for {instance.n_vehicles} vehicles")
    seen: dict[int, int] = {}
    for r, route in enumerate(routes):
        for v in route:
            if not 1 <= v <= 2 * n:
                problems.append(f"route {r}: node {v} is not a pickup or drop-off")
            elif v in seen:
                problems.append(f"node {v} visited twice (routes {seen[v]} and {r})")
            else:
                seen[v] = r
    for i in range(1, n + 1):
        if i not in seen and n + i not in seen:
            if not allow_unserved:
                problems.append(f"request {i} is not served")
        elif i not in seen or n + i not in seen:
            problems.append(f"request {i}: pickup and drop-off not both visited")
        elif seen[i] != seen[n + i]:
            problems.append(
                f"request {i}: pickup on route {seen[i]}, drop-off on route {seen[n + i]}"
            )
    if problems:
        return problems
    if times is not None and len(times) != len(routes):
        return [f"{len(times)} schedules for {len(routes)} routes"]
    for r, route in enumerate(routes):
        if not route:
            continue
        path = [0, *route, end]
        pos = {v: k for k, v in enumerate(path)}
        load = 0
        for v in route:
            if 1 <= v <= n and pos[n + v] < pos[v]:
                problems.append(f"route {r}: drop-off of request {v} before its pickup")
            load += instance.load[v]
            if load > instance.capacity:
                problems.append(
                    f"route {r}: load {load} above capacity {instance.capacity} at node {v}"
                )
        if times is None:
            if not schedule_exists(instance, route):
                problems.append(f"route {r}: no schedule meets windows, ride times and duration")
            continue
        b = list(times[r])
        if len(b) != len(path):
            problems.append(f"route {r}: {len(b)} times for {len(path)} nodes")
            continue
        for k, v in enumerate(path):
            if b[k] < instance.early[v] - tol or b[k] > instance.late[v] + tol:
                problems.append(
                    f"route {r}: node {v} served at {b[k]:.3f} outside [{instance.early[v]}, {instance.late[v]}]"
                )
            if k:
                u = path[k - 1]
                ready = b[k - 1] + instance.service[u] + _dist(instance, u, v)
                if b[k] < ready - tol:
                    problems.append(
                        f"route {r}: node {v} served at {b[k]:.3f} before arrival {ready:.3f}"
                    )
        for v in route:
            if 1 <= v <= n:
                ride = b[pos[n + v]] - (b[pos[v]] + instance.service[v])
                if ride > instance.max_ride_time + tol:
                    problems.append(
                        f"route {r}: request {v} rides {ride:.3f} > L={instance.max_ride_time}"
                    )
        duration = b[-1] - b[0]
        if duration > instance.max_route_duration + tol:
            problems.append(f"route {r}: duration {duration:.3f} > T={instance.max_route_duration}")
    return problems
