"""Every rule and completion variant against pabutools on the shared Pabulib files.

pabutools is slow on the large files (MES add-one: 171 s on Ursynów, 31 s on Budapest with an
increment of 1,000; on Budapest even its greedy, plain MES and Phragmén take 7-12 s unloaded and
over 100 s on a busy machine), on Toulouse's cumulative ballots (add-one ~30 s) and, for add-one,
on Świecie (2-14 s). Those (file, rule) pairs are NOT in this test: ``bench/pb_mes.py`` compares MES
add-one on Budapest and Ursynów in the same run, and ``bench/pb_mes.py --all-oracle`` compares every
rule and variant on every file (slow). ``CASES`` below is the exact list that runs here.
"""

from __future__ import annotations

import pytest

from sharingcity.planning import pb

from .conftest import FILES

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


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for name in FILES:
        vt = VOTE_TYPE.get(name, "approval")
        utility = DEFAULT_UTILITY[vt]
        rules = [r for r in BASE_RULES if r != "phragmen" or vt == "approval"]
        if name in LOOP_FILES:
            rules += LOOP_VARIANTS
        if name == "Netherlands_Assen_2024":
            rules.append("mes:add1-integral-largest")
        if name not in SMALL:
            rules = [r for r in rules if r in LARGE_FAST_RULES[name]]
        cases += [(name, r, utility) for r in rules]
        if vt == "cumulative":
            cases.append((name, "greedy", "cost_points"))
            cases.append((name, "greedy", "cost"))
            if name in SMALL:
                cases.append((name, "mes:none", "cost"))
                cases.append((name, "mes:add1", "cost"))
        if vt == "approval" and name in SMALL:
            cases.append((name, "mes:none", "cardinality"))
            cases.append((name, "mes:add1", "cardinality"))
    return cases


CASES = _cases()


def ours(rule: str, election: pb.Election, utility: str) -> pb.Outcome:
    if rule == "greedy":
        return pb.greedy_utilitarian(election, utility=utility)
    if rule == "greedy-votes-per-cost":
        return pb.greedy_votes_per_cost(election)
    if rule == "mes:none":
        return pb.method_of_equal_shares(election, utility=utility)
    if rule in ADD1_VARIANTS:
        return pb.method_of_equal_shares(election, utility=utility, completion=ADD1_VARIANTS[rule])
    if rule == "phragmen":
        return pb.sequential_phragmen(election)
    raise ValueError(rule)


@pytest.mark.parametrize(("name", "rule", "utility"), CASES, ids=["-".join(c) for c in CASES])
def test_same_outcome_as_pabutools(name, rule, utility, elections, oracle):
    election = elections(name)
    got = ours(rule, election, utility)
    assert set(got.selected) == oracle(name, rule, utility)
    assert len(set(got.selected)) == len(got.selected)
    assert got.total_cost <= election.budget
    assert got.total_cost == sum(election.projects[election.index(p)].cost for p in got.selected)
