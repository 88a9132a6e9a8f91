"""Helpers shared by the benchmarks: where the outside data lives, and how to print a table."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout, or ``$SHARINGCITY_SHARED_DATA``."""
    return Path(os.environ.get("SHARINGCITY_SHARED_DATA", REPO.parent / "shared" / "data"))


def require_shared(name: str) -> Path:
    """Return a shared data folder or exit with a clear message when it is absent."""
    path = shared_data_dir() / name
    if not path.is_dir():
        sys.exit(f"shared data folder {path} is absent: this benchmark needs it")
    return path


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a Markdown table, so results can be pasted into docs/benchmarks.md as they are."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        print(line(r))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    return str(value)
