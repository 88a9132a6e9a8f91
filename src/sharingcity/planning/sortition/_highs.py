"""Small HiGHS models over seat counts per volunteer group (the panel oracle and LPs)."""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from .model import Quota, VolunteerGroups

INF = highspy.kHighsInf


def _new_highs() -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # No "threads" option: HiGHS has one thread scheduler per process, and a Highs asking for
    # another number of threads than the first one did fails ("Not Set") instead of solving,
    # so a worker that also runs siting models would break panels.
    return highs


def _pass(
    highs: highspy.Highs,
    *,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
    integer: bool,
    maximize: bool,
) -> None:
    """Load a model given row-wise as (indices, values, lower, upper)."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    lp.row_lower_ = np.array([r[2] for r in rows], dtype=np.float64)
    lp.row_upper_ = np.array([r[3] for r in rows], dtype=np.float64)
    starts = [0]
    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for idx, val, _, _ in rows:
        indices.append(np.asarray(idx, dtype=np.int32))
        values.append(np.asarray(val, dtype=np.float64))
        starts.append(starts[-1] + len(idx))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
    lp.a_matrix_.value_ = np.concatenate(values) if values else np.zeros(0)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cost)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    highs.passModel(lp)


def panel_rows(
    groups: VolunteerGroups, quotas: Sequence[Quota], size: int
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """Constraints on seat counts per group: panel size, quota ranges, one seat per household."""
    everyone = np.arange(groups.count)
    rows = [(everyone, np.ones(groups.count), float(size), float(size))]
    for q, quota in enumerate(quotas):
        idx = np.flatnonzero(groups.membership[q])
        rows.append((idx, np.ones(len(idx)), float(quota.min), float(quota.max)))
    for household in groups.households:
        idx = np.array(household)
        rows.append((idx, np.ones(len(idx)), -INF, 1.0))
    return rows


class PanelOracle:
    """Finds a panel (seats per group) of largest weight, by integer programming with HiGHS.

    One model is built once; each call only changes the objective, so HiGHS reuses its set-up.
    """

    #: Relative MIP gap of the quick first attempt, and of the exact one.
    QUICK_GAP = 1e-3
    EXACT_GAP = 1e-9

    def __init__(self, groups: VolunteerGroups, quotas: Sequence[Quota], size: int) -> None:
        self.groups = groups
        self.highs = _new_highs()
        self.highs.setOptionValue("mip_abs_gap", 1e-12)
        # Measured on a 475-group pool: symmetry detection and the feasibility-jump heuristic cost
        # more than they save on these small, always-feasible models.
        self.highs.setOptionValue("mip_detect_symmetry", False)
        self.highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        self._gap = -1.0
        self._all = np.arange(groups.count, dtype=np.int32)
        _pass(
            self.highs,
            cost=np.zeros(groups.count),
            lower=np.zeros(groups.count),
            upper=groups.sizes.astype(np.float64),
            rows=panel_rows(groups, quotas, size),
            integer=True,
            maximize=True,
        )

    def restrict(self, quota_seats: dict[int, int], group_seats: dict[int, int]) -> None:
        """Only panels with exactly these seats per quota (by index) and per group from now on."""
        for q, seats in quota_seats.items():
            self.highs.changeRowBounds(1 + q, float(seats), float(seats))
        for t, seats in group_seats.items():
            self.highs.changeColBounds(t, float(seats), float(seats))

    def _run(self, gap: float) -> tuple[np.ndarray, float, float] | None:
        if gap != self._gap:
            self.highs.setOptionValue("mip_rel_gap", gap)
            self._gap = gap
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(
                f"HiGHS could not solve the panel model: {self.highs.modelStatusToString(status)}"
            )
        seats = np.rint(np.asarray(self.highs.getSolution().col_value)).astype(np.int64)
        value = float(np.dot(self._weights, seats))
        return seats, value, max(value, float(self.highs.getInfo().mip_dual_bound))

    def best(
        self, weights: np.ndarray, *, beat: float | None = None, tolerance: float = 0.0
    ) -> tuple[np.ndarray, float, float] | None:
        """Seats per group maximising ``weights @ seats``, its value and a proven upper bound.

        With ``beat``, a quick solve that already finds a panel worth more than ``beat + tolerance``
        (or proves none exists) is returned as is; only otherwise is the panel model solved exactly.
        Returns None when no panel meets the constraints.
        """
        self._weights = np.asarray(weights, dtype=np.float64)
        self.highs.changeColsCost(self.groups.count, self._all, self._weights)
        if beat is not None:
            found = self._run(self.QUICK_GAP)
            if found is None or found[1] > beat + tolerance or found[2] <= beat + tolerance:
                return found
        return self._run(self.EXACT_GAP)


class IncrementalLP:
    """An LP kept in HiGHS between solves, so added rows are solved from the previous basis."""

    def __init__(
        self,
        *,
        cost: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        rows: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
        maximize: bool,
        options: dict[str, str | int | float] | None = None,
    ) -> None:
        self.options = dict(options or {})
        self.highs = _new_highs()
        for key, value in self.options.items():
            self.highs.setOptionValue(key, value)
        _pass(
            self.highs,
            cost=cost,
            lower=lower,
            upper=upper,
            rows=rows,
            integer=False,
            maximize=maximize,
        )

    def add_row(self, indices: np.ndarray, values: np.ndarray, lower: float, upper: float) -> None:
        self.highs.addRow(
            lower,
            upper,
            len(indices),
            np.asarray(indices, dtype=np.int32),
            np.asarray(values, dtype=np.float64),
        )

    def add_column(
        self, cost: float, lower: float, upper: float, indices: np.ndarray, values: np.ndarray
    ) -> None:
        self.highs.addCol(
            cost,
            lower,
            upper,
            len(indices),
            np.asarray(indices, dtype=np.int32),
            np.asarray(values, dtype=np.float64),
        )

    def row_duals(self) -> np.ndarray:
        """Row duals of the last solve (HiGHS's sign convention)."""
        return np.asarray(self.highs.getSolution().row_dual)

    #: Seconds a simplex solve may take. After some added rows HiGHS's dual simplex stalls for
    #: minutes on these degenerate LPs (seen on a 475-group pool, warm-started or not), while its
    #: interior-point method solves the same LP in about a second.
    WARM_SECONDS = 5.0

    def solve(self) -> tuple[np.ndarray, float] | None:
        # HiGHS's time limit counts the instance's whole run time, hence the offset.
        self.highs.setOptionValue("time_limit", self.highs.getRunTime() + self.WARM_SECONDS)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            # The dual simplex also stalls on some of these LPs from scratch; the interior-point
            # method (with crossover, so later solves have a basis to start from) does not, and
            # where it misjudges one, the primal simplex settles it.
            lp = self.highs.getLp()
            fallbacks: tuple[dict[str, str | int], ...] = (
                {"solver": "ipm"},
                {"solver": "simplex", "simplex_strategy": 4},
            )
            for options in fallbacks:
                fresh = _new_highs()
                fresh.passModel(lp)
                for key, value in {**self.options, **options}.items():
                    fresh.setOptionValue(key, value)
                fresh.run()
                status = fresh.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    break
            fresh.setOptionValue("solver", "choose")
            fresh.setOptionValue("simplex_strategy", self.options.get("simplex_strategy", 1))
            self.highs = fresh
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(
                f"HiGHS could not solve an LP: {self.highs.modelStatusToString(status)}"
            )
        return np.asarray(self.highs.getSolution().col_value), float(
            self.highs.getInfo().objective_function_value
        )


def solve_lp(
    *,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
    maximize: bool,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Solve a small LP; returns (column values, row duals, objective) or None when infeasible."""
    highs = _new_highs()
    _pass(highs, cost=cost, lower=lower, upper=upper, rows=rows, integer=False, maximize=maximize)
    highs.run()
    status = highs.getModelStatus()
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS could not solve an LP: {highs.modelStatusToString(status)}")
    solution = highs.getSolution()
    return (
        np.asarray(solution.col_value),
        np.asarray(solution.row_dual),
        float(highs.getInfo().objective_function_value),
    )


def solve_mip(
    *,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
    integer: np.ndarray,
) -> tuple[np.ndarray, float] | None:
    """Minimise ``cost`` over a small MIP (``integer`` marks the integer columns); None when infeasible."""
    highs = _new_highs()
    _pass(highs, cost=cost, lower=lower, upper=upper, rows=rows, integer=False, maximize=False)
    highs.changeColsIntegrality(
        len(cost),
        np.arange(len(cost), dtype=np.int32),
        np.array(
            [
                highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                for flag in integer
            ],
        ),
    )
    highs.run()
    status = highs.getModelStatus()
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS could not solve a MIP: {highs.modelStatusToString(status)}")
    return np.asarray(highs.getSolution().col_value), float(
        highs.getInfo().objective_function_value
    )
