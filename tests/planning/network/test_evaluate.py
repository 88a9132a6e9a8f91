from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharingcity.planning.network import (
    InfeasibleRouteSetError,
    NetworkError,
    RouteSetEvaluator,
    TransitNetwork,
    check_route_set,
    evaluate_route_set,
    parse_route_set,
    read_mumford_instance,
    read_results_data,
)
from sharingcity.planning.network.reference import reference_scores


@pytest.mark.parametrize("name", ["Mandl", "Mumford0", "Mumford1"])
def test_reproduces_every_john2016_route_set(tndp, name):
    net = read_mumford_instance(tndp, name)
    ev = RouteSetEvaluator(net)
    front = read_results_data(tndp / "solutions" / "john2016" / name / "Results_data.csv")
    assert len(front) == {"Mandl": 89, "Mumford0": 106, "Mumford1": 104}[name]
    for row in front:
        got = ev.evaluate(row.routes)
        assert abs(got.att - row.att) < 1e-6, (name, row.index, got.att, row.att)
        assert got.trt == row.trt, (name, row.index)
        assert abs(ev.passenger_cost(row.routes) - got.att) < 1e-12
        assert abs(got.d0 + got.d1 + got.d2 + got.dun - 100) < 1e-9


# Transfer shares recomputed in ../shared/data/tndp/README.md (they need the fewest-transfers
# tie-break: breaking ties the other way moves d0 by up to 5.9 points on Mumford1).
CHECKS = [
    ("Mandl", 0, 10.192036, 96.789, 3.211, 0.0, 0.0, 217),
    ("Mandl", 88, 13.480411, 70.906, 25.498, 2.954, 0.642, 63),
    ("Mumford0", 0, 14.963263, 79.422, 20.578, 0.0, 0.0, 668),
    ("Mumford0", 105, 30.333762, 22.016, 32.564, 23.784, 21.636, 94),
    ("Mumford1", 0, 23.039882, 48.475, 49.713, 1.812, 0.0, 1897),
    ("Mumford1", 103, 47.528806, 17.907, 26.382, 26.491, 29.220, 445),
]


@pytest.mark.parametrize(("name", "row", "att", "d0", "d1", "d2", "dun", "trt"), CHECKS)
def test_transfer_shares_match_the_published_check_values(
    tndp, name, row, att, d0, d1, d2, dun, trt
):
    net = read_mumford_instance(tndp, name)
    front = read_results_data(tndp / "solutions" / "john2016" / name / "Results_data.csv")
    got = evaluate_route_set(net, front[row].routes)
    assert got.att == pytest.approx(att, abs=1e-6)
    for value, want in zip((got.d0, got.d1, got.d2, got.dun), (d0, d1, d2, dun), strict=True):
        assert value == pytest.approx(want, abs=1e-3)
    assert got.trt == trt


def test_literature_set_from_arbex_file(tndp, mandl):
    text = (
        tndp / "solutions/arbex_literature_mandl/literature_solutions_for_mandl1_20181025.txt"
    ).read_text()
    blocks = [b.strip().splitlines() for b in text.strip().split("\n\n")]
    block = next(b for b in blocks if b[0].strip() == "Mumford (2013) 6 best passenger")
    routes = [[int(s) - 1 for s in line.split("-")] for line in block[2:]]
    got = evaluate_route_set(mandl, routes, n_routes=6, min_stops=2, max_stops=8)
    assert got.att == pytest.approx(10.272961, abs=1e-6)
    assert (round(got.d0, 3), round(got.d1, 3), round(got.d2, 3)) == (95.376, 4.560, 0.064)
    assert got.trt == 221


def test_agrees_with_plain_python_dijkstra_on_published_sets(tndp):
    net = read_mumford_instance(tndp, "Mumford0")
    front = read_results_data(tndp / "solutions" / "john2016" / "Mumford0" / "Results_data.csv")
    ev = RouteSetEvaluator(net)
    for row in front[::15]:
        fast = ev.evaluate(row.routes).summary()
        slow = reference_scores(net, row.routes)
        for key, value in slow.items():
            assert fast[key] == pytest.approx(value, abs=1e-9), key


def test_hand_computed_grid(grid):
    # one route along the top row and one down the middle column: 0-1-2 and 1-4-7
    ev = evaluate_route_set(grid, [[0, 1, 2, 5, 8, 7, 6, 3], [1, 4, 7]])
    # 4 is reached from 0 by riding 0->1 (2 min), transferring (5), riding 1->4 (2): 9 min
    assert ev.journey_times[0, 4] == 9
    assert ev.transfers[0, 4] == 1
    # 0 -> 6: along the ring 0-1-2-5-8-7-6 is 12 min with no transfer, while
    # 0-1 (2) +5 + 1-4-7 (4) +5 + 7-6 (2) = 18 would need two
    assert ev.journey_times[0, 6] == 12 and ev.transfers[0, 6] == 0
    # 4 -> 3: 4-1 (2) + 5 + 1-0-3 (4) = 11 or 4-7 (2) + 5 + 7-6-3 (4) = 11: one transfer
    assert ev.journey_times[4, 3] == 11 and ev.transfers[4, 3] == 1
    assert ev.trt == 7 * 2 + 2 * 2


def test_fewest_transfers_among_equal_times():
    # Stops 0-1-2-3 on a line (1 min links) plus a 0-3 link of 8 minutes.
    # Route A: 0-1, route B: 1-2-3, route C: 0-3. From 0 to 3: A then B is 1 + 5 + 2 = 8 min with
    # one transfer; C is 8 min with none. The tie must go to C (0 transfers).
    t = np.full((4, 4), np.inf)
    np.fill_diagonal(t, 0)
    for a, b, w in [(0, 1, 1), (1, 2, 1), (2, 3, 1), (0, 3, 8)]:
        t[a, b] = t[b, a] = w
    d = np.zeros((4, 4))
    d[0, 3] = d[3, 0] = 1
    net = TransitNetwork(t, d)
    ev = evaluate_route_set(net, [[0, 1], [1, 2, 3], [0, 3]])
    assert ev.att == 8 and ev.transfers[0, 3] == 0 and ev.d0 == 100
    assert reference_scores(net, [[0, 1], [1, 2, 3], [0, 3]])["d0"] == 100


@pytest.mark.parametrize(
    ("routes", "limits", "reason"),
    [
        ("0-1-2*", {"n_routes": 2}, "has 1 routes, expected 2"),
        ("0-1-2-5-8-7-6-3*1-4*", {"min_stops": 3}, "route 2 has 2 stops, fewer than the minimum 3"),
        ("0-1-2-5-8-7-6-3*1-4*", {"max_stops": 4}, "route 1 has 8 stops, more than the maximum 4"),
        ("0-1-2-5-8-7-6-3-0*1-4*", {}, "route 1 visits stop(s) 0 more than once"),
        ("0-1-4-1-2-5-8-7-6-3*", {}, "route 1 visits stop(s) 1 more than once"),
        ("0-1-2-5-8-7-6-3*1-7*", {}, "route 2: stops 1 and 7 are not linked"),
        ("0-1-2-5-8-7-6-3*4-4*", {}, "route 2: stops 4 and 4 are not linked"),
        ("0-1-2-5-8-7-6-3*1-9*", {}, "stop(s) 9 not in the network (stops are 0..8)"),
        ("0-1-2-5-8-7-6-3*", {}, "1 stop(s) not served by any route: 4"),
        ("0-1-2*3-4*", {}, "the route network is disconnected: 2 separate parts"),
        ("0-1-2-5-8-7-6-3*4*", {}, "route 2 has a single stop"),
    ],
)
def test_infeasible_sets_are_rejected_with_the_reason(grid, routes, limits, reason):
    parsed = parse_route_set(routes)
    reasons = check_route_set(grid, parsed, **limits)
    assert any(reason in r for r in reasons), reasons
    with pytest.raises(InfeasibleRouteSetError) as info:
        evaluate_route_set(grid, parsed, **limits)
    assert any(reason in r for r in info.value.reasons)


def test_all_reasons_listed_at_once(grid):
    reasons = check_route_set(grid, [[0, 1, 0], [4, 8]], n_routes=3, max_stops=2)
    assert len(reasons) >= 5  # count, too long, repeat, unlinked, unserved stops


def test_feasible_sets_pass_and_empty_set_is_rejected(grid):
    assert (
        check_route_set(
            grid, [[0, 1, 2, 5, 8, 7, 6, 3], [1, 4, 7]], n_routes=2, min_stops=3, max_stops=8
        )
        == []
    )
    assert check_route_set(grid, []) == ["the route set has no routes"]


def test_bad_limits_and_penalty(grid):
    with pytest.raises(NetworkError, match="min_stops 5 is above max_stops 3"):
        check_route_set(grid, [[0, 1]], min_stops=5, max_stops=3)
    with pytest.raises(NetworkError, match="transfer_penalty"):
        RouteSetEvaluator(grid, transfer_penalty=-1)


def test_fractional_times_and_other_penalties():
    t = np.array([[0, 1.25, np.inf], [1.25, 0, 2.5], [np.inf, 2.5, 0]])
    d = np.ones((3, 3)) - np.eye(3)
    net = TransitNetwork(t, d)
    ev = RouteSetEvaluator(net, transfer_penalty=2.5)
    assert ev.exact and ev.scale == 100
    got = ev.evaluate([[0, 1], [1, 2]])
    assert got.journey_times[0, 2] == pytest.approx(1.25 + 2.5 + 2.5)
    assert got.att == pytest.approx(
        reference_scores(net, [[0, 1], [1, 2]], transfer_penalty=2.5)["ATT"]
    )


@st.composite
def grid_route_sets(draw):
    """Random walks on the 3x3 grid: simple linked paths, often disconnected or not covering."""
    adj = {
        a: [b for b in range(9) if abs(a - b) == 3 or (abs(a - b) == 1 and a // 3 == b // 3)]
        for a in range(9)
    }
    routes = []
    for _ in range(draw(st.integers(1, 4))):
        route = [draw(st.integers(0, 8))]
        for _ in range(draw(st.integers(1, 6))):
            options = [x for x in adj[route[-1]] if x not in route]
            if not options:
                break
            route.append(draw(st.sampled_from(options)))
        routes.append(route)
    return routes


@settings(max_examples=80, deadline=None)
@given(
    routes=grid_route_sets(),
    weights=st.lists(st.integers(1, 9), min_size=12, max_size=12),
    pen=st.sampled_from([0, 2, 5]),
)
def test_matches_reference_on_random_route_sets(routes, weights, pen):
    edges = [(a, a + 1) for a in range(9) if a % 3 < 2] + [(a, a + 3) for a in range(6)]
    t = np.full((9, 9), np.inf)
    np.fill_diagonal(t, 0)
    for (a, b), w in zip(edges, weights, strict=True):
        t[a, b] = t[b, a] = w
    rng = np.random.default_rng(sum(weights))
    d = rng.integers(0, 5, (9, 9)).astype(float)
    np.fill_diagonal(d, 0)
    d[0, 1] += 1
    net = TransitNetwork(t, d)
    ev = RouteSetEvaluator(net, transfer_penalty=pen)
    if check_route_set(net, routes):
        assert ev.passenger_cost(routes) == np.inf or {s for r in routes for s in r} == set(
            range(9)
        )
        return
    fast = ev.evaluate(routes).summary()
    slow = reference_scores(net, routes, transfer_penalty=pen)
    for key, value in slow.items():
        assert fast[key] == pytest.approx(value, abs=1e-9), key


def test_passenger_cost_refuses_a_stop_outside_the_network(tndp):
    # the fast path skips the rule checks, but must never read outside its matrices
    net = read_mumford_instance(tndp, "Mandl")
    ev = RouteSetEvaluator(net)
    for bad in (15, -1):
        with pytest.raises(NetworkError, match="outside 0..14"):
            ev.passenger_cost([[0, 1, 2], [2, bad]])


def test_passenger_cost_with_a_threshold_is_exact_below_it_and_a_bound_above(tndp):
    net = read_mumford_instance(tndp, "Mumford1")
    front = read_results_data(tndp / "solutions" / "john2016" / "Mumford1" / "Results_data.csv")
    ev = RouteSetEvaluator(net)
    for row in front[::10]:
        exact = ev.passenger_cost(row.routes)
        assert ev.passenger_cost(row.routes, above=exact + 1e-9) == exact
        for above in (exact - 1.0, exact - 0.01, 0.0):
            got = ev.passenger_cost(row.routes, above=above)
            assert above < got <= exact + 1e-12
