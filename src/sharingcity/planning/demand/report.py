"""What the demand job read, used and rejected: never a silent drop.

Every record ends in exactly one bucket: used, outside the time window, or one named problem.
The report is returned with the result and written into the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Problems a call record can have, in the order they are checked (a record is counted once,
#: under the first that applies).
RECORD_PROBLEMS: dict[str, str] = {
    "malformed_line": "CSV line that does not split into the header's columns",
    "missing_value": "subscriber, timestamp or cell is empty",
    "bad_timestamp": "timestamp text is not ISO 8601 'YYYY-MM-DD HH:MM[:SS[.f]]' or not a real time",
    "unknown_cell": "cell id not in the cell table (or its row there is unusable)",
    "unknown_subscriber": "subscriber not in the billing table (or billed to several zones)",
    "unknown_zone": "the cell's zone or the billing zone is not one of the given zones",
}

#: Problems of rows in the two lookup tables.
TABLE_PROBLEMS: dict[str, str] = {
    "malformed_line": "CSV line that does not split into the header's columns",
    "missing_value": "key or zone is empty",
    "conflicting_duplicate": "the same key appears with different zones (all its rows are unusable)",
    "duplicate_row": "the same key and zone appear more than once (kept once)",
    "unknown_zone": "zone is not one of the given zones",
}

MAX_EXAMPLES = 5


@dataclass
class Problem:
    """How many rows had one problem, with a few examples.

    Examples never carry a raw subscriber key: it is replaced by its keyed pseudonym, which the
    telecom (holding the secret) can recompute to find the row.
    """

    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "examples": self.examples}


@dataclass
class TableReport:
    """Report on one input table (records, subscribers or cells)."""

    name: str
    files: list[str]
    rows_read: int = 0
    problems: dict[str, Problem] = field(default_factory=dict)

    def add(self, kind: str, count: int, examples: list[dict[str, Any]] | None = None) -> None:
        if count <= 0:
            return
        p = self.problems.setdefault(kind, Problem())
        p.count += int(count)
        room = MAX_EXAMPLES - len(p.examples)
        if examples and room > 0:
            p.examples.extend(examples[:room])

    @property
    def rows_rejected(self) -> int:
        return sum(p.count for k, p in self.problems.items() if k != "duplicate_row")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "files": self.files,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "problems": {k: v.to_dict() for k, v in sorted(self.problems.items())},
        }


@dataclass
class InputReport:
    """The account of every input row of one aggregation run.

    Attributes
    ----------
    records, subscribers, cells : TableReport
        Per-table counts and problems.
    records_outside_window : int
        Valid records whose time of day lies outside the window (not a problem, just not used).
    records_used : int
        Records that entered the aggregation.
    hash_collisions : int
        Distinct subscribers that share a 63-bit pseudonym with another one (expected 0; with
        n subscribers the chance of any is about n^2 / 2^64).
    """

    records: TableReport
    subscribers: TableReport
    cells: TableReport
    records_outside_window: int = 0
    records_used: int = 0
    hash_collisions: int = 0

    @property
    def records_rejected(self) -> int:
        return self.records.rows_rejected

    @property
    def ok(self) -> bool:
        """True when no table had a problem (duplicates kept once do not count)."""
        return all(t.rows_rejected == 0 for t in (self.records, self.subscribers, self.cells))

    def check_accounting(self) -> None:
        """Raise AssertionError unless every record is accounted for exactly once."""
        total = self.records_used + self.records_outside_window + self.records_rejected
        if total != self.records.rows_read:
            raise AssertionError(
                f"records read {self.records.rows_read} != used {self.records_used} + outside "
                f"window {self.records_outside_window} + rejected {self.records_rejected}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records.to_dict(),
            "subscribers": self.subscribers.to_dict(),
            "cells": self.cells.to_dict(),
            "records_outside_window": self.records_outside_window,
            "records_used": self.records_used,
            "hash_collisions": self.hash_collisions,
            "problem_meanings": {"records": RECORD_PROBLEMS, "tables": TABLE_PROBLEMS},
        }

    def summary(self) -> str:
        """A few human-readable lines for the command line."""
        lines = [
            f"records read {self.records.rows_read:,}: used {self.records_used:,}, outside the "
            f"window {self.records_outside_window:,}, rejected {self.records_rejected:,}"
        ]
        for table in (self.records, self.subscribers, self.cells):
            for kind, p in sorted(table.problems.items()):
                ex = "; ".join(_short(e) for e in p.examples[:3])
                lines.append(
                    f"  {table.name}: {kind}: {p.count:,}" + (f"  e.g. {ex}" if ex else "")
                )
        if self.hash_collisions:
            lines.append(f"  subscribers: pseudonym collisions: {self.hash_collisions}")
        return "\n".join(lines)


def _short(example: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in example.items()) + "}"
