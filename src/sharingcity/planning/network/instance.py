"""Transit networks and route sets as plain data, and their file formats.

A :class:`TransitNetwork` is the street graph (link travel times in minutes, ``inf`` where two
stops are not linked) with an origin-destination demand matrix and optional plotting
coordinates. Readers cover the Mandl/Mumford benchmark files (``<Name>Coords.txt``,
``<Name>TravelTimes.txt``, ``<Name>Demand.txt``, as in C. Mumford's ``CEC2013Supp.zip``), a
graph CSV with an optional demand CSV, and the route-set notation of the published
``Results_data.csv`` files (``0-1-2*3-4*``: stops joined by ``-``, each route closed by ``*``).

References
----------
C. L. Mumford, "New heuristic and evolutionary operators for the multi-objective urban transit
routing problem", IEEE CEC 2013, pp. 939-946.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InstanceFormatError, NetworkError, RouteSetFormatError

Route = list[int]
RouteSet = list[list[int]]


@dataclass(frozen=True, eq=False)
class TransitNetwork:
    """A street graph with demand, the input of route design.

    Parameters
    ----------
    travel_times : (n, n) array
        In-vehicle minutes on each street link; ``inf`` where there is no link, 0 on the
        diagonal. Must be symmetric, because routes run both ways.
    demand : (n, n) array
        Trips from stop ``i`` to stop ``j`` per unit time; non-negative, zero diagonal. It may be
        asymmetric (night calls are directional).
    coords : (n, 2) array, optional
        Plotting coordinates (plane units, or longitude/latitude).
    name : str
        A label for reports.
    stop_names : tuple of str, optional
        Labels of the stops, e.g. the ids used in a graph CSV.
    """

    travel_times: np.ndarray
    demand: np.ndarray
    coords: np.ndarray | None = None
    name: str = ""
    stop_names: tuple[str, ...] | None = None
    _edges: tuple[tuple[int, int], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        t = np.asarray(self.travel_times, dtype=float)
        d = np.asarray(self.demand, dtype=float)
        if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] < 2:
            raise NetworkError(f"travel_times must be a square matrix of 2+ stops, got {t.shape}")
        n = t.shape[0]
        if d.shape != (n, n):
            raise NetworkError(f"demand has shape {d.shape}, travel_times {t.shape}")
        if np.isnan(t).any() or (t < 0).any():
            raise NetworkError("travel_times has NaN or negative entries")
        off = ~np.eye(n, dtype=bool)
        if (t[off] == 0).any():
            raise NetworkError("travel_times has a zero-minute link between distinct stops")
        if (np.diag(t) != 0).any():
            raise NetworkError("travel_times must have a zero diagonal")
        if not np.array_equal(t, t.T):
            i, j = np.argwhere(t != t.T)[0]
            raise NetworkError(
                f"travel_times is not symmetric (stop {i}->{j}: {t[i, j]}, {j}->{i}: {t[j, i]}); "
                "routes run both ways, so links must have one time"
            )
        if not np.isfinite(d).all() or (d < 0).any():
            raise NetworkError("demand must be finite and non-negative")
        if (np.diag(d) != 0).any():
            raise NetworkError("demand must have a zero diagonal")
        if d.sum() <= 0:
            raise NetworkError("demand is all zero")
        if self.coords is not None:
            c = np.asarray(self.coords, dtype=float)
            if c.shape != (n, 2):
                raise NetworkError(f"coords must have shape ({n}, 2), got {c.shape}")
            object.__setattr__(self, "coords", c)
        if self.stop_names is not None and len(self.stop_names) != n:
            raise NetworkError(f"{len(self.stop_names)} stop names for {n} stops")
        t.setflags(write=False)
        d.setflags(write=False)
        object.__setattr__(self, "travel_times", t)
        object.__setattr__(self, "demand", d)
        iu = np.argwhere(np.triu(np.isfinite(t) & off))
        object.__setattr__(self, "_edges", tuple((int(a), int(b)) for a, b in iu))

    @property
    def n_stops(self) -> int:
        return int(self.travel_times.shape[0])

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """Undirected street links ``(i, j)`` with ``i < j``."""
        return self._edges

    def neighbours(self) -> list[list[int]]:
        """Adjacency lists of the street graph."""
        adj: list[list[int]] = [[] for _ in range(self.n_stops)]
        for a, b in self._edges:
            adj[a].append(b)
            adj[b].append(a)
        return adj

    def label(self, stop: int) -> str:
        return self.stop_names[stop] if self.stop_names is not None else str(stop)


# ---------------------------------------------------------------------------------------------
# Mandl / Mumford files


def _numeric_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-empty lines of a whitespace-separated file as ``(line number, tokens)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceFormatError("file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise InstanceFormatError(f"not a text file ({exc.reason})", path=path) from None
    return [(k, line.split()) for k, line in enumerate(text.splitlines(), 1) if line.strip()]


def _number(token: str, path: Path, line: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InstanceFormatError(f"{token!r} is not a number", path=path, line=line) from None
    if math.isnan(value):
        raise InstanceFormatError("NaN is not allowed", path=path, line=line)
    return value


def _read_matrix(path: Path, n: int | None) -> np.ndarray:
    rows = _numeric_rows(path)
    if not rows:
        raise InstanceFormatError("file is empty", path=path)
    size = len(rows[0][1]) if n is None else n
    if len(rows) != size:
        raise InstanceFormatError(
            f"expected {size} matrix rows, found {len(rows)}", path=path, line=rows[-1][0]
        )
    out = np.empty((size, size))
    for r, (line, tokens) in enumerate(rows):
        if len(tokens) != size:
            raise InstanceFormatError(
                f"row has {len(tokens)} values, expected {size}", path=path, line=line
            )
        out[r] = [_number(tok, path, line) for tok in tokens]
    return out


def _read_coords(path: Path) -> np.ndarray:
    rows = _numeric_rows(path)
    if not rows:
        raise InstanceFormatError("file is empty", path=path)
    line, head = rows[0]
    if len(head) != 1 or not head[0].isdigit():
        raise InstanceFormatError("first line must be the number of stops", path=path, line=line)
    n = int(head[0])
    if len(rows) - 1 != n:
        raise InstanceFormatError(
            f"header says {n} stops, found {len(rows) - 1} coordinate lines", path=path
        )
    out = np.empty((n, 2))
    for r, (line, tokens) in enumerate(rows[1:]):
        if len(tokens) != 2:
            raise InstanceFormatError("expected 'x y'", path=path, line=line)
        out[r] = [_number(tok, path, line) for tok in tokens]
        if not np.isfinite(out[r]).all():
            raise InstanceFormatError("coordinates must be finite", path=path, line=line)
    return out


def read_mumford_instance(folder: str | Path, name: str) -> TransitNetwork:
    """Read a Mandl/Mumford benchmark instance ``<folder>/<name>{Coords,TravelTimes,Demand}.txt``.

    The three files share a 0-based numbering in row order; values are whitespace-separated
    (blank lines and CRLF endings are accepted, as in the Mandl files); ``Inf`` marks stops that
    are not linked.

    Raises
    ------
    InstanceFormatError
        With the file and line of the first problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InstanceFormatError("instance folder not found", path=folder)
    coords_path = folder / f"{name}Coords.txt"
    times_path = folder / f"{name}TravelTimes.txt"
    demand_path = folder / f"{name}Demand.txt"
    coords = _read_coords(coords_path)
    n = coords.shape[0]
    if n < 2:
        raise InstanceFormatError("an instance needs at least 2 stops", path=coords_path)
    times = _read_matrix(times_path, n)
    demand = _read_matrix(demand_path, n)
    _check_times(times, times_path)
    _check_demand(demand, demand_path)
    return TransitNetwork(times, demand, coords, name=name)


def _check_times(times: np.ndarray, path: Path) -> None:
    n = times.shape[0]
    rows = {r: line for r, (line, _) in enumerate(_numeric_rows(path))}
    for i in range(n):
        if times[i, i] != 0:
            raise InstanceFormatError(
                f"diagonal entry ({i}, {i}) must be 0", path=path, line=rows[i]
            )
        for j in range(n):
            t = times[i, j]
            if i != j and (t <= 0):
                raise InstanceFormatError(
                    f"link time ({i}, {j}) must be positive or Inf, got {t:g}",
                    path=path,
                    line=rows[i],
                )
            if t != times[j, i]:
                raise InstanceFormatError(
                    f"matrix is not symmetric: ({i}, {j}) = {t:g} but ({j}, {i}) = {times[j, i]:g}",
                    path=path,
                    line=rows[i],
                )


def _check_demand(demand: np.ndarray, path: Path) -> None:
    rows = {r: line for r, (line, _) in enumerate(_numeric_rows(path))}
    bad = np.argwhere(~np.isfinite(demand) | (demand < 0))
    if len(bad):
        i, j = bad[0]
        raise InstanceFormatError(
            f"demand ({i}, {j}) must be finite and non-negative, got {demand[i, j]:g}",
            path=path,
            line=rows[int(i)],
        )
    diag = np.flatnonzero(np.diag(demand))
    if len(diag):
        i = int(diag[0])
        raise InstanceFormatError(f"diagonal demand ({i}, {i}) must be 0", path=path, line=rows[i])
    if demand.sum() <= 0:
        raise InstanceFormatError("demand is all zero", path=path)


# ---------------------------------------------------------------------------------------------
# Graph CSV

_TIME_COLUMNS = ("minutes", "time", "travel_time")


def read_graph_csv(
    path: str | Path,
    *,
    demand_path: str | Path | None = None,
    name: str | None = None,
) -> TransitNetwork:
    """Read a street graph from CSV, with demand from a second CSV.

    ``path`` has a header with ``from``, ``to`` and a time column (``minutes``, ``time`` or
    ``travel_time``), one undirected link per row; optional ``from_x, from_y`` style coordinates
    are not read (use :class:`TransitNetwork` directly for those). ``demand_path`` has
    ``origin, destination, trips``; pairs not listed have no demand. Stop labels that are all
    integers are numbered in numeric order, others in order of first appearance.

    Raises
    ------
    InstanceFormatError
        For a missing column, an unparseable or non-positive time, a self-loop, a link listed
        twice with different times, a demand row naming an unknown stop, and the like.
    """
    path = Path(path)
    rows = _csv_rows(path, ("from", "to"))
    header = rows[0][1]
    time_col = next((c for c in _TIME_COLUMNS if c in header), None)
    if time_col is None:
        raise InstanceFormatError(
            f"missing a time column (one of {', '.join(_TIME_COLUMNS)})", path=path, line=1
        )
    links: list[tuple[str, str, float, int]] = []
    for line, rec in rows[1:]:
        a, b = rec["from"].strip(), rec["to"].strip()
        if not a or not b:
            raise InstanceFormatError("empty stop id", path=path, line=line)
        if a == b:
            raise InstanceFormatError(f"self-loop at stop {a!r}", path=path, line=line)
        t = _number(rec[time_col].strip(), path, line)
        if not (t > 0 and math.isfinite(t)):
            raise InstanceFormatError(
                f"link time must be positive, got {t:g}", path=path, line=line
            )
        links.append((a, b, t, line))
    if not links:
        raise InstanceFormatError("no links", path=path)
    labels: list[str] = []
    seen: set[str] = set()
    for a, b, _, _ in links:
        for s in (a, b):
            if s not in seen:
                seen.add(s)
                labels.append(s)
    if all(s.lstrip("-").isdigit() for s in labels):
        labels.sort(key=int)
    index = {s: k for k, s in enumerate(labels)}
    n = len(labels)
    times = np.full((n, n), np.inf)
    np.fill_diagonal(times, 0.0)
    for a, b, t, line in links:
        i, j = index[a], index[b]
        if np.isfinite(times[i, j]) and times[i, j] != t:
            raise InstanceFormatError(
                f"link {a}-{b} listed twice with different times ({times[i, j]:g} and {t:g})",
                path=path,
                line=line,
            )
        times[i, j] = times[j, i] = t
    demand = np.zeros((n, n))
    if demand_path is not None:
        dpath = Path(demand_path)
        for line, rec in _csv_rows(dpath, ("origin", "destination", "trips"))[1:]:
            o, d = rec["origin"].strip(), rec["destination"].strip()
            for s in (o, d):
                if s not in index:
                    raise InstanceFormatError(f"unknown stop {s!r}", path=dpath, line=line)
            trips = _number(rec["trips"].strip(), dpath, line)
            if trips < 0 or not math.isfinite(trips):
                raise InstanceFormatError(
                    f"trips must be finite and non-negative, got {trips:g}", path=dpath, line=line
                )
            if o == d:
                if trips:
                    raise InstanceFormatError(
                        f"trips from stop {o!r} to itself", path=dpath, line=line
                    )
                continue
            demand[index[o], index[d]] += trips
        if demand.sum() <= 0:
            raise InstanceFormatError("demand is all zero", path=dpath)
    else:
        # Without demand every pair counts once: ATT becomes the mean journey time.
        demand[:] = 1.0
        np.fill_diagonal(demand, 0.0)
    return TransitNetwork(times, demand, None, name=name or path.stem, stop_names=tuple(labels))


def _csv_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            raw = list(reader)
    except FileNotFoundError:
        raise InstanceFormatError("file not found", path=path) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InstanceFormatError(f"unreadable CSV ({exc})", path=path) from None
    if not raw:
        raise InstanceFormatError("file is empty", path=path)
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InstanceFormatError(f"missing column(s) {', '.join(missing)}", path=path, line=1)
    out: list[tuple[int, dict[str, str]]] = [(1, dict.fromkeys(header, ""))]
    for k, row in enumerate(raw[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InstanceFormatError(
                f"row has {len(row)} fields, header has {len(header)}", path=path, line=k
            )
        out.append((k, dict(zip(header, row, strict=True))))
    return out


# ---------------------------------------------------------------------------------------------
# Route-set notation


def parse_route_set(text: str) -> RouteSet:
    """Parse ``"0-1-2*3-4*"`` into ``[[0, 1, 2], [3, 4]]``.

    Stops are non-negative integers joined by ``-``; each route ends with ``*`` (the last ``*``
    may be omitted). Whitespace is ignored. No feasibility is checked here (see
    :func:`~sharingcity.planning.network.evaluate.check_route_set`).

    Raises
    ------
    RouteSetFormatError
        For an empty text or route, or a stop that is not a non-negative integer.
    """
    compact = "".join(str(text).split())
    if not compact:
        raise RouteSetFormatError("empty route-set string")
    parts = compact.split("*")
    if parts[-1] == "":
        parts.pop()
    routes: RouteSet = []
    for k, part in enumerate(parts, 1):
        if not part:
            raise RouteSetFormatError(f"route {k} is empty (two '*' in a row) in {text!r}")
        route = []
        for tok in part.split("-"):
            if not tok.isdigit():
                raise RouteSetFormatError(
                    f"route {k}: {tok!r} is not a stop number (non-negative integer) in {text!r}"
                )
            route.append(int(tok))
        routes.append(route)
    return routes


def format_route_set(routes: Iterable[Sequence[int]]) -> str:
    """Format routes in the ``Results_data.csv`` notation: ``0-1-2*3-4*``."""
    return "".join("-".join(str(int(s)) for s in r) + "*" for r in routes)


@dataclass(frozen=True)
class PublishedRouteSet:
    """One row of a published ``Results_data.csv`` front."""

    index: int
    att: float
    trt: float
    routes: RouteSet


def read_results_data(path: str | Path) -> list[PublishedRouteSet]:
    """Read a ``Results_data.csv`` front (columns ``index, f_1_ATT, f_2_TRT, Routes``)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            raw = list(csv.reader(fh))
    except FileNotFoundError:
        raise InstanceFormatError("file not found", path=path) from None
    if not raw or [h.strip() for h in raw[0][1:]] != ["f_1_ATT", "f_2_TRT", "Routes"]:
        raise InstanceFormatError("header must be ',f_1_ATT,f_2_TRT,Routes'", path=path, line=1)
    out = []
    for k, row in enumerate(raw[1:], 2):
        if not row:
            continue
        if len(row) != 4:
            raise InstanceFormatError(f"expected 4 fields, got {len(row)}", path=path, line=k)
        try:
            routes = parse_route_set(row[3])
        except RouteSetFormatError as exc:
            raise InstanceFormatError(str(exc), path=path, line=k) from None
        out.append(
            PublishedRouteSet(
                int(row[0]), _number(row[1], path, k), _number(row[2], path, k), routes
            )
        )
    return out
