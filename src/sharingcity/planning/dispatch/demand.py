"""Demand and fleet generators for the demo city, and a forecast from past days.

Calls follow an hour-of-day profile with morning and afternoon peaks (hospital appointments,
day-care and rehabilitation); origins are homes spread around district centres weighted by
residents, destinations are large hospitals, welfare centres or other places; a share of trips is
booked the day before with a pickup window, the rest are calls for "as soon as possible".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sharingcity.planning.dispatch.city import DemoCity
from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.model import Request, Vehicle

__all__ = [
    "HOUR_PROFILES",
    "SHIFT_PATTERNS",
    "generate_requests",
    "make_fleet",
    "forecast_from_history",
]

# Relative number of calls by hour (shape only). Weekdays peak for morning appointments and the
# return home in the afternoon; weekends are flatter and later.
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    "weekday": (0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1.5, 4.0, 7.5, 9.0, 9.0, 7.5,
                6.0, 7.5, 8.0, 8.0, 7.5, 6.5, 5.0, 4.0, 3.0, 2.0, 1.5, 0.8),
    "weekend": (0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.8, 2.0, 4.0, 6.0, 7.5, 8.0,
                8.0, 8.0, 8.0, 7.5, 7.0, 6.5, 5.5, 4.5, 3.5, 2.5, 1.5, 0.8),
}  # fmt: skip

# (start hour, end hour, share of the fleet): day shifts with a thin night shift.
SHIFT_PATTERNS: tuple[tuple[float, float, float], ...] = (
    (6.0, 15.0, 0.25),
    (7.0, 16.0, 0.25),
    (9.0, 18.0, 0.2),
    (12.0, 21.0, 0.15),
    (15.0, 24.0, 0.1),
    (21.0, 30.0, 0.05),
)


def generate_requests(
    city: DemoCity,
    n_requests: int,
    *,
    seed: int,
    day: str = "weekday",
    advance_share: float = 0.3,
    wheelchair_share: float = 0.75,
    max_wait: float = 180.0,
    advance_window: float = 30.0,
) -> list[Request]:
    """Draw one day of call-taxi requests.

    Parameters
    ----------
    city : DemoCity
    n_requests : int
        Requests in the day.
    seed : int
    day : {"weekday", "weekend"}
        Hour profile, and fewer hospital trips at weekends.
    advance_share : float
        Share booked the day before, with a window of ``advance_window`` minutes.
    wheelchair_share : float
        Share of users who need a wheelchair place.
    max_wait : float
        Longest wait the service accepts for a call "as soon as possible" (minutes).

    Returns
    -------
    list of Request
        Sorted by earliest pickup; ids ``0..n-1`` in that order.

    Complexity: O(n) draws.
    """
    if n_requests < 0:
        raise DispatchError(f"n_requests must be non-negative, got {n_requests}")
    if day not in HOUR_PROFILES:
        raise DispatchError(f"day must be one of {sorted(HOUR_PROFILES)}, got {day!r}")
    for value, label in ((advance_share, "advance_share"), (wheelchair_share, "wheelchair_share")):
        if not 0.0 <= value <= 1.0:
            raise DispatchError(f"{label} must be in [0, 1], got {value}")
    if max_wait <= 0 or advance_window < 0:
        raise DispatchError("max_wait must be positive and advance_window non-negative")
    rng = np.random.default_rng(seed)
    profile = np.array(HOUR_PROFILES[day])
    hours = rng.choice(24, size=n_requests, p=profile / profile.sum())
    minutes = hours * 60.0 + rng.uniform(0.0, 60.0, size=n_requests)
    # Round to whole minutes like a booking system; keeps event times readable.
    minutes = np.floor(minutes)
    district_p = city.weights / city.weights.sum()
    homes_d = rng.choice(len(city.names), size=n_requests, p=district_p)
    homes = city.centres[homes_d] + rng.normal(0.0, city.spread_km, size=(n_requests, 2))
    hospital_share = 0.45 if day == "weekday" else 0.3
    purpose = rng.choice(3, size=n_requests, p=[hospital_share, 0.25, 0.75 - hospital_share])
    hosp = city.hospitals[rng.integers(len(city.hospitals), size=n_requests)]
    # Users go to the welfare centre of their own district or a neighbouring one.
    welfare_idx = np.array(
        [
            int(
                np.argsort(((city.welfare_centres - h) ** 2).sum(axis=1))[
                    rng.integers(min(3, len(city.welfare_centres)))
                ]
            )
            for h in homes
        ]
    )
    welfare = city.welfare_centres[welfare_idx]
    other_d = rng.choice(len(city.names), size=n_requests, p=district_p)
    other = city.centres[other_d] + rng.normal(0.0, 2 * city.spread_km, size=(n_requests, 2))
    places = np.where(purpose[:, None] == 0, hosp, np.where(purpose[:, None] == 1, welfare, other))
    # Going out in the morning, coming home later in the day.
    p_return = np.where(hours < 11, 0.2, 0.65)
    back = rng.random(n_requests) < p_return
    origins = np.where(back[:, None], places, homes)
    dests = np.where(back[:, None], homes, places)
    advance = rng.random(n_requests) < advance_share
    wheelchair = rng.random(n_requests) < wheelchair_share
    companions = rng.choice(3, size=n_requests, p=[0.5, 0.4, 0.1])
    booked_before = rng.uniform(60.0, 600.0, size=n_requests)
    order = np.argsort(minutes, kind="stable")
    names = ("hospital", "welfare", "other")
    out: list[Request] = []
    for new_id, k in enumerate(order):
        t = float(minutes[k])
        o = (float(origins[k, 0]), float(origins[k, 1]))
        d = (float(dests[k, 0]), float(dests[k, 1]))
        if o == d:
            d = (d[0] + 0.5, d[1])
        adv = bool(advance[k])
        out.append(
            Request(
                id=new_id,
                booked_at=t - float(booked_before[k]) if adv else t,
                earliest=t,
                latest=t + (advance_window if adv else max_wait),
                origin=o,
                destination=d,
                wheelchair=bool(wheelchair[k]),
                companions=int(companions[k]),
                advance=adv,
                district=city.district_of(*o),
                purpose=names[int(purpose[k])],
            )
        )
    return out


def make_fleet(
    city: DemoCity,
    n_vehicles: int,
    *,
    seed: int,
    sedan_share: float = 0.0,
    shifts: Sequence[tuple[float, float, float]] = SHIFT_PATTERNS,
) -> list[Vehicle]:
    """A fleet spread over the garages with staggered shifts.

    ``sedan_share`` of the vehicles carry no wheelchair (three seats); the others carry one
    wheelchair and two companions.
    """
    if n_vehicles < 0:
        raise DispatchError(f"n_vehicles must be non-negative, got {n_vehicles}")
    if not 0.0 <= sedan_share <= 1.0:
        raise DispatchError(f"sedan_share must be in [0, 1], got {sedan_share}")
    shares = np.array([s for *_, s in shifts], dtype=float)
    if len(shares) == 0 or (shares < 0).any() or shares.sum() <= 0:
        raise DispatchError("shifts need non-negative shares with a positive sum")
    rng = np.random.default_rng(seed)
    # Largest-remainder split so the shift mix is exact, not a random draw.
    raw = shares / shares.sum() * n_vehicles
    counts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - counts))[: n_vehicles - counts.sum()]:
        counts[k] += 1
    fleet: list[Vehicle] = []
    for (start, end, _), count in zip(shifts, counts, strict=True):
        for _ in range(count):
            vid = len(fleet)
            depot = city.depots[vid % len(city.depots)]
            sedan = rng.random() < sedan_share
            fleet.append(
                Vehicle(
                    id=vid,
                    depot=(float(depot[0]), float(depot[1])),
                    shift_start=start * 60.0,
                    shift_end=end * 60.0,
                    wheelchair_places=0 if sedan else 1,
                    companion_seats=3 if sedan else 2,
                )
            )
    return fleet


def forecast_from_history(days: Sequence[Sequence[Request]], n_districts: int) -> np.ndarray:
    """Mean pickups by hour and district over past days: an array of shape ``(24, n_districts)``."""
    if not days:
        raise DispatchError("a forecast needs at least one past day")
    counts = np.zeros((24, n_districts))
    for requests in days:
        for r in requests:
            if not 0 <= r.district < n_districts:
                raise DispatchError(
                    f"request {r.id}: district {r.district} outside 0..{n_districts - 1}"
                )
            counts[int(r.earliest // 60) % 24, r.district] += 1
    return counts / len(days)
