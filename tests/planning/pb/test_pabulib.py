"""Reading and writing Pabulib files: the shared files, round trips, and every kind of bad file."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sharingcity.planning import pb
from sharingcity.planning.pb import PabulibFormatError

from .conftest import FILES

GOOD = """META
key;value
description;test
num_projects;3
num_votes;4
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;selected
1;60;Park;1
2;30;Bench;1
10;50;Library;0
VOTES
voter_id;vote;age
a;1,2;30
b;2,1;41
c;10;25
d;;60
"""


def test_parse_good_file():
    pf = pb.parse_pabulib(GOOD)
    assert pf.meta["budget"] == "100"
    assert pf.project_columns == ("project_id", "cost", "name", "selected")
    assert pf.project_column("selected") == ["1", "1", "0"]
    assert pf.vote_column("age") == ["30", "41", "25", "60"]
    e = pb.election_from_pabulib(pf)
    assert e.budget == 100
    assert e.n_voters == 4
    # "1,2" and "2,1" are the same approval ballot: 3 distinct ballots, the empty one kept
    assert e.n_groups == 3
    assert sorted(e.weights.tolist()) == [1, 1, 2]
    assert e.vote_counts().tolist() == [2, 2, 1]
    assert e.projects[2] == pb.Project("10", Fraction(50), "Library")


def test_crlf_bom_and_decimal_costs():
    text = "\ufeff" + GOOD.replace("1;60;Park", "1;60,5;Park").replace("\n", "\r\n")
    e = pb.election_from_pabulib(pb.parse_pabulib(text))
    assert e.projects[0].cost == Fraction(121, 2)


@pytest.mark.parametrize("name", FILES)
def test_shared_files_round_trip(name, pabulib_dir, tmp_path):
    pf = pb.read_pabulib(pabulib_dir / f"{name}.pb")
    out = tmp_path / "copy.pb"
    pb.write_pabulib(pf, out)
    again = pb.read_pabulib(out)
    assert again == pf
    assert pb.format_pabulib(again) == out.read_text(encoding="utf-8")
    # the numeric model is the same after the round trip
    a, b = pb.election_from_pabulib(pf), pb.election_from_pabulib(again)
    assert a.projects == b.projects and a.budget == b.budget
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.col_groups, b.col_groups)
    assert np.array_equal(a.col_values, b.col_values)
    assert a.n_voters == len(pf.votes)


def test_shared_file_sizes(elections):
    # distinct ballots as counted in docs/research/pb_sortition.md section 1.4
    assert elections("Poland_Warszawa_2019_Ursynow").n_groups == 6269
    assert elections("Hungary_Budapest_2024").n_groups == 20132
    assert elections("Hungary_Budapest_2024").n_voters == 28943


@pytest.mark.parametrize(
    "name", ["Switzerland_Zurich_D10", "Switzerland_Zurich_S5R", "Poland_Swiecie_2023"]
)
def test_export_reimport_same_election(name, elections):
    e = elections(name)
    pf = pb.election_to_pabulib(e, selected=[e.projects[0].id], rule="greedy")
    again = pb.election_from_pabulib(pb.parse_pabulib(pb.format_pabulib(pf)))
    assert again.projects == e.projects and again.budget == e.budget
    assert again.ballots() == e.ballots()
    assert pf.project_column("selected")[0] == "1"


def _bad(old: str, new: str, text: str = GOOD) -> str:
    assert old in text
    return text.replace(old, new)


BAD = [
    ("missing VOTES", GOOD[: GOOD.index("VOTES")], None, "section VOTES is missing"),
    ("missing META", GOOD[GOOD.index("PROJECTS") :], 1, "PROJECTS found where META"),
    ("sections out of order", _bad("PROJECTS\n", "VOTES\n"), 9, "VOTES found where PROJECTS"),
    ("section twice", GOOD + "VOTES\nvoter_id;vote\n", 20, "appears twice"),
    ("bad META header", _bad("key;value", "name;value"), 2, "META header must be"),
    ("no budget", _bad("budget;100\n", ""), 2, "no 'budget'"),
    ("budget not a number", _bad("budget;100", "budget;lots"), 2, "budget 'lots' is not a number"),
    (
        "unknown vote type",
        _bad("vote_type;approval", "vote_type;quadratic"),
        2,
        "vote_type 'quadratic'",
    ),
    (
        "duplicate META key",
        _bad("rule;greedy", "rule;greedy\nrule;mes"),
        9,
        "META key 'rule' appears twice",
    ),
    (
        "project header without cost",
        _bad("project_id;cost;name", "project_id;price;name"),
        10,
        "no 'cost' column",
    ),
    (
        "project header not starting with id",
        _bad("project_id;cost;name;selected", "cost;project_id;name;selected"),
        10,
        "must start with 'project_id'",
    ),
    ("repeated column", _bad("voter_id;vote;age", "voter_id;vote;vote"), 15, "repeats column"),
    (
        "non-numeric cost",
        _bad("2;30;Bench", "2;thirty;Bench"),
        12,
        "cost 'thirty' of project '2' is not a number",
    ),
    ("negative cost", _bad("2;30;Bench", "2;-30;Bench"), 12, "negative"),
    (
        "duplicate project id",
        _bad("10;50;Library", "2;50;Library"),
        13,
        "project_id '2' already used on line 12",
    ),
    (
        "short project row",
        _bad("2;30;Bench;1", "2;30;Bench"),
        12,
        "has 3 fields but the header has 4",
    ),
    ("unknown project in vote", _bad("c;10;25", "c;11;25"), 18, "unknown project '11'"),
    ("project twice in vote", _bad("c;10;25", "c;10,10;25"), 18, "more than once"),
    ("duplicate voter id", _bad("c;10;25", "a;10;25"), 18, "voter_id 'a' already used on line 16"),
    (
        "num_votes mismatch",
        _bad("num_votes;4", "num_votes;5"),
        2,
        "num_votes says 5 but the file has 4",
    ),
    ("content before META", "hello\n" + GOOD, 1, "content before the META section"),
    (
        "choose-1 with two projects",
        _bad("vote_type;approval", "vote_type;choose-1"),
        16,
        "choose-1 vote",
    ),
    ("malformed quote", _bad("c;10;25", 'c;"10;25'), 18, "malformed CSV"),
    ("quote over lines", _bad("c;10;25", 'c;"10\n";25'), 18, "runs over several lines"),
]

CUMULATIVE = _bad("vote_type;approval", "vote_type;cumulative").replace(
    "voter_id;vote;age\na;1,2;30\nb;2,1;41\nc;10;25\nd;;60",
    "voter_id;vote;points\na;1,2;2,1\nb;2,1;1,2\nc;10;3\nd;;",
)
BAD += [
    (
        "points count differs",
        _bad("c;10;3", "c;10;3,1", CUMULATIVE),
        18,
        "2 point values for 1 projects",
    ),
    ("points not numbers", _bad("c;10;3", "c;10;x", CUMULATIVE), 18, "points 'x'"),
    ("fractional points", _bad("c;10;3", "c;10;1.5", CUMULATIVE), 18, "whole number"),
    (
        "no points column",
        CUMULATIVE.replace("voter_id;vote;points", "voter_id;vote;pts"),
        15,
        "need a 'points' column",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_name_the_line(case, text, line, message):
    with pytest.raises(PabulibFormatError) as info:
        pb.parse_pabulib(text, source="city.pb")
    err = info.value
    assert isinstance(err, ValueError)
    assert message in str(err)
    assert err.source == "city.pb"
    assert err.line == line, str(err)
    assert str(err).startswith("city.pb" + (f", line {line}" if line else ""))


def test_cumulative_file_reads():
    e = pb.election_from_pabulib(pb.parse_pabulib(CUMULATIVE))
    # "1,2 with 2,1 points" and "2,1 with 1,2 points" are the same ballot
    assert sorted((dict(entries), w) for entries, w in e.ballots() if w == 2) == [
        ({"1": 2, "2": 1}, 2)
    ]
    assert sorted(w for _, w in e.ballots()) == [1, 1, 2]


def test_read_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.pb"
    path.write_bytes(GOOD.encode() + b"e;\xff\xfe;1\n")
    with pytest.raises(PabulibFormatError, match=r"broken.pb, line 20: file is not UTF-8"):
        pb.read_pabulib(path)
    with pytest.raises(FileNotFoundError):
        pb.read_pabulib(tmp_path / "absent.pb")


def test_election_from_ballots_checks_input():
    projects = [pb.Project("a", Fraction(10)), pb.Project("b", Fraction(5))]
    e = pb.election_from_ballots(projects, 12, [["a"], ["a"], ["b", "a"], []])
    assert e.n_groups == 3 and e.n_voters == 4
    with pytest.raises(pb.PBError, match="unknown project id 'c'"):
        pb.election_from_ballots(projects, 12, [["c"]])
    with pytest.raises(pb.PBError, match="named twice"):
        pb.election_from_ballots(projects, 12, [["a", "a"]])
    with pytest.raises(pb.PBError, match="appears twice"):
        pb.election_from_ballots(projects + projects, 12, [])
    with pytest.raises(pb.PBError, match="negative"):
        pb.election_from_ballots(projects, -1, [])
    with pytest.raises(pb.PBError, match="choose-1"):
        pb.election_from_ballots(projects, 12, [["a", "b"]], vote_type="choose-1")
    with pytest.raises(pb.PBError, match="must map projects to points"):
        pb.election_from_ballots(projects, 12, [["a"]], vote_type="cumulative")
    with pytest.raises(pb.PBError, match="not a whole number"):
        pb.election_from_ballots(projects, 12, [{"a": -1}], vote_type="cumulative")
    ranked = pb.election_from_ballots(projects, 12, [["b", "a"]], vote_type="ordinal")
    assert ranked.ballots() == [((("b", 1), ("a", 2)), 1)]
