"""Errors of the panel-selection library: all are ``ValueError`` subclasses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .feasibility import InfeasibilityReport


class SortitionError(ValueError):
    """Base class: something about a panel selection is wrong or impossible."""


class SortitionInputError(SortitionError):
    """Bad input: a file, a column, a value or an argument.

    ``path`` and ``line`` (1-based, the header is line 1) say where, when the input came from a file.
    """

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}, line {line}"
        elif line is not None:
            where = f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class InfeasibleQuotasError(SortitionError):
    """No panel of the requested size can meet every quota.

    ``report`` says which quotas conflict and the smallest relaxation that makes a panel possible.
    """

    def __init__(self, report: InfeasibilityReport) -> None:
        self.report = report
        super().__init__(report.explanation())
