from __future__ import annotations

import io
import itertools
import math
import zipfile

import gtfs_kit
import numpy as np
import pytest

from sharingcity.planning.network import NetworkError, TransitNetwork
from sharingcity.planning.network.demo import demo_city_network
from sharingcity.planning.network.gtfs import export_gtfs
from sharingcity.planning.network.nightbus import (
    NightBusSettings,
    Service,
    candidate_routes,
    coverage_curve,
    plan_night_buses,
    served_trips,
)
from sharingcity.planning.network.plots import coverage_chart, route_map

CANDIDATES = [[0, 1, 2, 5, 8], [6, 7, 8], [0, 3, 6, 7], [2, 1, 4, 7], [3, 4, 5]]


def _settings(**kw):
    base = dict(
        fleet=6,
        headways=(10.0, 30.0),
        max_journey_minutes=16.0,
        max_transfers=1,
        layover_minutes=2.0,
        max_stops=9,
    )
    base.update(kw)
    return NightBusSettings(**base)


def test_served_trips_by_hand(grid):
    s = _settings()
    served, minutes, mask = served_trips(grid, [([0, 1, 2], 10.0), ([2, 5, 8], 30.0)], s)
    # 0 -> 2: wait 5 + 4 min ride = 9 ; 0 -> 8: 5 + 4 + transfer 5 + wait 15 + 4 = 33 > 16
    assert minutes[0, 2] == 9 and minutes[0, 8] == 33 and minutes[0, 4] == math.inf
    assert mask[0, 2] and not mask[0, 8]
    # served: pairs within the top row (6 ordered) and within the right column by 15 + 2 or 4:
    # 2-5 (17 > 16: no), so only the top row
    assert served == 6
    # with two transfers allowed and a long limit everything on the two routes connects
    s2 = _settings(max_transfers=2, max_journey_minutes=100)
    assert served_trips(grid, [([0, 1, 2], 10.0), ([2, 5, 8], 30.0)], s2)[0] == 5 * 4


def _brute_force(net, settings):
    best = 0.0
    cycle = [
        2 * (net.travel_times[np.array(r[:-1]), np.array(r[1:])].sum() + settings.layover_minutes)
        for r in CANDIDATES
    ]
    for choice in itertools.product([None, *settings.headways], repeat=len(CANDIDATES)):
        chosen = [(r, h) for r, h in zip(CANDIDATES, choice, strict=True) if h is not None]
        buses = sum(math.ceil(c / h) for c, h in zip(cycle, choice, strict=True) if h is not None)
        if not chosen or buses > settings.fleet:
            continue
        if settings.max_routes is not None and len(chosen) > settings.max_routes:
            continue
        best = max(best, served_trips(net, chosen, settings)[0])
    return best


@pytest.mark.parametrize("fleet", [2, 4, 6, 9])
@pytest.mark.parametrize("transfers", [0, 1, 2])
def test_plan_is_optimal_on_a_small_case_and_under_the_bound(grid, fleet, transfers):
    s = _settings(fleet=fleet, max_transfers=transfers)
    plan = plan_night_buses(grid, s, candidates=CANDIDATES, time_limit=5)
    best = _brute_force(grid, s)
    assert plan.buses <= fleet
    assert plan.served_trips == pytest.approx(best)
    assert plan.served_trips <= plan.bound_trips + 1e-6
    # the plan's reported numbers agree with an independent evaluation
    again = (
        served_trips(grid, [(sv.route, sv.headway) for sv in plan.services], s)[0]
        if plan.services
        else 0.0
    )
    assert again == plan.served_trips


def test_max_routes_is_kept(grid):
    plan = plan_night_buses(
        grid, _settings(fleet=20, max_routes=2), candidates=CANDIDATES, time_limit=5
    )
    assert len(plan.services) <= 2


def test_demo_city_curve_is_bounded_and_grows(tmp_path):
    net = demo_city_network()
    assert net.n_stops == 25 and net.stop_names[0] == "Jongno-gu"
    s = NightBusSettings(fleet=0, max_routes=5, min_stops=3, max_stops=8)
    cands = candidate_routes(net, min_stops=3, max_stops=8, n_candidates=12)
    assert all(3 <= len(r) <= 8 for r in cands) and len(cands) == 12
    points = coverage_curve(net, s, [4, 16], candidates=cands, time_limit_per_point=1)
    shares = [p.served_share for p in points]
    bounds = [p.bound_share for p in points]
    assert shares == sorted(shares) and bounds == sorted(bounds)
    assert all(0 < p.served_share <= p.bound_share + 1e-9 for p in points)
    assert all(p.buses_used <= p.fleet for p in points)
    png = coverage_chart(points)
    assert png.startswith(b"\x89PNG")
    svg = coverage_chart(points, fmt="svg")
    assert b"<svg" in svg


def test_gtfs_feed_is_valid(tmp_path):
    net = demo_city_network()
    s = NightBusSettings(
        fleet=12, max_routes=4, min_stops=3, max_stops=8, start="23:30", end="04:00"
    )
    plan = plan_night_buses(net, s, n_candidates=8, time_limit=1)
    data = export_gtfs(net, plan)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {
        "agency.txt",
        "stops.txt",
        "routes.txt",
        "trips.txt",
        "stop_times.txt",
        "calendar.txt",
    } <= names
    path = tmp_path / "feed.zip"
    path.write_bytes(data)
    feed = gtfs_kit.read_feed(path, dist_units="km")
    quality = dict(
        zip(feed.assess_quality()["indicator"], feed.assess_quality()["value"], strict=True)
    )
    assert quality["assessment"] in ("good feed", "excellent feed"), quality
    assert len(feed.routes) == len(plan.services)
    st = feed.stop_times.merge(feed.trips, on="trip_id")
    # every trip visits its route's stops in order with non-decreasing times
    for trip_id, g in st.groupby("trip_id"):
        g = g.sort_values("stop_sequence")
        secs = [
            int(h) * 3600 + int(m) * 60 + int(x)
            for h, m, x in (t.split(":") for t in g["departure_time"])
        ]
        assert secs == sorted(secs), trip_id
    # night service runs past midnight: times after 24:00:00
    assert (st["departure_time"] >= "24:00:00").any()
    # referential integrity
    assert set(st["stop_id"]) <= set(feed.stops["stop_id"])
    assert set(feed.trips["route_id"]) == set(feed.routes["route_id"])
    # each direction of each route departs every headway from 23:30 to 04:00
    for k, sv in enumerate(plan.services):
        n_trips = (feed.trips["route_id"] == f"R{k + 1}").sum()
        assert n_trips == 2 * (int(270 // sv.headway) + 1)
    stats = feed.compute_trip_stats()
    assert (stats["duration"] > 0).all()
    png = route_map(net, plan.routes, title="night buses")
    assert png.startswith(b"\x89PNG")


def test_gtfs_bad_input(grid):
    services = [Service([0, 1, 2], 15.0, 2, 4.0)]
    with pytest.raises(NetworkError, match="not latitude/longitude"):
        export_gtfs(grid, services, start="23:00", end="01:00", stop_lat_lon=np.full((9, 2), 500.0))
    with pytest.raises(NetworkError, match="give start and end"):
        export_gtfs(grid, services)
    with pytest.raises(NetworkError, match="no services"):
        export_gtfs(grid, [], start="23:00", end="01:00")
    with pytest.raises(NetworkError, match="YYYYMMDD"):
        export_gtfs(grid, services, start="23:00", end="01:00", start_date="2025-01-01")
    with pytest.raises(NetworkError, match="not HH:MM"):
        export_gtfs(grid, services, start="11pm", end="01:00")
    ll = np.column_stack([37.5 + grid.coords[:, 1] / 100, 127 + grid.coords[:, 0] / 100])
    assert export_gtfs(grid, services, start="23:00", end="01:00", stop_lat_lon=ll)[:2] == b"PK"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(fleet=-1), "fleet"),
        (dict(fleet=2.5), "fleet"),
        (dict(headways=()), "headways"),
        (dict(headways=(0,)), "headways"),
        (dict(start="25:00"), "out of range"),
        (dict(start="01:00", end="01:00"), "empty"),
        (dict(max_transfers=5), "max_transfers"),
        (dict(max_journey_minutes=0), "max_journey_minutes"),
        (dict(wait_factor=-0.5), "wait_factor"),
        (dict(max_routes=0), "max_routes"),
        (dict(min_stops=1), "min_stops"),
    ],
)
def test_bad_settings(kwargs, message):
    with pytest.raises(NetworkError, match=message):
        NightBusSettings(**{"fleet": 5, **kwargs})


def test_bad_candidates_and_plans(grid):
    s = _settings()
    with pytest.raises(NetworkError, match="not linked"):
        plan_night_buses(grid, s, candidates=[[0, 4]])
    with pytest.raises(NetworkError, match="visits a stop twice"):
        plan_night_buses(grid, s, candidates=[[0, 1, 0]])
    with pytest.raises(NetworkError, match="outside 2-3"):
        plan_night_buses(grid, _settings(max_stops=3), candidates=[[0, 1, 2, 5]])
    with pytest.raises(NetworkError, match="not a candidate"):
        plan_night_buses(grid, s, candidates=CANDIDATES, initial=[([0, 1], 10.0)])
    with pytest.raises(NetworkError, match="time_limit"):
        plan_night_buses(grid, s, candidates=CANDIDATES, time_limit=0)
    with pytest.raises(NetworkError, match="one row per district"):
        demo_city_network(np.ones((3, 3)))
    with pytest.raises(NetworkError, match="coordinates"):
        route_map(TransitNetwork(grid.travel_times, grid.demand), [[0, 1]])
    with pytest.raises(NetworkError, match="format"):
        route_map(grid, [[0, 1]], fmt="gif")
