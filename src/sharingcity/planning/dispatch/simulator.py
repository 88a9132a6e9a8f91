"""A discrete-event simulator of a call-taxi service.

Events (calls, releases of advance bookings, trip ends, shift starts and ends, policy timers,
pickup deadlines) sit in a :mod:`heapq` queue ordered by time and then by a sequence number, so a
run is fully determined by its inputs and seed. One party (a user and companions) rides at a time,
as in Seoul's disability call taxis; a vehicle runs the trips in its plan one after the other.

A policy (see :mod:`sharingcity.planning.dispatch.policies`) decides which vehicle takes which
request; the simulator enforces the rules (the party fits, the pickup starts inside the window,
the trip ends before the shift's end plus overtime) and records every leg driven and the outcome
of every request.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.model import Request, TravelModel, Vehicle

if TYPE_CHECKING:
    from sharingcity.planning.dispatch.policies import DispatchPolicy

__all__ = ["SimOptions", "Leg", "Outcome", "SimulationRun", "Simulation", "simulate"]

Point = tuple[float, float]

REFUSED_NO_FIT = "no vehicle in the fleet can carry this party"
REFUSED_NO_SHIFT = "no vehicle on shift during its pickup window"
REFUSED_EXPIRED = "no vehicle reached it within its pickup window"


@dataclass(frozen=True)
class SimOptions:
    """Service rules.

    Attributes
    ----------
    boarding_minutes, alighting_minutes : float
        Time to board (wheelchair ramp, securing) and to alight.
    overtime_minutes : float
        A trip may end at most this long after the driver's shift ends.
    max_ride_factor, max_ride_extra : float
        Longest ride allowed: ``max(factor * direct, direct + extra)`` minutes.
    """

    boarding_minutes: float = 4.0
    alighting_minutes: float = 3.0
    overtime_minutes: float = 45.0
    max_ride_factor: float = 1.5
    max_ride_extra: float = 15.0

    def __post_init__(self) -> None:
        for name in ("boarding_minutes", "alighting_minutes", "overtime_minutes", "max_ride_extra"):
            if getattr(self, name) < 0:
                raise DispatchError(f"{name} must be non-negative")
        if self.max_ride_factor < 1.0:
            raise DispatchError("max_ride_factor must be at least 1")


@dataclass(frozen=True)
class Leg:
    """A stretch driven by one vehicle. ``kind`` is ``to_pickup``, ``loaded``, ``reposition`` or ``to_depot``."""

    vehicle: int
    start: float
    end: float
    origin: Point
    destination: Point
    km: float
    kind: str
    request: int = -1


@dataclass
class Outcome:
    """What happened to a request."""

    request: int
    status: str = "pending"  # served | refused
    reason: str = ""
    vehicle: int = -1
    assigned_at: float = math.nan
    pickup: float = math.nan
    dropoff: float = math.nan
    ride: float = math.nan
    direct: float = math.nan


@dataclass
class SimulationRun:
    """Everything a run produced: the inputs, the legs driven and each request's outcome."""

    vehicles: list[Vehicle]
    requests: list[Request]
    options: SimOptions
    policy: str
    seed: int
    outcomes: list[Outcome]
    legs: list[Leg]
    events: int = 0
    seconds: float = 0.0
    log: list[tuple[float, str, int, int]] = field(default_factory=list)


class Simulation:
    """The state of one run; policies act on it through the methods below."""

    def __init__(
        self,
        vehicles: Sequence[Vehicle],
        requests: Sequence[Request],
        travel: TravelModel,
        policy: DispatchPolicy,
        *,
        seed: int,
        options: SimOptions | None = None,
    ) -> None:
        ids = [v.id for v in vehicles]
        if ids != list(range(len(vehicles))):
            raise DispatchError("vehicle ids must be 0..n-1 in order")
        if [r.id for r in requests] != list(range(len(requests))):
            raise DispatchError("request ids must be 0..m-1 in order")
        self.vehicles = list(vehicles)
        self.requests = list(requests)
        self.travel = travel
        self.policy = policy
        self.options = options or SimOptions()
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.now = 0.0
        self._heap: list[tuple[float, int, str, int, int]] = []
        self._seq = 0
        nv = len(vehicles)
        self.outcomes = [Outcome(r.id) for r in requests]
        self.legs: list[Leg] = []
        self.log: list[tuple[float, str, int, int]] = []
        # Vehicle state. A vehicle is "idle" when on shift with nothing to do (possibly moving to
        # a repositioning target), "busy" on a trip, "off" outside its shift.
        self.status = ["off"] * nv
        self.on_shift = np.zeros(nv, dtype=bool)
        self.plans: list[list[int]] = [[] for _ in range(nv)]
        self.current: list[int] = [-1] * nv
        self.idle: set[int] = set()
        # Movement: position = start + (target - start) * progress between t0 and t1.
        self.x0 = np.array([v.depot[0] for v in vehicles], dtype=float)
        self.y0 = np.array([v.depot[1] for v in vehicles], dtype=float)
        self.x1 = self.x0.copy()
        self.y1 = self.y0.copy()
        self.t0 = np.zeros(nv)
        self.t1 = np.zeros(nv)
        self._move_token = [0] * nv
        self._move_leg: list[int] = [-1] * nv
        # When and where each vehicle's commitments (current trip and plan) end.
        self.free_at = np.full(nv, np.inf)
        self.free_x = self.x0.copy()
        self.free_y = self.y0.copy()
        self.shift_end = np.array([v.shift_end for v in vehicles], dtype=float)
        self.wheelchair = np.array([v.wheelchair_places for v in vehicles], dtype=int)
        self.seats = np.array([v.companion_seats for v in vehicles], dtype=int)
        self.events = 0
        self._timers: list[tuple[float, Callable[[float], None], float]] = []
        self._busy_until = [0.0] * nv

    # ---- queue --------------------------------------------------------------------------------
    def _push(self, t: float, kind: str, a: int = -1, b: int = -1) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, a, b))

    def schedule_release(self, request: int, at: float) -> None:
        """Hand ``request`` to the policy's ``on_request`` at minute ``at``."""
        self._push(max(at, self.now), "release", request)

    def add_timer(
        self, every: float, callback: Callable[[float], None], *, start: float = 0.0, until: float
    ) -> None:
        if every <= 0:
            raise DispatchError(f"timer period must be positive, got {every}")
        self._timers.append((every, callback, until))
        self._push(start, "timer", len(self._timers) - 1)

    # ---- queries for policies -----------------------------------------------------------------
    def positions(self, vids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Current positions (vehicles moving to a repositioning target are interpolated)."""
        if vids is None:
            vids = np.arange(len(self.vehicles))
        t0, t1 = self.t0[vids], self.t1[vids]
        span = np.where(t1 > t0, t1 - t0, 1.0)
        frac = np.clip((self.now - t0) / span, 0.0, 1.0)
        frac = np.where(t1 > t0, frac, 1.0)
        x = self.x0[vids] + (self.x1[vids] - self.x0[vids]) * frac
        y = self.y0[vids] + (self.y1[vids] - self.y0[vids]) * frac
        return x, y

    def fits_mask(self, r: Request, vids: np.ndarray) -> np.ndarray:
        wc = self.wheelchair[vids]
        seats = self.seats[vids]
        if r.wheelchair:
            return (wc >= 1) & (seats >= r.companions)
        return seats + wc >= 1 + r.companions

    def trip_minutes(self, r: Request, pickup: float) -> float:
        """Boarding, driving and alighting time of ``r`` picked up at ``pickup``."""
        o = self.options
        return (
            o.boarding_minutes
            + self.travel.minutes(r.origin, r.destination, pickup + o.boarding_minutes)
            + o.alighting_minutes
        )

    def pickup_if_appended(self, vids: np.ndarray, r: Request) -> np.ndarray:
        """Pickup times of ``r`` if added at the end of each vehicle's plan (``inf`` if not allowed).

        Checks the party fits, the pickup window and the shift end plus overtime.
        """
        now = self.now
        start = np.maximum(self.free_at[vids], now)
        idle = np.isinf(self.free_at[vids])
        start = np.where(idle, now, start)
        x, y = self.positions(vids)
        fx = np.where(idle, x, self.free_x[vids])
        fy = np.where(idle, y, self.free_y[vids])
        out = np.full(len(vids), np.inf)
        ok = self.fits_mask(r, vids) & self.on_shift[vids]
        if not ok.any():
            return out
        # Travel speeds depend on the departure hour; group by hour for exactness.
        hours = np.floor(start / 60.0)
        h_ok = hours[ok]
        for h in _distinct(h_ok):
            sel = ok & (hours == h) if len(h_ok) and h_ok.min() != h_ok.max() else ok
            out[sel] = start[sel] + self.travel.minutes_many(
                fx[sel], fy[sel], r.origin, float(h * 60.0)
            )
        out = np.maximum(out, r.earliest)
        out[out > r.latest + 1e-9] = np.inf
        # The trip must end before the shift's end plus overtime; its length depends only on the
        # hour the loaded leg starts, so it is computed once per hour.
        finite = np.isfinite(out)
        if finite.any():
            o = self.options
            dep_hours = np.floor((out[finite] + o.boarding_minutes) / 60.0)
            trip = np.empty(len(dep_hours))
            for h in _distinct(dep_hours):
                trip[dep_hours == h] = self.trip_minutes(r, float(h * 60.0) - o.boarding_minutes)
            idx = np.nonzero(finite)[0]
            too_late = out[idx] + trip > self.shift_end[vids[idx]] + o.overtime_minutes + 1e-9
            out[idx[too_late]] = np.inf
        return out

    def _pickup_one(self, v: int, r: Request) -> float | None:
        """:meth:`pickup_if_appended` for one vehicle, without numpy overhead."""
        if not self.on_shift[v] or not self.vehicles[v].fits(r):
            return None
        now = self.now
        free = float(self.free_at[v])
        if math.isinf(free):
            start = now
            x, y = self.positions(np.array([v]))
            here = (float(x[0]), float(y[0]))
        else:
            start = max(free, now)
            here = (float(self.free_x[v]), float(self.free_y[v]))
        hour = math.floor(start / 60.0) * 60.0
        pick = start + self.travel.minutes(here, r.origin, hour)
        pick = max(pick, r.earliest)
        if pick > r.latest + 1e-9:
            return None
        end = pick + self.trip_minutes(r, pick)
        if end > self.shift_end[v] + self.options.overtime_minutes + 1e-9:
            return None
        return pick

    def pickup_matrix(self, idle: np.ndarray, requests: Sequence[Request]) -> np.ndarray:
        """Pickup times of each request (rows) by each idle vehicle (columns); ``inf`` if not allowed.

        The shift-end test uses the trip time at the current hour; :meth:`assign` re-checks exactly.
        """
        now = self.now
        x, y = self.positions(idle)
        ox = np.array([r.origin[0] for r in requests])
        oy = np.array([r.origin[1] for r in requests])
        pick = now + self.travel.minutes_matrix(x, y, ox, oy, now).T
        earliest = np.array([r.earliest for r in requests])
        latest = np.array([r.latest for r in requests])
        pick = np.maximum(pick, earliest[:, None])
        trip = np.array([self.trip_minutes(r, now) for r in requests])
        ok = pick <= latest[:, None] + 1e-9
        ok &= pick + trip[:, None] <= self.shift_end[idle][None, :] + self.options.overtime_minutes
        wc = self.wheelchair[idle][None, :]
        seats = self.seats[idle][None, :]
        need_wc = np.array([r.wheelchair for r in requests])[:, None]
        comp = np.array([r.companions for r in requests])[:, None]
        fits = np.where(need_wc, (wc >= 1) & (seats >= comp), seats + wc >= 1 + comp)
        ok &= fits
        return np.where(ok, pick, np.inf)

    # ---- actions ------------------------------------------------------------------------------
    def refuse(self, request: int, reason: str) -> None:
        out = self.outcomes[request]
        if out.status != "pending":
            raise DispatchError(f"request {request} already {out.status}")
        out.status = "refused"
        out.reason = reason
        self.log.append((self.now, "refuse", request, -1))

    def assign(self, vehicle: int, request: int) -> bool:
        """Add ``request`` to the end of ``vehicle``'s plan; ``False`` if the rules forbid it."""
        r = self.requests[request]
        out = self.outcomes[request]
        if out.status != "pending" or out.vehicle >= 0:
            raise DispatchError(f"request {request} is already assigned or closed")
        pick = self._pickup_one(vehicle, r)
        if pick is None:
            return False
        out.vehicle = vehicle
        out.assigned_at = self.now
        self.plans[vehicle].append(request)
        self.free_at[vehicle] = pick + self.trip_minutes(r, float(pick))
        self.free_x[vehicle], self.free_y[vehicle] = r.destination
        self.log.append((self.now, "assign", request, vehicle))
        if self.status[vehicle] == "idle":
            self._start_next(vehicle)
        return True

    def unassign_plan(self, vehicle: int) -> list[int]:
        """Take back the trips of ``vehicle``'s plan that have not started (for re-optimisation)."""
        taken = self.plans[vehicle]
        self.plans[vehicle] = []
        for rid in taken:
            self.outcomes[rid].vehicle = -1
            self.outcomes[rid].assigned_at = math.nan
        self._recompute_free(vehicle)
        return taken

    def move(self, vehicle: int, target: Point) -> None:
        """Send an idle vehicle toward ``target`` (it stays available on the way)."""
        if self.status[vehicle] != "idle":
            raise DispatchError(f"vehicle {vehicle} is not idle")
        x, y = self._stop_moving(vehicle)
        minutes = self.travel.minutes((x, y), target, self.now)
        self.x0[vehicle], self.y0[vehicle] = x, y
        self.x1[vehicle], self.y1[vehicle] = target
        self.t0[vehicle], self.t1[vehicle] = self.now, self.now + minutes
        self._move_token[vehicle] += 1
        self._move_leg[vehicle] = len(self.legs)
        self.legs.append(
            Leg(
                vehicle,
                self.now,
                self.now + minutes,
                (x, y),
                target,
                self.travel.km((x, y), target),
                "reposition",
            )
        )
        self._push(self.now + minutes, "moved", vehicle, self._move_token[vehicle])

    # ---- internals ----------------------------------------------------------------------------
    def _stop_moving(self, v: int) -> Point:
        """Where ``v`` is now; a repositioning leg under way is cut short here."""
        x, y = self.positions(np.array([v]))
        px, py = float(x[0]), float(y[0])
        k = self._move_leg[v]
        if k >= 0:
            leg = self.legs[k]
            if leg.end > self.now:
                frac = (
                    (self.now - leg.start) / (leg.end - leg.start) if leg.end > leg.start else 1.0
                )
                self.legs[k] = Leg(
                    v, leg.start, self.now, leg.origin, (px, py), leg.km * frac, leg.kind
                )
            self._move_leg[v] = -1
            self._move_token[v] += 1
        self.x0[v], self.y0[v] = px, py
        self.x1[v], self.y1[v] = px, py
        self.t0[v] = self.t1[v] = self.now
        return px, py

    def _recompute_free(self, v: int) -> None:
        if self.status[v] != "busy":
            self.free_at[v] = np.inf
            return
        t = self._busy_until[v]
        pos = self.requests[self.current[v]].destination
        for rid in self.plans[v]:
            r = self.requests[rid]
            pick = max(r.earliest, t + self.travel.minutes(pos, r.origin, t))
            t = pick + self.trip_minutes(r, pick)
            pos = r.destination
        self.free_at[v] = t
        self.free_x[v], self.free_y[v] = pos

    def _start_next(self, v: int) -> None:
        handed_back: list[Request] = []
        self._run_plan(v, handed_back)
        # Offer handed-back requests only once this vehicle's state is settled.
        for r in handed_back:
            self.policy.on_request(r)

    def _run_plan(self, v: int, handed_back: list[Request]) -> None:
        while self.plans[v]:
            rid = self.plans[v].pop(0)
            r = self.requests[rid]
            x, y = self._stop_moving(v)
            here = (x, y)
            drive = self.travel.minutes(here, r.origin, self.now)
            arrive = self.now + drive
            pickup = max(arrive, r.earliest)
            trip = self.trip_minutes(r, pickup)
            end = pickup + trip
            vh = self.vehicles[v]
            if pickup > r.latest + 1e-9 or end > vh.shift_end + self.options.overtime_minutes:
                # The plan's estimate no longer holds: hand the request back.
                out = self.outcomes[rid]
                out.vehicle = -1
                out.assigned_at = math.nan
                self.log.append((self.now, "handback", rid, v))
                handed_back.append(r)
                continue
            self.status[v] = "busy"
            self.idle.discard(v)
            self.current[v] = rid
            self._busy_until[v] = end
            depart = pickup + self.options.boarding_minutes
            ride = self.travel.minutes(r.origin, r.destination, depart)
            if drive > 0:
                self.legs.append(
                    Leg(
                        v,
                        self.now,
                        arrive,
                        here,
                        r.origin,
                        self.travel.km(here, r.origin),
                        "to_pickup",
                        rid,
                    )
                )
            self.legs.append(
                Leg(
                    v,
                    depart,
                    depart + ride,
                    r.origin,
                    r.destination,
                    self.travel.km(r.origin, r.destination),
                    "loaded",
                    rid,
                )
            )
            out = self.outcomes[rid]
            out.pickup = pickup
            out.dropoff = depart + ride
            out.ride = ride
            out.direct = self.travel.minutes(r.origin, r.destination, depart)
            self.x0[v], self.y0[v] = r.destination
            self.x1[v], self.y1[v] = r.destination
            self.t0[v] = self.t1[v] = end
            self._recompute_free(v)
            self._push(end, "done", v, rid)
            self.log.append((self.now, "start", rid, v))
            return
        self._become_idle(v)

    def _become_idle(self, v: int) -> None:
        self.current[v] = -1
        if self.now >= self.vehicles[v].shift_end:
            self._go_home(v)
            return
        self.status[v] = "idle"
        self.idle.add(v)
        self.free_at[v] = np.inf
        self.policy.on_vehicle_free(v)

    def _go_home(self, v: int) -> None:
        x, y = self._stop_moving(v)
        self.status[v] = "off"
        self.on_shift[v] = False
        self.idle.discard(v)
        self.free_at[v] = np.inf
        depot = self.vehicles[v].depot
        minutes = self.travel.minutes((x, y), depot, self.now)
        if minutes > 0:
            self.legs.append(
                Leg(
                    v,
                    self.now,
                    self.now + minutes,
                    (x, y),
                    depot,
                    self.travel.km((x, y), depot),
                    "to_depot",
                )
            )
        self.x0[v], self.y0[v] = depot
        self.x1[v], self.y1[v] = depot
        self.log.append((self.now, "off", -1, v))

    # ---- main loop ----------------------------------------------------------------------------
    def run(self) -> SimulationRun:
        started = time.perf_counter()
        for v in self.vehicles:
            self._push(v.shift_start, "shift_start", v.id)
            self._push(v.shift_end, "shift_end", v.id)
        all_v = np.arange(len(self.vehicles))
        advance: list[Request] = []
        for r in self.requests:
            if not len(self.vehicles) or not self.fits_mask(r, all_v).any():
                self._push(r.booked_at, "nofit", r.id)
                continue
            if r.advance:
                advance.append(r)
            else:
                self._push(r.booked_at, "call", r.id)
            self._push(r.latest, "deadline", r.id)
        self.policy.bind(self)
        self.now = min([r.booked_at for r in self.requests] + [0.0])
        self.policy.on_advance(advance)
        heap = self._heap
        while heap:
            t, _, kind, a, b = heapq.heappop(heap)
            self.now = t
            self.events += 1
            if kind == "done":
                self._finish_trip(a, b)
            elif kind == "call" or kind == "release":
                if self.outcomes[a].status == "pending" and self.outcomes[a].vehicle < 0:
                    self.policy.on_request(self.requests[a])
            elif kind == "deadline":
                out = self.outcomes[a]
                if out.status == "pending" and out.vehicle < 0:
                    r = self.requests[a]
                    on = any(
                        v.shift_start <= r.latest and v.shift_end >= r.earliest
                        for v in self.vehicles
                    )
                    self.policy.on_expire(r)
                    self.refuse(a, REFUSED_EXPIRED if on else REFUSED_NO_SHIFT)
            elif kind == "timer":
                every, callback, until = self._timers[a]
                callback(t)
                if t + every <= until:
                    self._push(t + every, "timer", a)
            elif kind == "moved":
                if b == self._move_token[a] and self.status[a] == "idle":
                    self._stop_moving(a)
                    self.policy.on_vehicle_free(a)
            elif kind == "shift_start":
                self.on_shift[a] = True
                self.status[a] = "idle"
                self.idle.add(a)
                self.free_at[a] = np.inf
                self.policy.on_vehicle_free(a)
            elif kind == "shift_end":
                if self.status[a] == "idle":
                    self._go_home(a)
            elif kind == "nofit":
                self.refuse(a, REFUSED_NO_FIT)
        for out in self.outcomes:
            if out.status == "pending":
                out.status = "refused"
                out.reason = "unserved at the end of the simulation"
        return SimulationRun(
            vehicles=self.vehicles,
            requests=self.requests,
            options=self.options,
            policy=self.policy.name,
            seed=self.seed,
            outcomes=self.outcomes,
            legs=self.legs,
            events=self.events,
            seconds=time.perf_counter() - started,
            log=self.log,
        )

    def _finish_trip(self, v: int, rid: int) -> None:
        out = self.outcomes[rid]
        out.status = "served"
        self.log.append((self.now, "done", rid, v))
        self._start_next(v)


def _distinct(values: np.ndarray) -> list[float]:
    """Distinct values of a small float array (usually one or two hours)."""
    if not len(values):
        return []
    lo, hi = float(values.min()), float(values.max())
    return [lo] if lo == hi else [float(h) for h in np.unique(values)]


def simulate(
    vehicles: Sequence[Vehicle],
    requests: Sequence[Request],
    travel: TravelModel,
    policy: DispatchPolicy,
    *,
    seed: int = 0,
    options: SimOptions | None = None,
) -> SimulationRun:
    """Run one day of service under ``policy``.

    Parameters
    ----------
    vehicles : sequence of Vehicle
        Ids ``0..n-1`` in order.
    requests : sequence of Request
        Ids ``0..m-1`` in order.
    travel : TravelModel
    policy : DispatchPolicy
        A fresh policy object (it keeps state for this run).
    seed : int
        Seed for the policy's random choices (the demand has its own seed).
    options : SimOptions, optional

    Returns
    -------
    SimulationRun
        Every request ends served or refused with a reason; see
        :func:`sharingcity.planning.dispatch.metrics.check_run` for the invariants.

    Complexity: O(E log E) for E events plus the policy's work.
    """
    return Simulation(vehicles, requests, travel, policy, seed=seed, options=options).run()
