"""Service metrics of a simulated day, and the invariants every run must satisfy."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from sharingcity.planning.dispatch.simulator import SimulationRun

__all__ = ["ServiceMetrics", "service_metrics", "check_run"]

TOL = 1e-6


@dataclass(frozen=True)
class ServiceMetrics:
    """Key figures of a run (minutes and kilometres).

    ``wait`` is the start of the pickup minus the earliest pickup the user asked for (the call time
    for "as soon as possible"), over served requests. ``ride_ratio`` is the ride time over the
    direct drive. ``empty_share`` is the share of kilometres driven with nobody on board
    (to pickups, repositioning, back to the garage). ``utilisation`` is the share of shift time
    spent on trips (boarding, riding, alighting).
    """

    requests: int
    served: int
    refused: int
    refused_by_reason: dict[str, int]
    wait_mean: float
    wait_median: float
    wait_p90: float
    wait_max: float
    ride_ratio_mean: float
    ride_ratio_max: float
    km_total: float
    km_empty: float
    empty_share: float
    utilisation: float
    wait_by_district: dict[int, float]
    district_wait_spread: float

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def service_metrics(run: SimulationRun) -> ServiceMetrics:
    """Summarise a run. Complexity: O(requests + legs)."""
    reqs = run.requests
    served = [o for o in run.outcomes if o.status == "served"]
    waits = (
        np.array([o.pickup - reqs[o.request].earliest for o in served])
        if served
        else np.array([math.nan])
    )
    ratios = (
        np.array([o.ride / o.direct if o.direct > 0 else 1.0 for o in served])
        if served
        else np.array([math.nan])
    )
    reasons = Counter(o.reason for o in run.outcomes if o.status != "served")
    km_total = sum(leg.km for leg in run.legs)
    km_empty = sum(leg.km for leg in run.legs if leg.kind != "loaded")
    o = run.options
    on_trip = sum(o.boarding_minutes + x.ride + o.alighting_minutes for x in served)
    shift_minutes = sum(v.shift_end - v.shift_start for v in run.vehicles)
    by_d: dict[int, list[float]] = defaultdict(list)
    for x, w in zip(served, waits, strict=False):
        by_d[reqs[x.request].district].append(float(w))
    wait_by_district = {d: float(np.mean(ws)) for d, ws in sorted(by_d.items())}
    vals = list(wait_by_district.values())
    return ServiceMetrics(
        requests=len(reqs),
        served=len(served),
        refused=len(reqs) - len(served),
        refused_by_reason=dict(sorted(reasons.items())),
        wait_mean=float(np.mean(waits)),
        wait_median=float(np.median(waits)),
        wait_p90=float(np.percentile(waits, 90)),
        wait_max=float(np.max(waits)),
        ride_ratio_mean=float(np.mean(ratios)),
        ride_ratio_max=float(np.max(ratios)),
        km_total=km_total,
        km_empty=km_empty,
        empty_share=km_empty / km_total if km_total else 0.0,
        utilisation=on_trip / shift_minutes if shift_minutes else 0.0,
        wait_by_district=wait_by_district,
        district_wait_spread=(max(vals) - min(vals)) if vals else 0.0,
    )


def check_run(run: SimulationRun) -> list[str]:
    """List every broken invariant of a run (an empty list means none).

    * every request is served or refused with a reason;
    * a served pickup starts inside the request's window, after the call;
    * the party fits the vehicle (wheelchair place, companion seats);
    * the ride is no longer than ``max(factor * direct, direct + extra)``;
    * each vehicle carries one party at a time, its trips lie in its shift (plus overtime), and its
      legs follow one another in time and place (no jumps).
    """
    problems: list[str] = []
    o = run.options
    reqs = run.requests
    vehicles = run.vehicles
    by_vehicle: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for out in run.outcomes:
        r = reqs[out.request]
        if out.status == "refused":
            if not out.reason:
                problems.append(f"request {r.id}: refused without a reason")
            continue
        if out.status != "served":
            problems.append(f"request {r.id}: ends {out.status!r}, neither served nor refused")
            continue
        if not 0 <= out.vehicle < len(vehicles):
            problems.append(f"request {r.id}: served by unknown vehicle {out.vehicle}")
            continue
        v = vehicles[out.vehicle]
        if out.pickup < r.earliest - TOL or out.pickup > r.latest + TOL:
            problems.append(
                f"request {r.id}: pickup {out.pickup:.2f} outside [{r.earliest}, {r.latest}]"
            )
        if out.assigned_at < r.booked_at - TOL:
            problems.append(f"request {r.id}: assigned before it was booked")
        if not v.fits(r):
            problems.append(f"request {r.id}: party does not fit vehicle {v.id}")
        limit = max(o.max_ride_factor * out.direct, out.direct + o.max_ride_extra)
        if out.ride > limit + TOL:
            problems.append(f"request {r.id}: ride {out.ride:.2f} above limit {limit:.2f}")
        end = out.dropoff + o.alighting_minutes
        if out.pickup < v.shift_start - TOL or end > v.shift_end + o.overtime_minutes + TOL:
            problems.append(f"request {r.id}: trip outside vehicle {v.id}'s shift")
        by_vehicle[v.id].append((out.pickup, end, r.id))
    for vid, trips in by_vehicle.items():
        trips.sort()
        for (_, e1, a), (s2, _, b) in zip(trips, trips[1:], strict=False):
            if s2 < e1 - TOL:
                problems.append(f"vehicle {vid}: trips {a} and {b} overlap (one party at a time)")
    legs_by_vehicle: dict[int, list] = defaultdict(list)
    for leg in run.legs:
        legs_by_vehicle[leg.vehicle].append(leg)
        if leg.end < leg.start - TOL or leg.km < -TOL:
            problems.append(
                f"vehicle {leg.vehicle}: leg with negative time or length at {leg.start:.2f}"
            )
    for vid, legs in legs_by_vehicle.items():
        legs.sort(key=lambda leg: (leg.start, leg.end))
        place = vehicles[vid].depot
        t = -math.inf
        for leg in legs:
            if leg.start < t - TOL:
                problems.append(
                    f"vehicle {vid}: leg at {leg.start:.2f} starts before the previous one ends ({t:.2f})"
                )
            if math.dist(place, leg.origin) > 1e-6:
                problems.append(
                    f"vehicle {vid}: leg at {leg.start:.2f} starts away from where the vehicle was"
                )
            place, t = leg.destination, leg.end
    return problems
