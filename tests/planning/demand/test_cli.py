"""The command line: generate, aggregate, clear errors and exit codes."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from sharingcity.planning.demand.__main__ import main


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_city")
    assert (
        main(
            ["generate", "--rows", "2e4", "--out", str(out), "--seed", "2", "--subscribers", "400"]
        )
        == 0
    )
    return out


def test_generate_prints_paths_and_shows_progress(tmp_path, capsys):
    assert main(["generate", "--rows", "5000", "--out", str(tmp_path), "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["rows"] == 5000
    assert "generating call records" in err and "100.0%" in err


def test_aggregate_writes_outputs(city, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHARINGCITY_DEMAND_SECRET", "from-the-environment-0123")
    code = main(
        [
            "aggregate",
            "--records",
            str(city / "records"),
            "--subscribers",
            str(city / "subscribers.parquet"),
            "--cells",
            str(city / "cells.parquet"),
            "--out",
            str(tmp_path),
            "--k",
            "5",
            "--zones",
            "seoul",
            "--epsilon",
            "2",
            "--delta",
            "1e-6",
            "--seed",
            "1",
        ]
    )
    assert code == 0
    out, err = capsys.readouterr()
    assert "od_demand.parquet" in out and "released" in err and "aggregating" in err
    table = pq.read_table(tmp_path / "od_demand.parquet")
    assert min(table["callers"].to_pylist()) >= 5
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["privacy"]["differential_privacy"]["accounting"]["delta"] == 1e-6
    assert "from-the-environment" not in (tmp_path / "manifest.json").read_text()


def test_secret_file(city, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a-secret-kept-in-a-file-xyz\n")
    args = [
        "aggregate",
        "--records",
        str(city / "records"),
        "--subscribers",
        str(city / "subscribers.parquet"),
        "--cells",
        str(city / "cells.parquet"),
        "--out",
        str(tmp_path / "o"),
        "--quiet",
    ]
    assert main([*args, "--secret-file", str(secret)]) == 0
    assert main([*args, "--secret-file", str(tmp_path / "missing")]) == 1


def test_nothing_valid_exits_1_with_a_report(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("subscriber,timestamp,cell\n1,garbage,10\n")
    (tmp_path / "s.csv").write_text("subscriber,zone\n1,Mapo-gu\n")
    (tmp_path / "c.csv").write_text("cell,zone\n10,Mapo-gu\n")
    code = main(
        [
            "aggregate",
            "--records",
            str(tmp_path / "r.csv"),
            "--subscribers",
            str(tmp_path / "s.csv"),
            "--cells",
            str(tmp_path / "c.csv"),
            "--out",
            str(tmp_path / "o"),
            "--quiet",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "no usable call record" in err and "bad_timestamp: 1" in err and "garbage" in err
    assert not (tmp_path / "o").exists()


def test_bad_files_and_arguments(tmp_path, capsys):
    code = main(
        [
            "aggregate",
            "--records",
            str(tmp_path / "none.parquet"),
            "--subscribers",
            "x.csv",
            "--cells",
            "y.csv",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 1 and "does not exist" in capsys.readouterr().err
    for bad in (
        ["generate", "--rows", "1.5", "--out", "x", "--seed", "1"],
        ["generate", "--rows", "-3", "--out", "x", "--seed", "1"],
        ["aggregate", "--records", "r"],
        ["nonsense"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(bad)
        assert exc.value.code == 2


def test_help_and_districts(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "aggregate" in capsys.readouterr().out
    assert main(["districts"]) == 0
    out = capsys.readouterr().out
    assert "11440,Mapo-gu,마포구" in out and len(out.strip().splitlines()) == 26
