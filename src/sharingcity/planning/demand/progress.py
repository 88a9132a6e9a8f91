"""A small progress bar on stderr (no dependency): rows done, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Report progress of a long loop on one refreshed stderr line.

    Parameters
    ----------
    total : int
        Units expected (e.g. rows).
    label : str
        What is being done.
    stream : file, optional
        Defaults to ``sys.stderr``.
    every : float
        Seconds between refreshes.
    enabled : bool
        False makes every call a no-op (``--quiet``).
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: TextIO | None = None,
        every: float = 0.5,
        enabled: bool = True,
    ) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self.enabled = enabled
        self.done = 0
        self.start = time.perf_counter()
        self._last = 0.0

    def update(self, n: int) -> None:
        self.done += int(n)
        now = time.perf_counter()
        if self.enabled and (now - self._last >= self.every or self.done >= self.total):
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        frac = min(self.done / self.total, 1.0)
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        bar = "#" * int(frac * 30)
        self.stream.write(
            f"\r{self.label} [{bar:<30}] {frac:6.1%} {self.done:,}/{self.total:,} "
            f"{rate:,.0f}/s, {elapsed:,.0f} s elapsed, ~{left:,.0f} s left   "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.perf_counter())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stage_printer(enabled: bool = True, stream: TextIO | None = None):  # noqa: ANN201
    """A ``progress`` callback for the aggregation: prints each stage with the elapsed time."""
    start = time.perf_counter()
    out = stream or sys.stderr

    def say(message: str) -> None:
        if enabled:
            out.write(f"[{time.perf_counter() - start:7.1f} s] {message}\n")
            out.flush()

    return say
