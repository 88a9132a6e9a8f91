"""Errors of the dispatch package: every bad input raises a subclass of :class:`DispatchError`."""

from __future__ import annotations

from pathlib import Path


class DispatchError(ValueError):
    """Bad input to the dispatch package (a file, a command-line argument or a function argument)."""


class InstanceFormatError(DispatchError):
    """A dial-a-ride instance file that cannot be read, with the file name and line number."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")
