"""Scheduling a fixed dial-a-ride route: Cordeau & Laporte's eight-step procedure.

Given the order in which a vehicle visits its stops, the procedure starts every service as early
as possible, then uses the *forward time slack* to delay the departure from the depot and each
pickup as much as the time windows allow, which removes waiting while passengers are on board and
so shortens ride times. The route is accepted when the resulting schedule meets every time
window, ride-time limit and the route-duration limit.

References
----------
.. [1] J.-F. Cordeau and G. Laporte (2003), "A tabu search heuristic for the static multi-vehicle
   dial-a-ride problem", Transportation Research Part B 37(6):579-594, section 3.3.
.. [2] M. W. P. Savelsbergh (1992), "The vehicle routing problem with time windows: minimizing
   route duration", ORSA Journal on Computing 4(2):146-154 (forward time slack).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["eight_step_schedule"]

EPS = 1e-9
INF = float("inf")


def eight_step_schedule(
    path: Sequence[int],
    travel: Sequence[Sequence[float]],
    service: Sequence[float],
    early: Sequence[float],
    late: Sequence[float],
    n_requests: int,
    max_ride: float,
    max_duration: float,
) -> list[float] | None:
    """Start-of-service times for ``path`` (depots included), or ``None`` if it fails.

    ``path`` visits nodes numbered as in a Cordeau instance: pickups ``1..n``, drop-offs
    ``n+1..2n``; the pickup of every drop-off on the path must come earlier on the same path.

    Complexity: ``O(m^2)`` for ``m`` stops (one forward-slack scan per pickup). The procedure is a
    heuristic for the ride-time part: it may reject a route for which some other schedule exists
    (Tang et al. 2010), never the reverse.
    """
    m = len(path)
    n = n_requests
    b = [0.0] * m
    w = [0.0] * m
    first = path[0]
    b[0] = early[first]
    prev = first
    # Step 1: earliest schedule; a window missed here cannot be repaired by waiting.
    for k in range(1, m):
        v = path[k]
        a = b[k - 1] + service[prev] + travel[prev][v]
        if a > late[v] + EPS:
            return None
        e = early[v]
        if a < e:
            b[k] = e
            w[k] = e - a
        else:
            b[k] = a
            w[k] = 0.0
        prev = v
    # Per position: the position of the pickup if the stop is a drop-off (else -1).
    pick_pos: dict[int, int] = {}
    pk_of = [-1] * m
    lim = [0.0] * m
    for k in range(1, m - 1):
        v = path[k]
        if v <= n:
            pick_pos[v] = k
        else:
            pk_of[k] = pick_pos[v - n]
            # ride = b[k] - b[pk] - d(pickup) <= L  <=>  b[k] - b[pk] <= lim[k]
            lim[k] = max_ride + service[v - n]
    late_at = [late[v] for v in path]

    def slack(i: int) -> float:
        # Forward time slack F_i (Cordeau & Laporte 2003, eq. (1)).
        best = late_at[i] - b[i]
        if best <= EPS:
            return 0.0
        cum = 0.0
        for j in range(i + 1, m):
            cum += w[j]
            if cum >= best:
                return best
            s = late_at[j] - b[j]
            pk = pk_of[j]
            if pk >= 0:
                r = lim[j] - (b[j] - b[pk]) if pk < i else max_ride
                if r < s:
                    s = r
            if s < 0.0:
                s = 0.0
            if cum + s < best:
                best = cum + s
                if best <= EPS:
                    return 0.0
        return best

    def push(i: int) -> None:
        # Propagate a later start at position i to the following stops.
        for k in range(i + 1, m):
            u = path[k - 1]
            v = path[k]
            a = b[k - 1] + service[u] + travel[u][v]
            e = early[v]
            nb = e if a < e else a
            if nb == b[k]:
                w[k] = nb - a
                return
            b[k] = nb
            w[k] = nb - a

    # Steps 2-4: leave the depot as late as the slack and the waiting allow.
    total_wait = sum(w[1:])
    if total_wait > EPS:
        f0 = slack(0)
        delay = f0 if f0 < total_wait else total_wait
        if delay > EPS:
            b[0] += delay
            push(0)
    # Steps 5-8: delay each pickup to cut the waiting of those already on board. A drop-off's
    # start is final once every earlier pickup has been delayed, so its ride is checked then.
    for k in range(1, m - 1):
        pk = pk_of[k]
        if pk >= 0:
            if b[k] - b[pk] > lim[k] + EPS:
                return None
            continue
        rest = sum(w[k + 1 :])
        if rest <= EPS:
            continue
        fk = slack(k)
        delay = fk if fk < rest else rest
        if delay > EPS:
            w[k] += delay
            b[k] += delay
            push(k)
    if b[-1] - b[0] > max_duration + EPS:
        return None
    for k in range(1, m):
        if b[k] > late_at[k] + EPS:
            return None
    return b
