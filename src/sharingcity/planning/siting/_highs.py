"""A thin wrapper that hands a sparse MILP to HiGHS and reads back value, bound, gap and status."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

INF = float("inf")


def _highspy() -> Any:
    """Import highspy only when a model is solved.

    OR-Tools wheels ship their own ``libhighs.so.1`` of another HiGHS version; whichever of the
    two is loaded first in a process breaks the other (undefined symbols). Importing late keeps
    ``import sharingcity.planning.siting`` harmless for processes that also use OR-Tools.
    """
    import highspy

    return highspy


@dataclass
class MilpOutcome:
    """What HiGHS returned: solution values (or None), objective, dual bound, status, seconds."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str
    time_s: float


def build_highs(
    cost: np.ndarray,
    a: sp.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    integer: np.ndarray,
    *,
    maximize: bool = False,
    offset: float = 0.0,
) -> Any:
    """Build a silent HiGHS instance holding the model (columns, rows and integrality)."""
    highspy = _highspy()
    csc = sp.csc_matrix(a)
    csc.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = int(csc.shape[1])
    lp.num_row_ = int(csc.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in np.asarray(integer, dtype=bool)
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def run_highs(
    h: Any,
    *,
    time_limit: float | None,
    mip_rel_gap: float = 1e-9,
    start: np.ndarray | None = None,
    seed: int = 0,
    heuristic_effort: float | None = None,
) -> MilpOutcome:
    """Solve ``h`` within the time limit, warm-started from ``start`` when given.

    The status is HiGHS's own ("Optimal", "Time limit reached", ...), never a wrapper's guess:
    a stop on the time limit keeps the best incumbent and the proven dual bound.
    """
    h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else INF)
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", int(seed))
    if heuristic_effort is not None:
        h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    if start is not None:
        sol = _highspy().HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_sol else None
    objective = float(info.objective_function_value) if has_sol else float("nan")
    bound = float(info.mip_dual_bound)
    if status == "Optimal" and has_sol and not np.isfinite(bound):
        bound = objective  # an LP (no integers) has no MIP dual bound: optimal means proven
    return MilpOutcome(x=x, objective=objective, bound=bound, status=status, time_s=elapsed)
