"""Where the inputs are and what they must look like: files, columns, the time window."""

from __future__ import annotations

import csv
import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import DemandInputError, DemandSchemaError

#: Required columns of each input table.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "records": ("subscriber", "timestamp", "cell"),
    "subscribers": ("subscriber", "zone"),
    "cells": ("cell", "zone"),
}

#: Text timestamps must look like this (ISO 8601 local time, no offset); both engines use it.
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"

_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


@dataclass(frozen=True)
class Source:
    """One input table: its files (all of one format) and that format."""

    name: str
    files: tuple[str, ...]
    format: str  # "parquet" or "csv"

    def csv_header(self, index: int = 0) -> list[str]:
        """Column names from the header line of one CSV file."""
        with open(self.files[index], newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh), [])


def resolve_source(
    name: str, location: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
) -> Source:
    """Turn a file, a folder (its ``*.parquet`` or else ``*.csv`` files) or a glob into a Source.

    Raises
    ------
    DemandInputError
        When nothing matches, or the files mix formats or have an unknown suffix.
    """
    if isinstance(location, list | tuple):  # several locations
        files: list[str] = []
        for item in location:
            files.extend(resolve_source(name, item).files)
    else:
        loc = str(location)
        path = Path(loc)
        if path.is_dir():
            files = sorted(str(p) for p in path.glob("*.parquet")) or sorted(
                str(p) for p in path.glob("*.csv")
            )
            if not files:
                raise DemandInputError(f"{name}: folder {loc} holds no *.parquet or *.csv file")
        elif path.is_file():
            files = [loc]
        elif any(ch in loc for ch in "*?["):
            files = sorted(glob.glob(loc))
            if not files:
                raise DemandInputError(f"{name}: no file matches {loc}")
        else:
            raise DemandInputError(f"{name}: {loc} does not exist")
    formats = set()
    for f in files:
        suffix = Path(f).suffix.lower()
        if suffix not in _SUFFIXES:
            raise DemandInputError(f"{name}: {f} is neither .parquet nor .csv")
        formats.add(_SUFFIXES[suffix])
    if len(formats) != 1:
        raise DemandInputError(f"{name}: files mix Parquet and CSV: {files[:4]}")
    return Source(name=name, files=tuple(files), format=formats.pop())


def check_columns(source: Source, columns: dict[str, str], file: str | None = None) -> None:
    """Raise DemandSchemaError unless the table has its required columns.

    ``columns`` maps column name to a type family: "integer", "text", "timestamp",
    "timestamptz", "other".
    """
    where = file or (source.files[0] if len(source.files) == 1 else f"{len(source.files)} files")
    missing = [c for c in REQUIRED_COLUMNS[source.name] if c not in columns]
    if missing:
        raise DemandSchemaError(
            f"{source.name} ({where}): missing column(s) {missing}; found {sorted(columns)}; "
            f"expected {list(REQUIRED_COLUMNS[source.name])}"
        )
    for col in REQUIRED_COLUMNS[source.name]:
        fam = columns[col]
        if col == "timestamp":
            if fam not in ("timestamp", "timestamptz", "text"):
                raise DemandSchemaError(
                    f"{source.name} ({where}): column 'timestamp' has type {fam}; expected a "
                    "timestamp or ISO 8601 text ('YYYY-MM-DD HH:MM:SS')"
                )
        elif fam not in ("integer", "text"):
            raise DemandSchemaError(
                f"{source.name} ({where}): column '{col}' has type {fam}; expected integer or text"
            )


@dataclass(frozen=True)
class Window:
    """A daily time window [start, end) in seconds after midnight; may run across midnight."""

    start: int
    end: int
    text: tuple[str, str]

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def hours(self) -> list[int]:
        """Hours of day the window touches, in the night's order (e.g. 22, 23, 0, ... 4)."""
        out = []
        s = self.start
        e = self.end if not self.crosses_midnight else self.end + 86400
        h = s // 3600
        while h * 3600 < e:
            out.append(h % 24)
            h += 1
        return out

    def contains(self, second_of_day: int) -> bool:
        if self.crosses_midnight:
            return second_of_day >= self.start or second_of_day < self.end
        return self.start <= second_of_day < self.end


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_window(window: tuple[str, str] | list[str]) -> Window:
    """Parse ``("HH:MM", "HH:MM")``; ``"24:00"`` is allowed as an end; equal ends are refused."""
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise DemandInputError(f"window must be a pair ('HH:MM', 'HH:MM'), got {window!r}")
    secs = []
    for text in window:
        m = _TIME.match(str(text).strip())
        if not m:
            raise DemandInputError(f"window time {text!r} is not HH:MM")
        h, mi = int(m.group(1)), int(m.group(2))
        if mi > 59 or h > 24 or (h == 24 and mi):
            raise DemandInputError(f"window time {text!r} is not a time of day")
        secs.append(h * 3600 + mi * 60)
    start, end = secs
    if start == 86400:
        raise DemandInputError("window cannot start at 24:00")
    if start == end % 86400 and not (start == 0 and end == 86400):
        raise DemandInputError(f"window {window!r} is empty (start equals end)")
    return Window(start=start, end=end, text=(str(window[0]), str(window[1])))
