"""The command line: ``python -m sharingcity.planning.pb FILE.pb ...``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sharingcity.planning.pb.__main__ import main

ASSEN = "Netherlands_Assen_2024.pb"


def test_mes_add1_prints_funded_ids(pabulib_dir, capsys):
    assert main([str(pabulib_dir / ASSEN), "--rule", "mes", "--completion", "add1"]) == 0
    assert capsys.readouterr().out.split() == ["3", "9", "11", "2", "13", "14", "5", "6", "12"]


def test_variant_options_and_explain(pabulib_dir, capsys):
    args = [str(pabulib_dir / ASSEN), "--completion", "add1", "--endowment", "integral"]
    assert main(args + ["--continue-to-largest", "--increment", "1", "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(out[0].split(), key=int) == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]
    assert out[2].startswith("# each voter's share: 2,033.00 EUR")  # a whole number of EUR
    assert any("Project 8" in line and "did not have enough money" in line for line in out)
    assert any("Project 3" in line and "43 paid 167" in line for line in out)
    assert main(args + ["--then-greedy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameters"]["completion"]["then_greedy"] is True
    assert data["projects"]["7"]["reason"] == "funded_completion"


def test_other_rules(pabulib_dir, capsys):
    path = str(pabulib_dir / "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb")
    for rule in ("greedy", "greedy-votes-per-cost", "phragmen"):
        assert main([path, "--rule", rule, "--tie-break", "min_cost"]) == 0
        assert sorted(capsys.readouterr().out.split()) == ["1623", "2567", "427", "915"]
    assert main([path, "--rule", "greedy", "--no-skip", "--tie-break", "1623,2567,427,915"]) == 0


def test_check_official(pabulib_dir, capsys):
    assert main([str(pabulib_dir / "Poland_Swiecie_2023.pb"), "--check-official"]) == 0
    assert "MATCH" in capsys.readouterr().out
    assert main([str(pabulib_dir / "Hungary_Budapest_2024.pb"), "--check-official"]) == 2
    assert "cannot be recounted" in capsys.readouterr().err


def test_check_official_reports_a_difference(tmp_path, capsys):
    text = "META\nkey;value\nbudget;10\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;selected\na;10;0\nb;10;1\nVOTES\nvoter_id;vote\n1;a\n"
    path = tmp_path / "x.pb"
    path.write_text(text)
    assert main([str(path), "--check-official"]) == 1
    assert "only official: b; only recount: a" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endowment", "integral"], "need an add-one completion"),
        (["--completion", "add1", "--increment", "abc"], "--increment 'abc' is not a number"),
        (["--completion", "add1", "--increment", "-5"], "increment must be positive"),
        (["--rule", "greedy", "--then-greedy"], "only apply to --rule mes"),
        (["--tie-break", "3,9"], "every project id exactly once"),
        (["--rule", "phragmen", "--utility", "borda"], "only apply|borda"),
    ],
)
def test_bad_options_exit_2(pabulib_dir, capsys, args, message):
    rc = main([str(pabulib_dir / ASSEN), *args])
    err = capsys.readouterr().err
    if rc == 0:  # phragmen ignores --utility: it has no utility
        assert "borda" in message
        return
    assert rc == 2
    assert any(m in err for m in message.split("|")), err


def test_bad_file_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;x\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n"
    )
    assert main([str(path)]) == 2
    assert "bad.pb, line 2: META budget 'x' is not a number" in capsys.readouterr().err
    assert main([str(tmp_path / "absent.pb")]) == 2


def test_runs_as_module(pabulib_dir):
    out = subprocess.run(
        [sys.executable, "-m", "sharingcity.planning.pb", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "--continue-to-largest" in out.stdout
