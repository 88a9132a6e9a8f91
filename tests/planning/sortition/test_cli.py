"""The command line: python -m sharingcity.planning.sortition."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sharingcity.planning.sortition.__main__ import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_leximin_on_example_small_20_with_seed(shared_data, capsys, tmp_path):
    folder = shared_data("sortition") / "flanigan2021_replication" / "example_small_20"
    lottery_file = tmp_path / "lottery.json"
    code, out, _ = run(capsys, "--people", str(folder / "respondents.csv"), "--features", str(folder / "categories.csv"),
                       "--size", "20", "--seed", "3 11 19 27 38 42", "--lottery-out", str(lottery_file))  # fmt: skip
    assert code == 0
    assert "minimum selection probability: 0.100000" in out
    assert "Quotas: all met" in out
    assert json.loads(lottery_file.read_text())["size"] == 20
    code2, out2, _ = run(capsys, "--people", str(folder / "respondents.csv"), "--features", str(folder / "categories.csv"),
                         "--size", "20", "--seed", "3 11 19 27 38 42", "--json")  # fmt: skip
    report = json.loads(out2[out2.index("{") :])
    members = out.split("Members: ")[1].strip().split(", ")
    assert report["panel"] == members and report["quotas_met"]


def test_maximin_and_legacy_and_households(shared_data, capsys):
    folder = shared_data("sortition") / "sortition_algorithms_fixtures"
    common = [
        "--people",
        str(folder / "candidates.csv"),
        "--features",
        str(folder / "features.csv"),
        "--size",
        "22",
        "--id-column",
        "nationbuilder_id",
    ]
    code, out, _ = run(
        capsys,
        *common,
        "--algorithm",
        "maximin",
        "--households",
        "--household-columns",
        "primary_address1,primary_zip",
    )
    assert code == 0 and "minimum selection probability: 0.090909" in out
    code, out, _ = run(
        capsys, *common, "--algorithm", "legacy", "--legacy-draws", "20", "--seed", "s"
    )
    assert code == 0 and "estimated from 20 legacy draws" in out and "drawn panel" in out


def test_bad_input_exit_codes(tmp_path, capsys):
    quotas = tmp_path / "q.csv"
    quotas.write_text("feature,value,min,max\ngender,f,3,5\ngender,m,3,5\n")
    people = tmp_path / "p.csv"
    people.write_text(
        "id,gender\n" + "".join(f"{i},{'f' if i % 2 else 'm'}\n" for i in range(10)) + "x,other\n"
    )
    code, _, err = run(capsys, "--people", str(people), "--features", str(quotas), "--size", "6")
    assert code == 1 and "p.csv, line 12" in err and "no quota row" in err
    people.write_text("id,gender\n" + "".join(f"{i},{'f' if i % 2 else 'm'}\n" for i in range(10)))
    code, _, err = run(capsys, "--people", str(people), "--features", str(quotas), "--size", "11")
    assert code == 1 and "larger than the pool" in err
    code, _, err = run(capsys, "--people", str(people), "--features", str(quotas), "--size", "5")
    assert code == 3 and "conflict" in err
    code, _, err = run(
        capsys, "--people", str(people), "--features", str(quotas), "--size", "6", "--households"
    )
    assert code == 1 and "--household-columns" in err
    code, _, err = run(
        capsys, "--people", str(tmp_path / "absent.csv"), "--features", str(quotas), "--size", "6"
    )
    assert code == 1 and "cannot open" in err
    with pytest.raises(SystemExit):
        main(["--people", str(people)])


def test_module_entry_point_help():
    done = subprocess.run(
        [sys.executable, "-m", "sharingcity.planning.sortition", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--algorithm" in done.stdout and "--seed" in done.stdout
