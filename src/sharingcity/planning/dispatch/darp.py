"""The static dial-a-ride problem (DARP) of Cordeau (2006): instances, files and solutions.

A :class:`DarpInstance` holds ``n`` requests served by ``K`` identical vehicles from one depot.
Node ``0`` is the origin depot, nodes ``1..n`` the pickups, ``n+1..2n`` the drop-offs (request
``i`` is the pair ``(i, n+i)``) and ``2n+1`` the destination depot. Travel time equals travel
cost equals the Euclidean distance. A solution must serve every request on one vehicle, pickup
before drop-off, respect time windows on the start of service, vehicle capacity, the maximum ride
time ``L`` (from the end of service at the pickup to the start of service at the drop-off) and the
maximum route duration ``T``. The objective is the total distance driven.

References
----------
.. [1] J.-F. Cordeau (2006), "A branch-and-cut algorithm for the dial-a-ride problem",
   Operations Research 54(3):573-586.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from sharingcity.planning.dispatch.errors import InstanceFormatError

__all__ = ["DarpInstance", "DarpSolution", "read_cordeau", "parse_cordeau"]


@dataclass(frozen=True)
class DarpInstance:
    """A Cordeau-format dial-a-ride instance.

    Attributes
    ----------
    name : str
        Usually the file stem, e.g. ``"a2-16"``.
    n_vehicles, n_requests : int
        ``K`` and ``n``.
    max_route_duration : float
        ``T``: end of the route at the depot minus its start.
    capacity : int
        ``Q``: places in each vehicle.
    max_ride_time : float
        ``L``: longest ride of a user.
    x, y, service, load, early, late : tuple
        Per node (``2n + 2`` entries): coordinates, service duration, load change and time window.
    """

    name: str
    n_vehicles: int
    n_requests: int
    max_route_duration: float
    capacity: int
    max_ride_time: float
    x: tuple[float, ...]
    y: tuple[float, ...]
    service: tuple[float, ...]
    load: tuple[int, ...]
    early: tuple[float, ...]
    late: tuple[float, ...]
    travel: list[list[float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes = 2 * self.n_requests + 2
        for attr in ("x", "y", "service", "load", "early", "late"):
            if len(getattr(self, attr)) != nodes:
                raise ValueError(f"{attr} has {len(getattr(self, attr))} entries, expected {nodes}")
        xs, ys = self.x, self.y
        travel = [
            [math.hypot(xs[a] - xs[b], ys[a] - ys[b]) for b in range(nodes)] for a in range(nodes)
        ]
        object.__setattr__(self, "travel", travel)

    @property
    def n_nodes(self) -> int:
        return 2 * self.n_requests + 2

    @property
    def end_depot(self) -> int:
        return 2 * self.n_requests + 1


@dataclass(frozen=True)
class DarpSolution:
    """Routes of a dial-a-ride solution with their schedules.

    Attributes
    ----------
    routes : tuple of tuple of int
        One entry per vehicle: the visited nodes without the depots (an empty tuple for an unused
        vehicle).
    times : tuple of tuple of float
        Start of service at each node of the route, depots included (``len(route) + 2`` entries).
    cost : float
        Total distance driven.
    unserved : tuple of int
        Requests (``1..n``) that the solver could not place; a complete solution has none.
    iterations : int
        Search iterations done.
    seconds : float
        Wall-clock time spent.
    """

    routes: tuple[tuple[int, ...], ...]
    times: tuple[tuple[float, ...], ...]
    cost: float
    unserved: tuple[int, ...] = ()
    iterations: int = 0
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.unserved


def read_cordeau(path: str | Path) -> DarpInstance:
    """Read a Cordeau-format dial-a-ride file.

    The first line is ``K n T Q L``; then ``2n + 2`` lines ``id x y d q e l``, one per node, in
    order (see ``../shared/data/darp/README.md``).

    Raises
    ------
    InstanceFormatError
        With the file name and line number, for an unreadable file, a wrong number of fields, a
        non-number, a node out of order, missing nodes, a load not paired with its drop-off, a
        window that ends before it starts, or a load above the capacity.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceFormatError(path, None, f"cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InstanceFormatError(path, None, "not a text file (UTF-8 decoding failed)") from exc
    return parse_cordeau(text, name=path.stem, source=str(path))


def _number(token: str, source: str, line: int, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InstanceFormatError(source, line, f"{what} {token!r} is not a number") from None
    if not math.isfinite(value):
        raise InstanceFormatError(source, line, f"{what} {token!r} is not finite")
    return value


def _integer(token: str, source: str, line: int, what: str) -> int:
    value = _number(token, source, line, what)
    if value != int(value):
        raise InstanceFormatError(source, line, f"{what} {token!r} is not an integer")
    return int(value)


def parse_cordeau(text: str, *, name: str = "instance", source: str = "<text>") -> DarpInstance:
    """Parse the text of a Cordeau-format file; see :func:`read_cordeau`."""
    lines = [(no, raw.split()) for no, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise InstanceFormatError(source, None, "the file is empty")
    head_no, head = lines[0]
    if len(head) != 5:
        raise InstanceFormatError(
            source, head_no, f"header needs 5 fields 'K n T Q L', found {len(head)}"
        )
    k = _integer(head[0], source, head_no, "vehicle count K")
    n = _integer(head[1], source, head_no, "request count n")
    t_max = _number(head[2], source, head_no, "route duration T")
    q_max = _integer(head[3], source, head_no, "capacity Q")
    l_max = _number(head[4], source, head_no, "ride time L")
    for value, what in ((k, "vehicle count K"), (n, "request count n"), (q_max, "capacity Q")):
        if value <= 0:
            raise InstanceFormatError(source, head_no, f"{what} must be positive, got {value}")
    for fvalue, what in ((t_max, "route duration T"), (l_max, "ride time L")):
        if fvalue <= 0:
            raise InstanceFormatError(source, head_no, f"{what} must be positive, got {fvalue}")
    nodes = 2 * n + 2
    body = lines[1:]
    if len(body) < nodes:
        last = body[-1][0] if body else head_no
        raise InstanceFormatError(
            source, last, f"expected {nodes} node lines for n={n}, found {len(body)}"
        )
    if len(body) > nodes:
        raise InstanceFormatError(
            source, body[nodes][0], f"extra line after the {nodes} node lines"
        )
    cols: list[list[float]] = [[] for _ in range(6)]
    for expected, (no, fields) in enumerate(body):
        if len(fields) != 7:
            raise InstanceFormatError(
                source, no, f"node line needs 7 fields 'id x y d q e l', found {len(fields)}"
            )
        node_id = _integer(fields[0], source, no, "node id")
        if node_id != expected:
            raise InstanceFormatError(
                source, no, f"node id {node_id} out of order, expected {expected}"
            )
        values: list[float] = [
            _number(fields[1], source, no, "x"),
            _number(fields[2], source, no, "y"),
            _number(fields[3], source, no, "service duration"),
            _integer(fields[4], source, no, "load"),
            _number(fields[5], source, no, "window start"),
            _number(fields[6], source, no, "window end"),
        ]
        if values[2] < 0:
            raise InstanceFormatError(source, no, f"negative service duration {values[2]}")
        if values[4] > values[5]:
            raise InstanceFormatError(
                source, no, f"time window [{values[4]}, {values[5]}] ends before it starts"
            )
        for col, cell in zip(cols, values, strict=True):
            col.append(cell)
    load = [int(v) for v in cols[3]]
    for depot in (0, nodes - 1):
        if load[depot] != 0:
            raise InstanceFormatError(
                source, body[depot][0], f"depot node {depot} has load {load[depot]}, expected 0"
            )
    for i in range(1, n + 1):
        if not 0 < load[i] <= q_max:
            raise InstanceFormatError(
                source, body[i][0], f"pickup {i} has load {load[i]}, expected 1..Q={q_max}"
            )
        if load[n + i] != -load[i]:
            raise InstanceFormatError(
                source,
                body[n + i][0],
                f"drop-off {n + i} has load {load[n + i]}, expected {-load[i]} (pickup {i})",
            )
    return DarpInstance(
        name=name,
        n_vehicles=k,
        n_requests=n,
        max_route_duration=t_max,
        capacity=q_max,
        max_ride_time=l_max,
        x=tuple(cols[0]),
        y=tuple(cols[1]),
        service=tuple(cols[2]),
        load=tuple(load),
        early=tuple(cols[4]),
        late=tuple(cols[5]),
    )
