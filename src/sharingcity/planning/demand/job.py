"""What both engines are asked to do, and what they hand back (engine-neutral)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .inputs import Source, Window
from .report import InputReport

#: Codes of the record statuses inside the engines (0 = used).
STATUS_CODES: dict[int, str] = {
    1: "missing_value",
    2: "bad_timestamp",
    3: "unknown_cell",
    4: "unknown_subscriber",
    5: "unknown_zone",
    6: "outside_window",
}


@dataclass(frozen=True)
class Job:
    """One aggregation, as handed to an engine.

    ``key`` is the *derived* pseudonymisation key (never the secret). ``bounds`` is
    (max_cells_per_caller, max_calls_per_cell) when noise follows, else None (exact counts).
    """

    records: Source
    subscribers: Source
    cells: Source
    zones: tuple[str, ...] | None
    window: Window
    key: bytes = field(repr=False)
    bounds: tuple[int, int] | None
    timezone: str


@dataclass
class EngineOutput:
    """Exact (possibly contribution-bounded) counts over the zones, plus the input report."""

    zones: list[str]
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    hour: NDArray[np.int64]
    trips: NDArray[np.int64]
    callers: NDArray[np.int64]
    report: InputReport


def window_sql(window: Window, seconds_expr: str) -> str:
    """SQL condition (same text in DuckDB and Spark) for a second-of-day inside the window."""
    if window.crosses_midnight:
        return f"({seconds_expr} >= {window.start} OR {seconds_expr} < {window.end})"
    return f"({seconds_expr} >= {window.start} AND {seconds_expr} < {window.end})"


def hour_position_sql(window: Window, hour_expr: str) -> str:
    """SQL giving each hour its position in the night (so 22 sorts before 0 in 22:00-05:00)."""
    first = window.start // 3600
    return f"(({hour_expr} - {first} + 24) % 24)"
