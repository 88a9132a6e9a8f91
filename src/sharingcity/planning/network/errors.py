"""Errors of the network-design library: every bad input gets a specific, readable reason."""

from __future__ import annotations

from pathlib import Path


class NetworkError(ValueError):
    """Base class for bad input to :mod:`sharingcity.planning.network`."""


class InstanceFormatError(NetworkError):
    """A network or demand file cannot be read; names the file and, where known, the line."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}" + (f", line {line}" if line is not None else "") + ": "
        super().__init__(where + message)


class RouteSetFormatError(NetworkError):
    """A route-set string such as ``0-1-2*3-4*`` cannot be parsed."""


class InfeasibleRouteSetError(NetworkError):
    """A route set breaks the UTRP rules; ``reasons`` lists every rule it breaks."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("infeasible route set: " + "; ".join(self.reasons))
