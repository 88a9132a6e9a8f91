"""Reader for a generic travel matrix in CSV, the platform's upload format for siting.

Layout::

    zone,demand,Site A,Site B,...
    Jongno-1,1520,4.5,12.0,...
    Jongno-2,980,,7.5,...

The first two header cells name the zone and demand columns (any text); the rest name the
candidate sites. Each row gives a zone's name, its demand and its travel time or distance to
every site; an empty cell or ``inf`` means the site cannot be reached from that zone.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import SitingFileError


@dataclass(frozen=True)
class TravelMatrix:
    """Zones, their demand, candidate sites and the zones x sites travel matrix."""

    zones: tuple[str, ...]
    sites: tuple[str, ...]
    demand: np.ndarray
    travel: np.ndarray


def _number(path: Path, line: int, text: str, what: str, *, allow_missing: bool) -> float:
    s = text.strip()
    if s == "" or s.lower() in ("inf", "infinity"):
        if allow_missing:
            return math.inf
        problem = "is missing" if s == "" else "is infinite"
        raise SitingFileError(path, f"{what} {problem}", line=line)
    try:
        value = float(s)
    except ValueError:
        raise SitingFileError(path, f"{what} {s!r} is not a number", line=line) from None
    if math.isnan(value):
        raise SitingFileError(path, f"{what} is NaN", line=line)
    if value < 0:
        raise SitingFileError(path, f"{what} is negative ({value:g})", line=line)
    return value


def read_travel_csv(path: str | Path) -> TravelMatrix:
    """Read a travel matrix CSV (see module docstring).

    Raises
    ------
    SitingFileError
        Missing or empty file, fewer than three header cells, duplicate zone or site names, rows
        of the wrong length, non-numeric, NaN or negative values, infinite demand — each with the
        file name and line number.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise SitingFileError(path, "no such file") from None
    except OSError as exc:
        raise SitingFileError(path, f"cannot read: {exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise SitingFileError(path, "empty file; expected a header 'zone,demand,site...'")
            if len(header) < 3:
                raise SitingFileError(
                    path,
                    "header needs a zone column, a demand column and at least one site",
                    line=1,
                )
            sites = tuple(h.strip() for h in header[2:])
            dup = {s for s in sites if sites.count(s) > 1}
            if dup:
                raise SitingFileError(path, f"duplicate site names: {sorted(dup)}", line=1)
            zones: list[str] = []
            demand: list[float] = []
            rows: list[list[float]] = []
            seen: dict[str, int] = {}
            for record in reader:
                line = reader.line_num
                if not record or all(c.strip() == "" for c in record):
                    continue
                if len(record) != len(header):
                    raise SitingFileError(
                        path,
                        f"row has {len(record)} cells, the header has {len(header)}",
                        line=line,
                    )
                name = record[0].strip()
                if not name:
                    raise SitingFileError(path, "zone name is empty", line=line)
                if name in seen:
                    raise SitingFileError(
                        path, f"zone {name!r} already given on line {seen[name]}", line=line
                    )
                seen[name] = line
                w = _number(path, line, record[1], f"demand of zone {name!r}", allow_missing=False)
                if math.isinf(w):  # "1e999" parses as inf without the word
                    raise SitingFileError(path, f"demand of zone {name!r} is infinite", line=line)
                row = [
                    _number(path, line, c, f"travel from {name!r} to {s!r}", allow_missing=True)
                    for c, s in zip(record[2:], sites, strict=True)
                ]
                zones.append(name)
                demand.append(w)
                rows.append(row)
        except csv.Error as exc:
            raise SitingFileError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
        except UnicodeDecodeError as exc:
            raise SitingFileError(path, f"not UTF-8 text: {exc}") from None
    if not zones:
        raise SitingFileError(path, "no zone rows after the header")
    return TravelMatrix(
        zones=tuple(zones),
        sites=sites,
        demand=np.asarray(demand, dtype=np.float64),
        travel=np.asarray(rows, dtype=np.float64),
    )
