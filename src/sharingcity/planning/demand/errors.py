"""Errors of the demand package: every bad input gets a specific, named error."""

from __future__ import annotations


class DemandInputError(ValueError):
    """Bad input to the demand job: a file, a column, an argument.

    The message names the file (and line or row where there is one) and what was expected.
    ``report`` carries the :class:`~sharingcity.planning.demand.report.InputReport` gathered so
    far when the error is raised after reading, e.g. when nothing valid remains.
    """

    def __init__(self, message: str, *, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class DemandSchemaError(DemandInputError):
    """A file lacks a required column or has a column of an unusable type."""


class NothingValidError(DemandInputError):
    """Every record was rejected or outside the time window: there is nothing to aggregate."""
