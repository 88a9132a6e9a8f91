"""Plain data shared by every siting model: input checks, the result record, evaluation.

Conventions
-----------
* ``demand``: one non-negative weight per demand zone (residents 65+, job seekers, ...), shape (n,).
* ``travel``: travel time or distance from each zone to each candidate site, shape (n, m).
  ``numpy.inf`` marks a site a zone cannot reach (allowed by the covering models only).
* Sites are referred to by their column index in ``travel``; zones by their row index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import SitingError

#: Status strings of :class:`SitingResult`.
OPTIMAL = "optimal"
TIME_LIMIT = "time limit"
HEURISTIC = "heuristic"


@dataclass(frozen=True)
class SitingResult:
    """The answer of a siting model.

    Attributes
    ----------
    model : str
        ``"p-median"``, ``"maximal covering"`` or ``"set covering"``.
    sites : tuple of int
        Chosen candidate sites (column indices of ``travel``), ascending.
    assignment : numpy.ndarray
        For each zone the site serving it (nearest chosen site, or the capacitated assignment),
        ``-1`` when no chosen site serves it (not covered / unreachable).
    objective : float
        p-median: total demand-weighted travel; maximal covering: demand covered;
        set covering: number of sites.
    bound : float
        Proven bound on the optimum (lower for minimisation, upper for maximal covering).
    gap : float
        ``|objective - bound| / max(|objective|, tiny)``; 0 means proven optimal.
    status : str
        ``"optimal"`` (gap closed), ``"time limit"`` (stopped with an incumbent and a bound) or
        ``"heuristic"`` (no exact solve was asked for, or the exact model was too large to
        build; the bound is still proven).
    time_s : float
        Wall-clock seconds spent in the model.
    method : str
        How the answer was found, e.g. ``"milp:radius"`` or ``"lagrangian+interchange"``.
    details : dict
        Model sizes and counters (variables, rows, reductions, iterations).
    """

    model: str
    sites: tuple[int, ...]
    assignment: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    time_s: float
    method: str
    details: dict[str, object] = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        """True when the bound closes the gap (to solver tolerance)."""
        return self.gap <= 1e-6


def relative_gap(objective: float, bound: float) -> float:
    """Relative gap ``|objective - bound| / |objective|`` (0 when both are 0, inf without a bound)."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-12)


def check_demand_travel(
    demand: object, travel: object, *, allow_unreachable: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert ``demand`` (n,) and ``travel`` (n, m) to float arrays.

    Raises
    ------
    SitingError
        On wrong shapes, NaN, negative values, or (unless ``allow_unreachable``) infinite travel.
    """
    try:
        w = np.asarray(demand, dtype=np.float64)
        d = np.asarray(travel, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SitingError(f"demand and travel must be numeric arrays: {exc}") from exc
    if w.ndim != 1:
        raise SitingError(f"demand must be one weight per zone (1-D), got shape {w.shape}")
    if d.ndim != 2:
        raise SitingError(f"travel must be a zones x sites matrix (2-D), got shape {d.shape}")
    if d.shape[0] != w.shape[0]:
        raise SitingError(
            f"travel has {d.shape[0]} rows but demand has {w.shape[0]} zones; they must match"
        )
    if d.shape[0] == 0 or d.shape[1] == 0:
        raise SitingError(f"need at least one zone and one candidate site, got travel {d.shape}")
    if not np.all(np.isfinite(w)):
        raise SitingError(f"demand weight of zone {int(np.argmin(np.isfinite(w)))} is not finite")
    if np.any(w < 0):
        raise SitingError(f"demand weight of zone {int(np.argmax(w < 0))} is negative")
    if np.isnan(d).any():
        i, j = np.argwhere(np.isnan(d))[0]
        raise SitingError(f"travel from zone {i} to site {j} is NaN")
    if (d < 0).any():
        i, j = np.argwhere(d < 0)[0]
        raise SitingError(f"travel from zone {i} to site {j} is negative ({d[i, j]})")
    if not allow_unreachable and np.isinf(d).any():
        i, j = np.argwhere(np.isinf(d))[0]
        raise SitingError(
            f"travel from zone {i} to site {j} is infinite; the p-median needs every pair "
            "reachable (use a large finite penalty for pairs that should never be assigned)"
        )
    return w, d


def check_count(value: object, name: str, *, low: int, high: int) -> int:
    """Check an integer option such as the number of sites ``p`` (``low <= value <= high``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SitingError(f"{name} must be an integer, got {value!r}")
    if not low <= int(value) <= high:
        raise SitingError(f"{name} must be between {low} and {high}, got {value}")
    return int(value)


def check_time_limit(time_limit: object) -> float | None:
    """``None`` (no limit) or a positive number of seconds."""
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.number)):
        raise SitingError(f"time_limit must be a number of seconds, got {time_limit!r}")
    if not float(time_limit) > 0:
        raise SitingError(f"time_limit must be positive, got {time_limit}")
    return float(time_limit)


def check_sites(sites: object, n_sites: int) -> np.ndarray:
    """Validate a list of site indices (distinct, in range)."""
    arr = np.asarray(sites)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise SitingError(f"sites must be a list of integer site indices, got {sites!r}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n_sites):
        raise SitingError(f"site index out of range 0..{n_sites - 1}: {sites!r}")
    if np.unique(arr).size != arr.size:
        raise SitingError(f"sites must be distinct, got {sites!r}")
    return arr


def nearest_assignment(travel: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Each zone's nearest chosen site (``-1`` if none is reachable). O(n p)."""
    n = travel.shape[0]
    if sites.size == 0:
        return np.full(n, -1, dtype=np.int64)
    sub = travel[:, sites]
    best = np.argmin(sub, axis=1)
    out = sites[best].astype(np.int64)
    out[~np.isfinite(sub[np.arange(n), best])] = -1
    return out


def median_cost(demand: np.ndarray, travel: np.ndarray, sites: np.ndarray) -> float:
    """Total demand-weighted travel to the nearest chosen site."""
    return float(demand @ travel[:, sites].min(axis=1))


def covered_demand(
    demand: np.ndarray, travel: np.ndarray, sites: np.ndarray, standard: float
) -> float:
    """Demand of the zones within ``standard`` of at least one chosen site."""
    if sites.size == 0:
        return 0.0
    return float(demand[(travel[:, sites] <= standard).any(axis=1)].sum())
