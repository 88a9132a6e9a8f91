"""The demo city's night network: Seoul's 25 districts as stops, linked as neighbours.

Links join districts whose centroids are Delaunay neighbours (dropping links longer than
``max_link_km``); night travel time is the great-circle distance times a detour factor at a
night bus speed. Demand comes from the call-record aggregation (``planning.demand``) when
given; otherwise a gravity model from resident populations and night hotspots stands in, so
the demo runs without any data.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import Delaunay

from ..seoul import DISTRICTS
from .errors import NetworkError
from .instance import TransitNetwork

# Night destinations with extra pull (nightlife, hospitals, markets), as a multiplier.
NIGHT_HOTSPOTS = {
    "mapo": 3.0,
    "gangnam": 3.0,
    "jung": 2.5,
    "jongno": 2.0,
    "yongsan": 1.5,
    "gwangjin": 1.5,
    "dongdaemun": 1.5,
}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def demo_city_network(
    demand: np.ndarray | None = None,
    *,
    speed_kmh: float = 30.0,
    detour: float = 1.3,
    max_link_km: float = 9.0,
    night_trips: float = 100_000.0,
) -> TransitNetwork:
    """Seoul's districts as a night street graph (coords are longitude, latitude).

    Parameters
    ----------
    demand : (25, 25) array, optional
        Night trips between districts in :data:`~sharingcity.planning.seoul.DISTRICTS` order.
    speed_kmh, detour : float
        Night bus speed and road-distance factor; link minutes are rounded to 0.1.
    night_trips : float
        Total of the stand-in gravity demand when ``demand`` is not given.
    """
    if not (speed_kmh > 0 and detour >= 1):
        raise NetworkError("speed_kmh must be positive and detour at least 1")
    n = len(DISTRICTS)
    lonlat = np.array([[d.longitude, d.latitude] for d in DISTRICTS])
    times = np.full((n, n), np.inf)
    np.fill_diagonal(times, 0.0)
    tri = Delaunay(lonlat)
    km = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            km[a, b] = _km(lonlat[a, 1], lonlat[a, 0], lonlat[b, 1], lonlat[b, 0])
    for simplex in tri.simplices:
        for u in range(3):
            a, b = int(simplex[u]), int(simplex[(u + 1) % 3])
            if km[a, b] <= max_link_km:
                minutes = round(km[a, b] * detour / speed_kmh * 60.0, 1)
                times[a, b] = times[b, a] = max(minutes, 0.1)
    if demand is None:
        pop = np.array([d.population for d in DISTRICTS], dtype=float)
        pull = pop * np.array([NIGHT_HOTSPOTS.get(d.code, 1.0) for d in DISTRICTS])
        with np.errstate(divide="ignore"):
            g = np.outer(pop, pull) / np.maximum(km, 1.0) ** 1.5
        np.fill_diagonal(g, 0.0)
        demand = np.round(g / g.sum() * night_trips)
    else:
        demand = np.asarray(demand, dtype=float)
        if demand.shape != (n, n):
            raise NetworkError(f"demand must be {n}x{n} (one row per district), got {demand.shape}")
    return TransitNetwork(
        times, demand, lonlat, name="Seoul night", stop_names=tuple(d.name_en for d in DISTRICTS)
    )
