"""The distance or coverage curve: the best objective as the number of sites grows.

Planners read it to see where one more centre stops paying off. Each ``p`` starts from the answer
for ``p - 1`` plus its best addition, and the maximal covering model is built once (only the
"p sites" row changes), so the whole curve costs little more than its last point.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .covering import MaximalCoveringModel, _check_standard, _pad
from .errors import SitingError
from .pmedian import p_median
from .problem import (
    HEURISTIC,
    OPTIMAL,
    TIME_LIMIT,
    check_count,
    check_demand_travel,
    check_time_limit,
    relative_gap,
)


def siting_curve(
    model: str,
    demand: object,
    travel: object,
    p_max: int,
    *,
    standard: float | None = None,
    p_min: int = 1,
    method: str = "exact",
    time_limit_per_p: float | None = None,
    seed: int = 0,
) -> list[dict[str, object]]:
    """Objective, bound, gap and sites for every ``p`` from ``p_min`` to ``p_max``.

    Parameters
    ----------
    model : {"p-median", "maximal covering"}
    standard : float
        Required for maximal covering.
    method : {"exact", "heuristic"}
    time_limit_per_p : float, optional
        Seconds per point.

    Returns
    -------
    list of dict
        Rows ``{"p", "objective", "bound", "gap", "status", "sites", "time_s"}``; for maximal
        covering also ``"share"`` (covered share of all demand).
    """
    if model not in ("p-median", "maximal covering"):
        raise SitingError(f"model must be 'p-median' or 'maximal covering', got {model!r}")
    w, d = check_demand_travel(demand, travel, allow_unreachable=model != "p-median")
    m = d.shape[1]
    p_max = check_count(p_max, "p_max", low=1, high=m)
    p_min = check_count(p_min, "p_min", low=1, high=p_max)
    limit = check_time_limit(time_limit_per_p)
    rows: list[dict[str, object]] = []
    if model == "p-median":
        prev: list[int] | None = None
        for p in range(p_min, p_max + 1):
            r = p_median(w, d, p, method=method, time_limit=limit, seed=seed, start=prev)
            prev = list(r.sites)
            rows.append(
                {
                    "p": p,
                    "objective": r.objective,
                    "bound": r.bound,
                    "gap": r.gap,
                    "status": r.status,
                    "sites": r.sites,
                    "time_s": r.time_s,
                }
            )
        return rows
    if standard is None:
        raise SitingError("the maximal covering curve needs a standard (travel limit)")
    std = _check_standard(standard)
    cm = MaximalCoveringModel(w, d, std)
    total = float(w.sum())
    start: np.ndarray | None = None
    for p in range(p_min, p_max + 1):
        t0 = time.perf_counter()
        pos, bound, status, _ = cm.solve(
            p, time_limit=limit, gap=0.0, seed=seed, start=start, exact=method == "exact"
        )
        start = pos
        sites = _pad(cm.groups.sites[pos], p, m)
        objective = float(w[cm.within[:, sites].any(axis=1)].sum())
        bound = max(min(bound, total), objective)
        gap = relative_gap(objective, bound)
        st = OPTIMAL if gap <= 1e-9 else (TIME_LIMIT if method == "exact" else HEURISTIC)
        rows.append(
            {
                "p": p,
                "objective": objective,
                "bound": bound,
                "gap": gap,
                "status": st,
                "sites": tuple(int(j) for j in sites),
                "time_s": time.perf_counter() - t0,
                "share": objective / total if total > 0 else math.nan,
            }
        )
    return rows
