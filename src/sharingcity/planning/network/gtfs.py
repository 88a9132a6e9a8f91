"""GTFS export of a designed network: agency, stops, routes, trips, stop_times, calendar.

Trips leave both terminals every headway from the start to the end of the operating hours;
times after midnight of the service day are written past 24:00:00, as GTFS requires for
night services. Coordinates come from ``network.coords`` read as (longitude, latitude), or from
``stop_lat_lon``.

Reference: GTFS Schedule reference, https://gtfs.org/schedule/reference/
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Sequence

import numpy as np

from .errors import NetworkError
from .instance import TransitNetwork
from .nightbus import NightBusPlan, Service, parse_clock


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (shape_dist_traveled is in km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _clock(minutes: float) -> str:
    seconds = int(round(minutes * 60))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def export_gtfs(
    network: TransitNetwork,
    plan: NightBusPlan | Sequence[Service],
    *,
    start: str | None = None,
    end: str | None = None,
    agency_name: str = "Sharing City night bus",
    agency_url: str = "https://example.org/night-bus",
    timezone: str = "Asia/Seoul",
    start_date: str = "20250101",
    end_date: str = "20251231",
    stop_lat_lon: np.ndarray | None = None,
    route_names: Sequence[str] | None = None,
) -> bytes:
    """Write the plan as a zipped GTFS feed and return its bytes.

    Parameters
    ----------
    plan : NightBusPlan or list of Service
        What runs; a plan carries its operating hours, a list of services needs ``start`` and
        ``end``.
    stop_lat_lon : (n, 2) array, optional
        Latitude and longitude of every stop when ``network.coords`` are not geographic.
    route_names : list of str, optional
        Short names of the routes (default ``N1``, ``N2``, ...).
    """
    if isinstance(plan, NightBusPlan):
        services = list(plan.services)
        start = start or plan.settings.start
        end = end or plan.settings.end
    else:
        services = list(plan)
    if not services:
        raise NetworkError("the plan has no services to export")
    if start is None or end is None:
        raise NetworkError("give start and end (HH:MM) for a list of services")
    t_start = parse_clock(start)
    span = (parse_clock(end) - t_start) % (24 * 60)
    if span == 0:
        raise NetworkError("operating hours are empty (start equals end)")
    for date in (start_date, end_date):
        if len(date) != 8 or not date.isdigit():
            raise NetworkError(f"dates must be YYYYMMDD, got {date!r}")
    if end_date < start_date:
        raise NetworkError("end_date is before start_date")
    n = network.n_stops
    if stop_lat_lon is None:
        if network.coords is None:
            raise NetworkError("the network has no coordinates: give stop_lat_lon")
        lat, lon = network.coords[:, 1], network.coords[:, 0]
    else:
        ll = np.asarray(stop_lat_lon, dtype=float)
        if ll.shape != (n, 2):
            raise NetworkError(f"stop_lat_lon must have shape ({n}, 2), got {ll.shape}")
        lat, lon = ll[:, 0], ll[:, 1]
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any() or not np.isfinite(lat).all():
        raise NetworkError("stop coordinates are not latitude/longitude: give stop_lat_lon")
    if route_names is not None and len(route_names) != len(services):
        raise NetworkError(f"{len(route_names)} route names for {len(services)} services")

    used = sorted({s for sv in services for s in sv.route})
    stops = [(f"S{s}", network.label(s), f"{lat[s]:.6f}", f"{lon[s]:.6f}") for s in used]
    routes, trips, stop_times, shapes = [], [], [], []
    for k, sv in enumerate(services):
        if not (sv.headway > 0 and math.isfinite(sv.headway)):
            raise NetworkError(f"service {k + 1} has headway {sv.headway}")
        route_id = f"R{k + 1}"
        name = route_names[k] if route_names is not None else f"N{k + 1}"
        first, last = network.label(sv.route[0]), network.label(sv.route[-1])
        routes.append((route_id, "A", name, f"{first} - {last}", 3))
        times = network.travel_times[np.asarray(sv.route[:-1]), np.asarray(sv.route[1:])]
        if not np.isfinite(times).all():
            raise NetworkError(f"service {k + 1}: consecutive stops are not linked")
        for direction, seq in ((0, list(sv.route)), (1, list(sv.route)[::-1])):
            legs = times if direction == 0 else times[::-1]
            offsets = np.concatenate(([0.0], np.cumsum(legs)))
            shape_id = f"{route_id}_{direction}"
            km = np.concatenate(
                (
                    [0.0],
                    np.cumsum(
                        [
                            _km(lat[a], lon[a], lat[b], lon[b])
                            for a, b in zip(seq[:-1], seq[1:], strict=True)
                        ]
                    ),
                )
            )
            for pos, stop in enumerate(seq):
                shapes.append(
                    (shape_id, f"{lat[stop]:.6f}", f"{lon[stop]:.6f}", pos + 1, f"{km[pos]:.3f}")
                )
            dep = 0.0
            m = 0
            while dep <= span + 1e-9:
                trip_id = f"{route_id}_{direction}_{m + 1}"
                trips.append(
                    (
                        route_id,
                        "NIGHT",
                        trip_id,
                        f"to {network.label(seq[-1])}",
                        direction,
                        shape_id,
                    )
                )
                for pos, (stop, off) in enumerate(zip(seq, offsets, strict=True)):
                    t = _clock(t_start + dep + off)
                    stop_times.append((trip_id, t, t, f"S{stop}", pos + 1, f"{km[pos]:.3f}"))
                m += 1
                dep += sv.headway
    files = {
        "agency.txt": _table(
            ["agency_id", "agency_name", "agency_url", "agency_timezone"],
            [("A", agency_name, agency_url, timezone)],
        ),
        "stops.txt": _table(["stop_id", "stop_name", "stop_lat", "stop_lon"], stops),
        "routes.txt": _table(
            ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"], routes
        ),
        "trips.txt": _table(
            ["route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id"],
            trips,
        ),
        "stop_times.txt": _table(
            [
                "trip_id",
                "arrival_time",
                "departure_time",
                "stop_id",
                "stop_sequence",
                "shape_dist_traveled",
            ],
            stop_times,
        ),
        "shapes.txt": _table(
            [
                "shape_id",
                "shape_pt_lat",
                "shape_pt_lon",
                "shape_pt_sequence",
                "shape_dist_traveled",
            ],
            shapes,
        ),
        "calendar.txt": _table(
            [
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "start_date",
                "end_date",
            ],
            [("NIGHT", 1, 1, 1, 1, 1, 1, 1, start_date, end_date)],
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()
