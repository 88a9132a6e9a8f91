"""Dispatch policies behind one interface.

=================  ==============================================================================
``baseline``       What a dispatcher does by hand: first come, first served; a new call goes to the
                   nearest idle vehicle, a vehicle that becomes free takes the oldest waiting call.
``batch``          Every few seconds, match all waiting requests to idle vehicles at once by an
                   optimal assignment (Hungarian method, :func:`scipy.optimize.linear_sum_assignment`)
                   on pickup time, with a credit for time already waited so no one is starved.
``insertion``      Commit each request to the vehicle (idle or busy) that can start its pickup
                   soonest, appending it to that vehicle's plan; every ten minutes take back all
                   trips not yet started and insert them again (re-optimisation), which also
                   places advance bookings as their time approaches.
``reposition``     ``batch`` plus moving idle vehicles toward districts where the forecast expects
                   more calls in the coming hour than there are idle vehicles.
=================  ==============================================================================

A policy gets callbacks from the simulator (:meth:`DispatchPolicy.on_request`,
:meth:`~DispatchPolicy.on_vehicle_free`, timers) and acts through it (``assign``, ``move``).

References
----------
.. [1] M. Pavone, S. L. Smith, E. Frazzoli and D. Rus (2012), "Robotic load balancing for
   mobility-on-demand systems", International Journal of Robotics Research 31(7):839-854.
.. [2] AMoDeus ``GlobalBipartiteMatchingDispatcher`` (periodic assignment, default 30 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linear_sum_assignment

from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.model import Request

if TYPE_CHECKING:
    from sharingcity.planning.dispatch.simulator import Simulation

__all__ = [
    "DispatchPolicy",
    "FirstComeNearestIdle",
    "BatchAssignment",
    "InsertionReoptimise",
    "Repositioning",
    "POLICIES",
    "make_policy",
]

DAY_END = 31 * 60.0  # timers run until the last night shift ends


class DispatchPolicy:
    """Base class: holds waiting requests first come, first served.

    Advance bookings are released to :meth:`on_request` ``release_lead`` minutes before their
    window opens (a dispatcher's day sheet).
    """

    name = "policy"

    def __init__(self, *, release_lead: float = 30.0) -> None:
        if release_lead < 0:
            raise DispatchError("release_lead must be non-negative")
        self.release_lead = release_lead
        self.waiting: dict[int, Request] = {}

    def bind(self, sim: Simulation) -> None:
        self.sim = sim

    def on_advance(self, requests: list[Request]) -> None:
        for r in requests:
            self.sim.schedule_release(r.id, max(r.booked_at, r.earliest - self.release_lead))

    def on_request(self, r: Request) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def on_vehicle_free(self, vehicle: int) -> None:
        self._serve_waiting(vehicle)

    def on_expire(self, r: Request) -> None:
        self.waiting.pop(r.id, None)

    # Helpers ---------------------------------------------------------------------------------
    def _serve_waiting(self, vehicle: int) -> bool:
        """Give ``vehicle`` the oldest waiting request it can reach in time."""
        sim = self.sim
        if not self.waiting or sim.status[vehicle] != "idle":
            return False
        vids = np.array([vehicle])
        for rid in sorted(self.waiting, key=lambda k: (self.waiting[k].earliest, k)):
            r = self.waiting[rid]
            if r.earliest > sim.now + self.release_lead:
                continue
            if np.isfinite(sim.pickup_if_appended(vids, r)[0]):
                del self.waiting[rid]
                sim.assign(vehicle, rid)
                return True
        return False

    def _idle_array(self) -> np.ndarray:
        return np.array(sorted(self.sim.idle), dtype=int)


class FirstComeNearestIdle(DispatchPolicy):
    """The manual baseline: nearest idle vehicle for a new call; free vehicles take the oldest call."""

    name = "baseline"

    def on_request(self, r: Request) -> None:
        sim = self.sim
        idle = self._idle_array()
        if len(idle):
            pick = sim.pickup_if_appended(idle, r)
            k = int(np.argmin(pick))
            if np.isfinite(pick[k]):
                sim.assign(int(idle[k]), r.id)
                return
        self.waiting[r.id] = r


class BatchAssignment(DispatchPolicy):
    """Periodic optimal matching of waiting requests to idle vehicles.

    Parameters
    ----------
    period : float
        Minutes between two matchings (0.5 = every 30 seconds).
    wait_credit : float
        Minutes of pickup time traded for each minute already waited: with 0 the matching
        minimises empty driving only and can leave a remote caller waiting for long.
    max_requests : int
        At most this many of the oldest waiting requests enter one matching (bounds its cost).

    Notes
    -----
    One matching costs ``O(r * v)`` to build and ``O(r^2 v)`` to solve for ``r`` requests and ``v``
    idle vehicles (rectangular Hungarian / Jonker-Volgenant).
    """

    name = "batch"

    def __init__(
        self,
        *,
        period: float = 0.5,
        wait_credit: float = 0.3,
        max_requests: int = 400,
        release_lead: float = 30.0,
    ) -> None:
        super().__init__(release_lead=release_lead)
        if period <= 0 or wait_credit < 0 or max_requests < 1:
            raise DispatchError(
                "period must be positive, wait_credit non-negative and max_requests at least 1"
            )
        self.period = period
        self.wait_credit = wait_credit
        self.max_requests = max_requests

    def bind(self, sim: Simulation) -> None:
        super().bind(sim)
        sim.add_timer(self.period, self.match, start=0.0, until=DAY_END)

    def on_request(self, r: Request) -> None:
        self.waiting[r.id] = r

    def on_vehicle_free(self, vehicle: int) -> None:
        # The next matching decides; a free vehicle waits at most one period.
        return

    def match(self, now: float) -> None:
        sim = self.sim
        if not self.waiting or not sim.idle:
            return
        idle = self._idle_array()
        due = [r for r in self.waiting.values() if r.earliest <= now + self.release_lead]
        if not due:
            return
        due.sort(key=lambda r: (r.earliest, r.id))
        due = due[: self.max_requests]
        big = 1e6
        pick = sim.pickup_matrix(idle, due)
        waited = np.maximum(0.0, now - np.array([r.earliest for r in due]))
        cost = np.where(np.isfinite(pick), (pick - now) - self.wait_credit * waited[:, None], big)
        rows, cols = linear_sum_assignment(cost)
        for i, k in zip(rows, cols, strict=True):
            if cost[i, k] < big / 2:
                r = due[i]
                if sim.assign(int(idle[k]), r.id):
                    del self.waiting[r.id]


class InsertionReoptimise(DispatchPolicy):
    """Commit requests to the vehicle that can pick them up soonest; re-insert unstarted trips.

    Parameters
    ----------
    period : float
        Minutes between re-optimisations.
    empty_weight : float
        Weight of the empty drive to the pickup beside the pickup delay (both minutes).
    release_lead : float
        Advance bookings enter the plans this long before their window opens.
    """

    name = "insertion"

    def __init__(
        self, *, period: float = 10.0, empty_weight: float = 0.5, release_lead: float = 45.0
    ) -> None:
        super().__init__(release_lead=release_lead)
        if period <= 0 or empty_weight < 0:
            raise DispatchError("period must be positive and empty_weight non-negative")
        self.period = period
        self.empty_weight = empty_weight

    def bind(self, sim: Simulation) -> None:
        super().bind(sim)
        sim.add_timer(self.period, self.reoptimise, start=0.0, until=DAY_END)

    def _insert(self, r: Request) -> bool:
        sim = self.sim
        on = np.nonzero(sim.on_shift)[0]
        if not len(on):
            return False
        pick = sim.pickup_if_appended(on, r)
        ok = np.isfinite(pick)
        if not ok.any():
            return False
        start = np.where(np.isinf(sim.free_at[on]), sim.now, np.maximum(sim.free_at[on], sim.now))
        empty = np.where(ok, pick - start, 0.0)
        score = np.where(ok, (pick - r.earliest) + self.empty_weight * empty, np.inf)
        k = int(np.argmin(score))
        return sim.assign(int(on[k]), r.id)

    def on_request(self, r: Request) -> None:
        if not self._insert(r):
            self.waiting[r.id] = r

    def reoptimise(self, now: float) -> None:
        sim = self.sim
        taken: list[int] = []
        for v in range(len(sim.vehicles)):
            if sim.plans[v]:
                taken.extend(sim.unassign_plan(v))
        pending = [sim.requests[rid] for rid in taken] + list(self.waiting.values())
        self.waiting = {}
        pending.sort(key=lambda r: (r.earliest, r.id))
        for r in pending:
            if not self._insert(r):
                self.waiting[r.id] = r


class Repositioning(BatchAssignment):
    """Batch assignment plus moving idle vehicles toward forecast demand.

    Parameters
    ----------
    forecast : array (24, d)
        Expected pickups by hour and district (e.g. :func:`~.demand.forecast_from_history`).
    centres : array (d, 2)
        District centres, where moved vehicles wait.
    every : float
        Minutes between two repositioning rounds.
    max_move_minutes : float
        Longest repositioning drive.
    """

    name = "reposition"

    def __init__(
        self,
        forecast: np.ndarray,
        centres: np.ndarray,
        *,
        every: float = 10.0,
        max_move_minutes: float = 25.0,
        period: float = 0.5,
        wait_credit: float = 0.3,
        release_lead: float = 30.0,
    ) -> None:
        super().__init__(period=period, wait_credit=wait_credit, release_lead=release_lead)
        forecast = np.asarray(forecast, dtype=float)
        centres = np.asarray(centres, dtype=float)
        if forecast.ndim != 2 or forecast.shape[0] != 24 or centres.shape != (forecast.shape[1], 2):
            raise DispatchError("forecast must be (24, d) and centres (d, 2)")
        if (forecast < 0).any():
            raise DispatchError("forecast must be non-negative")
        self.forecast = forecast
        self.centres = centres
        self.every = every
        self.max_move = max_move_minutes

    def bind(self, sim: Simulation) -> None:
        super().bind(sim)
        sim.add_timer(self.every, self.rebalance, start=0.0, until=DAY_END)

    def rebalance(self, now: float) -> None:
        sim = self.sim
        idle = self._idle_array()
        if len(idle) == 0:
            return
        # Stay put when there is still work waiting: the matching will use these vehicles.
        if any(r.earliest <= now for r in self.waiting.values()):
            return
        x, y = sim.positions(idle)
        d2 = (x[:, None] - self.centres[None, :, 0]) ** 2 + (
            y[:, None] - self.centres[None, :, 1]
        ) ** 2
        home = np.argmin(d2, axis=1)
        have = np.bincount(home, minlength=len(self.centres)).astype(float)
        expect = self.forecast[int(now // 60) % 24]
        if expect.sum() <= 0:
            return
        # Share out the idle vehicles in proportion to the forecast, by largest remainder.
        raw = expect / expect.sum() * len(idle)
        target = np.floor(raw)
        order = np.argsort(-(raw - target), kind="stable")
        target[order[: int(len(idle) - target.sum())]] += 1
        surplus = have - target
        givers = [i for i in range(len(idle)) if surplus[home[i]] > 0]
        if not givers:
            return
        slots: list[int] = []
        for short in np.nonzero(surplus < 0)[0]:
            slots.extend([int(short)] * int(-surplus[short]))
        if not slots:
            return
        # Only the vehicles beyond each district's target move: the farthest from the centre.
        movers: list[int] = []
        for district in np.nonzero(surplus > 0)[0]:
            mine = [i for i in givers if home[i] == district]
            mine.sort(key=lambda i: -d2[i, district])
            movers.extend(mine[: int(surplus[district])])
        cost = np.empty((len(movers), len(slots)))
        for a, i in enumerate(movers):
            for b, d in enumerate(slots):
                cost[a, b] = sim.travel.minutes(
                    (float(x[i]), float(y[i])),
                    (float(self.centres[d, 0]), float(self.centres[d, 1])),
                    now,
                )
        rows, cols = linear_sum_assignment(cost)
        for a, b in zip(rows, cols, strict=True):
            if cost[a, b] <= self.max_move:
                v = int(idle[movers[a]])
                d = slots[b]
                sim.move(v, (float(self.centres[d, 0]), float(self.centres[d, 1])))


POLICIES = ("baseline", "batch", "insertion", "reposition")


def make_policy(
    name: str, *, forecast: np.ndarray | None = None, centres: np.ndarray | None = None
) -> DispatchPolicy:
    """A fresh policy by name (``reposition`` needs ``forecast`` and ``centres``)."""
    if name == "baseline":
        return FirstComeNearestIdle()
    if name == "batch":
        return BatchAssignment()
    if name == "insertion":
        return InsertionReoptimise()
    if name == "reposition":
        if forecast is None or centres is None:
            raise DispatchError("the reposition policy needs a forecast and district centres")
        return Repositioning(forecast, centres)
    raise DispatchError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}")
