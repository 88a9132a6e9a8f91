"""Every rule and completion variant against pabutools on the shared Pabulib files.

``ALL_CASES`` is every (file, rule, utility) pair: every rule and completion variant with the
file's default utility on every file, plus the other utilities on the files where they apply.
pabutools is slow on the large files (MES add-one: 171 s on Ursynów, 31 s on Budapest with an
increment of 1,000; its loops for the other completions run plain MES hundreds of times), so:

* ``test_same_outcome_as_recorded_pabutools`` checks ours against pabutools' outcome for every
  case in ``ALL_CASES``, read from ``pabutools_outcomes.json``; that file is written by
  ``python bench/pb_mes.py --all-oracle`` (pabutools itself, with its version and timings);
* ``test_same_outcome_as_pabutools`` runs pabutools live on ``LIVE_CASES`` (where it takes at most
  a few seconds), so the oracle code itself is exercised on every run;
* ``test_recorded_outcomes_are_pabutools_now`` re-runs pabutools on every recorded case when
  pytest is given ``--pabutools-all`` (hours), so the record can be re-derived at will.

On Budapest the add-one completions use an increment of 1,000 HUF per voter (34,551 HUF per voter;
an increment of 1 would be about 23,000 MES runs for pabutools): the increment is a published
parameter of the variant, and both sides get the same one.
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest

from sharingcity.planning import pb

from .conftest import FILES

RECORD = Path(__file__).with_name("pabutools_outcomes.json")
INCREMENT = {"Hungary_Budapest_2024": 1000}

ADD1_VARIANTS = {
    "mes:add1": pb.MESCompletion(add_one=True),
    "mes:add1-greedy": pb.MESCompletion(add_one=True, then_greedy=True),
    "mes:add1-integral-first": pb.MESCompletion(add_one=True, endowment="integral"),
    "mes:add1-integral-largest": pb.MESCompletion(
        add_one=True, endowment="integral", stop="largest_feasible"
    ),
    "mes:add1-exact-largest": pb.MESCompletion(add_one=True, stop="largest_feasible"),
}

DEFAULT_UTILITY = {"approval": "cost", "cumulative": "points", "ordinal": "borda"}
VOTE_TYPE = {
    "Switzerland_Zurich_D10": "cumulative",
    "France_Toulouse_2019": "cumulative",
    "Switzerland_Zurich_S5R": "ordinal",
}
SMALL = (
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego",
    "Netherlands_Assen_2024",
    "Switzerland_Zurich_D10",
    "Switzerland_Zurich_S5",
    "Switzerland_Zurich_S5R",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals",
)
BASE_RULES = (
    "greedy",
    "greedy-votes-per-cost",
    "mes:none",
    "phragmen",
    "mes:add1",
    "mes:add1-greedy",
)
# The add-one variants pabutools has no loop for run pabutools' plain MES once per endowment
# step (hundreds of steps): only on the files where that stays fast.
LOOP_VARIANTS = ("mes:add1-integral-first", "mes:add1-integral-largest", "mes:add1-exact-largest")
LOOP_FILES = (
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego",
    "Switzerland_Zurich_D10",
    "Switzerland_Zurich_S5",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals",
)
# Where pabutools takes seconds per rule, only these run here (the rest: bench/pb_mes.py).
LARGE_FAST_RULES = {
    "France_Toulouse_2019": ("greedy", "greedy-votes-per-cost", "mes:none"),
    "Poland_Swiecie_2023": ("greedy", "greedy-votes-per-cost", "mes:none", "phragmen"),
    "Poland_Warszawa_2019_Ursynow": ("greedy", "mes:none"),
    "Hungary_Budapest_2024": (),
}


def _cases(*, live: bool) -> list[tuple[str, str, str]]:
    cases = []
    for name in FILES:
        vt = VOTE_TYPE.get(name, "approval")
        utility = DEFAULT_UTILITY[vt]
        rules = [r for r in BASE_RULES if r != "phragmen" or vt == "approval"]
        if not live or name in LOOP_FILES:
            rules += LOOP_VARIANTS
        elif name == "Netherlands_Assen_2024":
            rules.append("mes:add1-integral-largest")
        if live and name not in SMALL:
            rules = [r for r in rules if r in LARGE_FAST_RULES[name]]
        cases += [(name, r, utility) for r in rules]
        if vt == "cumulative":
            cases.append((name, "greedy", "cost_points"))
            cases.append((name, "greedy", "cost"))
            if not live or name in SMALL:
                cases.append((name, "mes:none", "cost"))
                cases.append((name, "mes:add1", "cost"))
        if vt == "approval" and (not live or name in SMALL):
            cases.append((name, "mes:none", "cardinality"))
            cases.append((name, "mes:add1", "cardinality"))
    return cases


ALL_CASES = _cases(live=False)
LIVE_CASES = _cases(live=True)


def case_key(name: str, rule: str, utility: str) -> str:
    return f"{name}|{rule}|{utility}|{INCREMENT.get(name, 1)}"


def recorded() -> dict[str, dict]:
    """pabutools' recorded outcomes by ``case_key`` (empty when nothing is recorded yet)."""
    if not RECORD.exists():
        return {}
    return json.loads(RECORD.read_text(encoding="utf-8"))["cases"]


def ours(rule: str, election: pb.Election, utility: str, increment: int = 1) -> pb.Outcome:
    if rule == "greedy":
        return pb.greedy_utilitarian(election, utility=utility)
    if rule == "greedy-votes-per-cost":
        return pb.greedy_votes_per_cost(election)
    if rule == "mes:none":
        return pb.method_of_equal_shares(election, utility=utility)
    if rule in ADD1_VARIANTS:
        completion = dataclasses.replace(ADD1_VARIANTS[rule], increment=Fraction(increment))
        return pb.method_of_equal_shares(election, utility=utility, completion=completion)
    if rule == "phragmen":
        return pb.sequential_phragmen(election)
    raise ValueError(rule)


def _check(got: pb.Outcome, election: pb.Election, expected: frozenset[str]) -> None:
    assert set(got.selected) == expected
    assert len(set(got.selected)) == len(got.selected)
    assert got.total_cost <= election.budget
    assert got.total_cost == sum(election.projects[election.index(p)].cost for p in got.selected)


def _ids(cases: list[tuple[str, str, str]]) -> list[str]:
    return ["-".join(c) for c in cases]


@pytest.mark.parametrize(("name", "rule", "utility"), LIVE_CASES, ids=_ids(LIVE_CASES))
def test_same_outcome_as_pabutools(name, rule, utility, elections, oracle):
    election = elections(name)
    got = ours(rule, election, utility, INCREMENT.get(name, 1))
    _check(got, election, oracle(name, rule, utility, INCREMENT.get(name, 1)))


@pytest.mark.parametrize(("name", "rule", "utility"), ALL_CASES, ids=_ids(ALL_CASES))
def test_same_outcome_as_recorded_pabutools(name, rule, utility, elections):
    record = recorded().get(case_key(name, rule, utility))
    assert record is not None, (
        f"pabutools' outcome for {case_key(name, rule, utility)} is not recorded: "
        "run python bench/pb_mes.py --all-oracle"
    )
    election = elections(name)
    _check(
        ours(rule, election, utility, INCREMENT.get(name, 1)),
        election,
        frozenset(record["selected"]),
    )


def test_recorded_outcomes_are_pabutools_now(request, oracle):
    """pabutools, run again on every recorded case, gives the recorded outcome (hours)."""
    if not request.config.getoption("--pabutools-all"):
        pytest.skip("re-running pabutools on all 109 cases takes hours: pass --pabutools-all")
    record = recorded()
    differ = [
        case_key(*case)
        for case in ALL_CASES
        if oracle(*case, INCREMENT.get(case[0], 1))
        != frozenset(record[case_key(*case)]["selected"])
    ]
    assert differ == []
