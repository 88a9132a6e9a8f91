"""Errors of the siting package: all are ``ValueError`` subclasses so callers can catch one type."""

from __future__ import annotations


class SitingError(ValueError):
    """Bad input to a siting model (shapes, values, options)."""


class SitingFileError(SitingError):
    """A siting input file cannot be read; names the file and, where there is one, the line."""

    def __init__(self, path: object, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class SitingInfeasibleError(SitingError):
    """The model has no feasible solution (e.g. a zone no candidate site can cover)."""
