"""Plain data of the call-taxi service: vehicles, requests, and travel times by time of day.

Times are minutes after midnight of the simulated day, places are points ``(x, y)`` in
kilometres on a local plane, and travel times come from a :class:`TravelModel`: either a speed
profile over straight-line distances (:class:`SpeedProfileTravel`) or zone-to-zone matrices by hour
(:class:`MatrixTravel`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sharingcity.planning.dispatch.errors import DispatchError

__all__ = [
    "Vehicle",
    "Request",
    "TravelModel",
    "SpeedProfileTravel",
    "MatrixTravel",
    "SEOUL_HOURLY_SPEED_KMH",
]


@dataclass(frozen=True)
class Vehicle:
    """A call taxi on one shift.

    Attributes
    ----------
    id : int
    depot : tuple of float
        Where the shift starts and ends.
    shift_start, shift_end : float
        Minutes after midnight. A vehicle takes no trip it cannot finish before
        ``shift_end + overtime`` (an option of the simulator).
    wheelchair_places : int
        Wheelchair positions (0 for a sedan that serves ambulant users only).
    companion_seats : int
        Seats for companions (carers, family).
    """

    id: int
    depot: tuple[float, float]
    shift_start: float
    shift_end: float
    wheelchair_places: int = 1
    companion_seats: int = 2

    def __post_init__(self) -> None:
        if self.shift_end <= self.shift_start:
            raise DispatchError(
                f"vehicle {self.id}: shift ends at {self.shift_end} before it starts at {self.shift_start}"
            )
        if self.wheelchair_places < 0 or self.companion_seats < 0:
            raise DispatchError(f"vehicle {self.id}: negative capacity")

    def fits(self, request: Request) -> bool:
        """Whether the user and companions fit (one party rides at a time)."""
        if request.wheelchair:
            return self.wheelchair_places >= 1 and self.companion_seats >= request.companions
        # An ambulant user takes a companion seat, or a wheelchair place folded to a seat.
        return self.companion_seats + self.wheelchair_places >= 1 + request.companions


@dataclass(frozen=True)
class Request:
    """A trip asked for by a user.

    Attributes
    ----------
    id : int
    booked_at : float
        When the call or booking reached the centre (minutes; negative = booked the day before).
    earliest, latest : float
        Window for the start of the pickup. For a call "as soon as possible" ``earliest`` equals
        ``booked_at`` and ``latest`` is ``earliest`` plus the longest wait the service accepts.
    origin, destination : tuple of float
    wheelchair : bool
        Needs a wheelchair place.
    companions : int
    advance : bool
        Booked in advance (the day before) rather than on the day.
    district : int
        Index of the district of the pickup (for fairness reporting).
    purpose : str
        ``"hospital"``, ``"welfare"`` or ``"other"``.
    """

    id: int
    booked_at: float
    earliest: float
    latest: float
    origin: tuple[float, float]
    destination: tuple[float, float]
    wheelchair: bool = True
    companions: int = 0
    advance: bool = False
    district: int = 0
    purpose: str = "other"

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise DispatchError(
                f"request {self.id}: window [{self.earliest}, {self.latest}] ends before it starts"
            )
        if self.booked_at > self.earliest:
            raise DispatchError(
                f"request {self.id}: booked at {self.booked_at} after its earliest pickup {self.earliest}"
            )
        if self.companions < 0:
            raise DispatchError(f"request {self.id}: negative companions")


class TravelModel(Protocol):
    """Travel between points by time of day."""

    def minutes(self, a: tuple[float, float], b: tuple[float, float], at: float) -> float:
        """Driving time from ``a`` to ``b`` leaving at minute ``at``."""
        ...

    def minutes_many(
        self, ax: np.ndarray, ay: np.ndarray, b: tuple[float, float], at: float
    ) -> np.ndarray:
        """Driving times from many points to ``b`` (vectorised)."""
        ...

    def minutes_matrix(
        self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, at: float
    ) -> np.ndarray:
        """Driving times from points ``a`` (rows) to points ``b`` (columns) leaving at ``at``."""
        ...

    def km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Road distance from ``a`` to ``b``."""
        ...


# Average speed of the city's traffic by hour (km/h): slow in the morning and evening peaks.
# Illustrative values shaped like the Seoul Metropolitan Government's published speed reports
# (city-wide average about 23 km/h, peaks below 20 km/h); not measured data.
SEOUL_HOURLY_SPEED_KMH: tuple[float, ...] = (
    32, 33, 34, 34, 33, 30, 26, 21, 18, 20, 22, 22,
    22, 22, 22, 21, 20, 18, 17, 19, 22, 25, 28, 30,
)  # fmt: skip


@dataclass(frozen=True)
class SpeedProfileTravel:
    """Travel time = road distance / speed of the hour, road distance = ``detour`` x straight line.

    Complexity: O(1) per pair; ``minutes_many`` is one numpy pass.
    """

    speeds_kmh: Sequence[float] = SEOUL_HOURLY_SPEED_KMH
    detour: float = 1.3

    def __post_init__(self) -> None:
        if len(self.speeds_kmh) != 24 or min(self.speeds_kmh) <= 0:
            raise DispatchError("speeds_kmh needs 24 positive hourly speeds")
        if self.detour < 1.0:
            raise DispatchError(f"detour factor {self.detour} is below 1")

    def _per_km(self, at: float) -> float:
        return 60.0 / self.speeds_kmh[int(at // 60) % 24]

    def km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return self.detour * math.hypot(a[0] - b[0], a[1] - b[1])

    def minutes(self, a: tuple[float, float], b: tuple[float, float], at: float) -> float:
        # Same operation order as the vectorised forms, so both agree to the last bit.
        return math.hypot(a[0] - b[0], a[1] - b[1]) * (self.detour * self._per_km(at))

    def minutes_many(
        self, ax: np.ndarray, ay: np.ndarray, b: tuple[float, float], at: float
    ) -> np.ndarray:
        return np.hypot(ax - b[0], ay - b[1]) * (self.detour * self._per_km(at))

    def minutes_matrix(
        self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, at: float
    ) -> np.ndarray:
        return np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :]) * (
            self.detour * self._per_km(at)
        )


class MatrixTravel:
    """Zone-to-zone travel times by hour, for a matrix from a street graph or a traffic model.

    Points are mapped to their nearest zone centre; a trip within one zone takes
    ``intrazonal_minutes``.

    Parameters
    ----------
    zones : array (z, 2)
        Zone centres (km).
    minutes : array (24, z, z) or (z, z)
        Travel minutes by hour of departure (or one matrix for all hours).
    km : array (z, z)
        Road distances.
    """

    def __init__(
        self,
        zones: np.ndarray,
        minutes: np.ndarray,
        km: np.ndarray,
        *,
        intrazonal_minutes: float = 5.0,
    ) -> None:
        zones = np.asarray(zones, dtype=float)
        minutes = np.asarray(minutes, dtype=float)
        km = np.asarray(km, dtype=float)
        if zones.ndim != 2 or zones.shape[1] != 2:
            raise DispatchError(f"zones must have shape (z, 2), got {zones.shape}")
        z = len(zones)
        if minutes.shape == (z, z):
            minutes = np.broadcast_to(minutes, (24, z, z))
        if minutes.shape != (24, z, z):
            raise DispatchError(
                f"minutes must have shape (24, {z}, {z}) or ({z}, {z}), got {minutes.shape}"
            )
        if km.shape != (z, z):
            raise DispatchError(f"km must have shape ({z}, {z}), got {km.shape}")
        if (minutes < 0).any() or (km < 0).any() or not np.isfinite(minutes).all():
            raise DispatchError("travel matrices must be finite and non-negative")
        self.zones = zones
        self.matrix = minutes
        self.km_matrix = km
        self.intrazonal = float(intrazonal_minutes)

    def zone_of(self, p: tuple[float, float]) -> int:
        return int(np.argmin((self.zones[:, 0] - p[0]) ** 2 + (self.zones[:, 1] - p[1]) ** 2))

    def minutes(self, a: tuple[float, float], b: tuple[float, float], at: float) -> float:
        za, zb = self.zone_of(a), self.zone_of(b)
        if za == zb:
            return self.intrazonal if a != b else 0.0
        return float(self.matrix[int(at // 60) % 24, za, zb])

    def minutes_many(
        self, ax: np.ndarray, ay: np.ndarray, b: tuple[float, float], at: float
    ) -> np.ndarray:
        d2 = (ax[:, None] - self.zones[None, :, 0]) ** 2 + (
            ay[:, None] - self.zones[None, :, 1]
        ) ** 2
        za = np.argmin(d2, axis=1)
        zb = self.zone_of(b)
        out = self.matrix[int(at // 60) % 24, za, zb].copy()
        same = za == zb
        out[same] = np.where((ax[same] == b[0]) & (ay[same] == b[1]), 0.0, self.intrazonal)
        return out

    def _zones_of(self, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        d2 = (px[:, None] - self.zones[None, :, 0]) ** 2 + (
            py[:, None] - self.zones[None, :, 1]
        ) ** 2
        return np.argmin(d2, axis=1)

    def minutes_matrix(
        self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, at: float
    ) -> np.ndarray:
        za = self._zones_of(ax, ay)
        zb = self._zones_of(bx, by)
        out = self.matrix[int(at // 60) % 24][za[:, None], zb[None, :]].copy()
        same = za[:, None] == zb[None, :]
        here = (ax[:, None] == bx[None, :]) & (ay[:, None] == by[None, :])
        out[same] = np.where(here[same], 0.0, self.intrazonal)
        return out

    def km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        za, zb = self.zone_of(a), self.zone_of(b)
        if za == zb:
            return (
                0.0
                if a == b
                else float(np.min(self.km_matrix[self.km_matrix > 0], initial=1.0)) / 2
            )
        return float(self.km_matrix[za, zb])
