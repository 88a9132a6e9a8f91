"""A seeded synthetic city for demonstrations, tests and benchmarks of the siting models.

Demand points cluster around a few centres (like neighbourhoods around district centres), the rest
spread evenly; candidate sites spread evenly; travel is straight-line distance in metres. The
layout follows the one used for the spopt timings in docs/research/planning.md (30 km square,
70 % of points around 12 centres with a 2 km spread, weights 1-99).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SitingError


@dataclass(frozen=True)
class SyntheticCity:
    """Coordinates (metres), demand weights and the zone-to-site travel matrix."""

    demand_xy: np.ndarray  # (n, 2)
    site_xy: np.ndarray  # (m, 2)
    demand: np.ndarray  # (n,)
    travel: np.ndarray  # (n, m)


def synthetic_city(
    n_zones: int,
    n_sites: int,
    *,
    seed: int,
    size_m: float = 30_000.0,
    n_centres: int = 12,
    clustered_share: float = 0.7,
    spread_m: float = 2_000.0,
    dtype: type = np.float64,
) -> SyntheticCity:
    """Generate a city with ``n_zones`` weighted demand points and ``n_sites`` candidate sites.

    Weights are integers 1..99 and distances are rounded to whole metres, so objectives are
    integers and bounds can be rounded up. O(n m) time and memory for the travel matrix.
    """
    if n_zones < 1 or n_sites < 1:
        raise SitingError(f"need at least one zone and one site, got {n_zones}, {n_sites}")
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1 * size_m, 0.9 * size_m, size=(n_centres, 2))
    n_clustered = int(round(clustered_share * n_zones))
    which = rng.integers(0, n_centres, size=n_clustered)
    clustered = centres[which] + rng.normal(0.0, spread_m, size=(n_clustered, 2))
    uniform = rng.uniform(0.0, size_m, size=(n_zones - n_clustered, 2))
    demand_xy = np.clip(np.vstack([clustered, uniform]), 0.0, size_m)
    site_xy = rng.uniform(0.0, size_m, size=(n_sites, 2))
    demand = rng.integers(1, 100, size=n_zones).astype(np.float64)
    diff = demand_xy[:, None, :] - site_xy[None, :, :]
    travel = np.rint(np.sqrt((diff**2).sum(axis=2))).astype(dtype)
    return SyntheticCity(demand_xy=demand_xy, site_xy=site_xy, demand=demand, travel=travel)
