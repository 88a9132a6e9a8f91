"""Errors of the participatory-budgeting package.

Every error is a :class:`ValueError` subclass, so callers that only care about "bad input" can catch
``ValueError``; callers that render messages (the budgeting app, the command line) can read the file
name and line number from :class:`PabulibFormatError`.
"""

from __future__ import annotations


class PBError(ValueError):
    """Bad input to a participatory-budgeting function (election data, rule options)."""


class PabulibFormatError(PBError):
    """A ``.pb`` file that does not follow the Pabulib format.

    Parameters
    ----------
    message : str
        What is wrong, in words an election officer understands.
    source : str
        The file name (or ``"<string>"`` for text parsed from memory).
    line : int or None
        1-based line number in the file, or None when the problem concerns the whole file
        (e.g. a missing section).
    """

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}: {message}")
