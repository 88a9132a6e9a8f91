"""The command line: solve a Cordeau file, simulate a day, and refuse bad input clearly."""

from __future__ import annotations

import json

import pytest

from sharingcity.planning.dispatch.__main__ import main


def test_solve_prints_routes_cost_and_refusals(shared_data, capsys):
    assert (
        main(["solve", str(shared_data("darp") / "b2-16.txt"), "--time-limit", "1", "--seed", "2"])
        == 0
    )
    out = capsys.readouterr().out
    assert "vehicle 0:" in out and "cost " in out
    assert "refused requests: none" in out and "independent check: feasible" in out


def test_solve_json(shared_data, capsys):
    assert (
        main(["solve", str(shared_data("darp") / "a2-16.txt"), "--time-limit", "1", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["unserved"] == [] and data["violations"] == [] and len(data["routes"]) == 2


def test_solve_bad_file_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "2 1 100 3 30\n0 0 0 0 0 0 100\n1 1 1 1 x 0 100\n2 2 2 1 -1 0 100\n3 0 0 0 0 0 100\n"
    )
    assert main(["solve", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.txt, line 3" in err and "load 'x' is not a number" in err
    assert main(["solve", str(tmp_path / "none.txt")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_simulate_prints_metrics(capsys):
    args = ["simulate", "--vehicles", "25", "--requests", "200", "--policy", "batch", "--seed", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "wait (min): mean" in out and "empty share" in out and "invariants: all hold" in out
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["served"] + data["refused"] == 200 and data["invariant_violations"] == []


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["solve"],
        ["solve", "x.txt", "--time-limit", "0"],
        ["solve", "x.txt", "--time-limit", "soon"],
        ["simulate", "--vehicles", "-3"],
        ["simulate", "--requests", "many"],
        ["simulate", "--policy", "fastest"],
        ["simulate", "--day", "holiday"],
    ],
)
def test_bad_arguments_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_simulate_bad_share(capsys):
    assert main(["simulate", "--vehicles", "2", "--requests", "2", "--advance-share", "2"]) == 1
    assert "--advance-share" in capsys.readouterr().err
