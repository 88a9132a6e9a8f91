from __future__ import annotations

import numpy as np
import pytest

from sharingcity.planning.network import (
    InstanceFormatError,
    NetworkError,
    RouteSetFormatError,
    TransitNetwork,
    format_route_set,
    parse_route_set,
    read_graph_csv,
    read_mumford_instance,
    read_results_data,
)


def test_reads_the_shared_instances(tndp):
    expected = {
        "Mandl": (15, 21, 15_570),
        "Mumford0": (30, 90, 342_160),
        "Mumford1": (70, 210, 1_926_170),
    }
    for name, (n, links, total) in expected.items():
        net = read_mumford_instance(tndp, name)
        assert net.n_stops == n
        assert len(net.edges) == links
        assert net.demand.sum() == total
        assert net.coords.shape == (n, 2)
    # the Mandl demand the published values need (not the d(2,3)=10 variant)
    assert read_mumford_instance(tndp, "Mandl").demand[2, 3] == 40


def test_route_set_notation_round_trip():
    text = "10-9-7*0-1*"
    assert parse_route_set(text) == [[10, 9, 7], [0, 1]]
    assert format_route_set(parse_route_set(text)) == text
    assert parse_route_set(" 1-2 * 3-4") == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty route-set"),
        ("1-2**3-4*", "route 2 is empty"),
        ("1-x-2*", "'x'"),
        ("1--2*", "''"),
        ("1-2*-3-4*", "route 2"),
        ("1.5-2*", "'1.5'"),
    ],
)
def test_route_set_notation_errors(text, message):
    with pytest.raises(RouteSetFormatError, match=message):
        parse_route_set(text)


def _write_instance(folder, name, coords, times, demand):
    (folder / f"{name}Coords.txt").write_text(coords)
    (folder / f"{name}TravelTimes.txt").write_text(times)
    (folder / f"{name}Demand.txt").write_text(demand)


GOOD = ("3\n0 0\n1 0\n2 0\n", "0 2 Inf\n2 0 3\nInf 3 0\n", "0 1 2\n1 0 1\n2 1 0\n")


def test_reads_a_small_instance_with_blank_lines_and_crlf(tmp_path):
    coords, times, demand = GOOD
    _write_instance(tmp_path, "Tiny", coords.replace("\n", "\r\n\r\n"), times, demand)
    net = read_mumford_instance(tmp_path, "Tiny")
    assert net.edges == ((0, 1), (1, 2))
    assert net.travel_times[0, 2] == np.inf


@pytest.mark.parametrize(
    ("which", "text", "message"),
    [
        (0, "3\n0 0\n1 0\n", "header says 3 stops, found 2"),
        (0, "three\n0 0\n1 0\n2 0\n", "line 1: first line must be the number of stops"),
        (0, "3\n0 0\n1 0 5\n2 0\n", "line 3: expected 'x y'"),
        (1, "0 2 Inf\n2 0 3\n", "expected 3 matrix rows"),
        (1, "0 2 Inf\n2 0 3 4\nInf 3 0\n", "line 2: row has 4 values"),
        (1, "0 2 Inf\n2 0 abc\nInf 3 0\n", "line 2: 'abc' is not a number"),
        (1, "0 2 Inf\n2 0 3\nInf 4 0\n", "not symmetric"),
        (1, "0 -2 Inf\n-2 0 3\nInf 3 0\n", "line 1: link time \\(0, 1\\) must be positive"),
        (1, "1 2 Inf\n2 0 3\nInf 3 0\n", "line 1: diagonal entry"),
        (1, "0 2 Inf\n2 0 nan\nInf nan 0\n", "line 2: NaN"),
        (2, "0 1 2\n1 0 -1\n2 1 0\n", "line 2: demand \\(1, 2\\) must be finite and non-negative"),
        (2, "0 0 0\n0 0 0\n0 0 0\n", "demand is all zero"),
        (2, "5 1 2\n1 0 1\n2 1 0\n", "line 1: diagonal demand"),
    ],
)
def test_bad_instance_files_name_file_and_line(tmp_path, which, text, message):
    files = list(GOOD)
    files[which] = text
    _write_instance(tmp_path, "Bad", *files)
    with pytest.raises(InstanceFormatError, match=message) as info:
        read_mumford_instance(tmp_path, "Bad")
    assert ["Coords", "TravelTimes", "Demand"][which] in str(info.value)


def test_missing_instance_files(tmp_path):
    with pytest.raises(InstanceFormatError, match="instance folder not found"):
        read_mumford_instance(tmp_path / "nowhere", "Mandl")
    with pytest.raises(InstanceFormatError, match="MandlCoords.txt: file not found"):
        read_mumford_instance(tmp_path, "Mandl")
    (tmp_path / "XCoords.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InstanceFormatError, match="not a text file"):
        read_mumford_instance(tmp_path, "X")


def test_graph_csv_with_demand(tmp_path):
    g = tmp_path / "g.csv"
    g.write_text("from,to,minutes\nA,B,2.5\nB,C,3\nC,A,4\n")
    dem = tmp_path / "d.csv"
    dem.write_text("origin,destination,trips\nA,C,10\nC,A,5\n\nB,A,1\n")
    net = read_graph_csv(g, demand_path=dem)
    assert net.stop_names == ("A", "B", "C")
    assert net.travel_times[0, 1] == 2.5
    assert net.demand[0, 2] == 10 and net.demand[2, 0] == 5 and net.demand[1, 0] == 1
    # numeric labels are numbered numerically
    g.write_text("from,to,time\n10,2,1\n2,1,1\n")
    assert read_graph_csv(g).stop_names == ("1", "2", "10")


@pytest.mark.parametrize(
    ("graph", "demand", "message"),
    [
        ("a,b,minutes\n1,2,3\n", None, "g.csv, line 1: missing column\\(s\\) from, to"),
        ("from,to\n1,2\n", None, "missing a time column"),
        ("from,to,minutes\n1,2,x\n", None, "line 2: 'x' is not a number"),
        ("from,to,minutes\n1,2,0\n", None, "line 2: link time must be positive"),
        ("from,to,minutes\n1,1,3\n", None, "line 2: self-loop"),
        ("from,to,minutes\n1,2,3\n2,1,4\n", None, "line 3: link 2-1 listed twice"),
        ("from,to,minutes\n1,2\n", None, "line 2: row has 2 fields"),
        ("from,to,minutes\n", None, "no links"),
        (
            "from,to,minutes\n1,2,3\n",
            "origin,destination,trips\n1,9,3\n",
            "d.csv, line 2: unknown stop '9'",
        ),
        ("from,to,minutes\n1,2,3\n", "origin,destination,trips\n1,2,-3\n", "line 2: trips must be"),
        ("from,to,minutes\n1,2,3\n", "origin,destination,trips\n1,1,3\n", "to itself"),
        ("from,to,minutes\n1,2,3\n", "origin,destination\n1,2\n", "missing column\\(s\\) trips"),
        ("from,to,minutes\n1,2,3\n", "origin,destination,trips\n1,2,0\n", "demand is all zero"),
    ],
)
def test_bad_graph_csv(tmp_path, graph, demand, message):
    g = tmp_path / "g.csv"
    g.write_text(graph)
    d = None
    if demand is not None:
        d = tmp_path / "d.csv"
        d.write_text(demand)
    with pytest.raises(InstanceFormatError, match=message):
        read_graph_csv(g, demand_path=d)


def test_network_validation():
    t = np.array([[0, 1.0], [1, 0]])
    d = np.array([[0, 1.0], [1, 0]])
    with pytest.raises(NetworkError, match="not symmetric"):
        TransitNetwork(np.array([[0, 1.0], [2, 0]]), d)
    with pytest.raises(NetworkError, match="shape"):
        TransitNetwork(t, np.zeros((3, 3)))
    with pytest.raises(NetworkError, match="negative"):
        TransitNetwork(t, -d)
    with pytest.raises(NetworkError, match="all zero"):
        TransitNetwork(t, 0 * d)
    with pytest.raises(NetworkError, match="coords"):
        TransitNetwork(t, d, np.zeros((3, 2)))
    with pytest.raises(NetworkError, match="zero-minute"):
        TransitNetwork(np.zeros((2, 2)), d)


def test_results_data_reader(tndp, tmp_path):
    front = read_results_data(tndp / "solutions/john2016/Mandl/Results_data.csv")
    assert len(front) == 89 and front[0].trt == 217
    bad = tmp_path / "r.csv"
    bad.write_text(",f_1_ATT,f_2_TRT,Routes\n0,10.0,20,1-2**\n")
    with pytest.raises(InstanceFormatError, match="r.csv, line 2: route 2 is empty"):
        read_results_data(bad)
