from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sharingcity.planning.network import parse_route_set, read_mumford_instance
from sharingcity.planning.network.__main__ import main
from sharingcity.planning.network.evaluate import check_route_set

JOHN_MANDL_0 = "10-9-7-5-3-4-1-0*9-13-12-10-11-3-1-0*5-3-11-10-9-6-14-8*6-14-7-5-3-4-1-2*12-10-9-7-5-2-1-0*0-1-2-5-14-6-9-7*"


def test_design_prints_a_checkable_route_set(tndp, capsys):
    code = main(
        [
            str(tndp),
            "Mandl",
            "--routes",
            "6",
            "--min-stops",
            "2",
            "--max-stops",
            "8",
            "--seed",
            "1",
            "--time-limit",
            "2",
            "--quiet",
        ]
    )
    assert code == 0
    out = dict(line.split(None, 1) for line in capsys.readouterr().out.strip().splitlines())
    routes = parse_route_set(out["route_set"])
    net = read_mumford_instance(tndp, "Mandl")
    assert check_route_set(net, routes, n_routes=6, min_stops=2, max_stops=8) == []
    for key in ("ATT", "d0", "d1", "d2", "dun", "TRT"):
        float(out[key])
    # the printed scores are those of the printed set
    code = main(["evaluate", str(tndp), "Mandl", out["route_set"], "--json"])
    again = json.loads(capsys.readouterr().out)
    assert code == 0 and again["ATT"] == pytest.approx(float(out["ATT"]), abs=1e-8)
    assert again["TRT"] == float(out["TRT"])


def test_operator_objective_and_json(tndp, capsys):
    code = main(
        [
            str(tndp),
            "Mandl",
            "--routes",
            "6",
            "--min-stops",
            "2",
            "--max-stops",
            "8",
            "--time-limit",
            "1",
            "--objective",
            "operator",
            "--json",
            "--quiet",
        ]
    )
    assert code == 0
    got = json.loads(capsys.readouterr().out)
    assert got["objective"] == "operator" and got["TRT"] >= 63


def test_evaluate_published_set(tndp, capsys):
    assert (
        main(
            [
                "evaluate",
                str(tndp),
                "Mandl",
                JOHN_MANDL_0,
                "--routes",
                "6",
                "--min-stops",
                "2",
                "--max-stops",
                "8",
            ]
        )
        == 0
    )
    out = dict(line.split(None, 1) for line in capsys.readouterr().out.strip().splitlines())
    assert out["ATT"] == "10.19203597" and out["TRT"] == "217" and out["d0"] == "96.7887"


def test_evaluate_from_file(tndp, tmp_path, capsys):
    f = tmp_path / "set.txt"
    f.write_text(JOHN_MANDL_0 + "\n")
    assert main(["evaluate", str(tndp), "Mandl", f"@{f}"]) == 0
    assert main(["evaluate", str(tndp), "Mandl", f"@{tmp_path / 'none.txt'}"]) == 2
    assert "cannot read route-set file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "{d}", "Mandl", "0-1*"], "not served by any route"),
        (["evaluate", "{d}", "Mandl", "0-1-0*"], "more than once"),
        (["evaluate", "{d}", "Mandl", "0-x*"], "not a stop number"),
        (["evaluate", "{d}", "Mandl", JOHN_MANDL_0, "--max-stops", "7"], "more than the maximum 7"),
        (["evaluate", "{d}", "Nowhere", "0-1*"], "NowhereCoords.txt: file not found"),
        (
            [
                "{d}",
                "Mandl",
                "--routes",
                "1",
                "--min-stops",
                "2",
                "--max-stops",
                "8",
                "--time-limit",
                "1",
            ],
            "cannot serve 15 stops",
        ),
        (
            [
                "{d}",
                "Mandl",
                "--routes",
                "6",
                "--min-stops",
                "9",
                "--max-stops",
                "8",
                "--time-limit",
                "1",
            ],
            "above max_stops",
        ),
    ],
)
def test_bad_input_exits_2_with_reason(tndp, capsys, argv, message):
    argv = [a.replace("{d}", str(tndp)) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["x", "Mandl", "--min-stops", "2", "--max-stops", "8"],  # --routes missing
        ["x", "Mandl", "--routes", "0", "--min-stops", "2", "--max-stops", "8"],
        [
            "x",
            "Mandl",
            "--routes",
            "6",
            "--min-stops",
            "2",
            "--max-stops",
            "8",
            "--time-limit",
            "-3",
        ],
        [
            "x",
            "Mandl",
            "--routes",
            "6",
            "--min-stops",
            "2",
            "--max-stops",
            "8",
            "--objective",
            "speed",
        ],
    ],
)
def test_bad_arguments_are_usage_errors(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_module_runs_as_a_program(tndp):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "sharingcity.planning.network",
            "evaluate",
            str(tndp),
            "Mandl",
            JOHN_MANDL_0,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0 and "d0" in res.stdout
    res = subprocess.run(
        [sys.executable, "-m", "sharingcity.planning.network", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0 and "--min-stops" in res.stdout
