"""Recounts equal the cities' official results where the file names the rule used (README table)."""

from __future__ import annotations

import pytest

from sharingcity.planning import pb
from sharingcity.planning.pb.official import check_official, official_rule

# (file, META rule, number of funded projects in the official result)
OFFICIAL = [
    ("Poland_Warszawa_2017_Plac_Wojska_Polskiego", "greedy", 4),
    ("Netherlands_Assen_2024", "equalshares/add1", 9),
    ("Poland_Swiecie_2023", "equalshares/add1", 17),
    ("Poland_Warszawa_2019_Ursynow", "greedy", 18),
]


@pytest.mark.parametrize(("name", "rule", "count"), OFFICIAL, ids=[o[0] for o in OFFICIAL])
def test_recount_equals_official(name, rule, count, pabulib_dir, elections):
    pf = pb.read_pabulib(pabulib_dir / f"{name}.pb")
    check = check_official(pf, elections(name))
    assert check.meta_rule == rule
    assert len(check.official) == count
    assert check.matches, (check.only_official, check.only_recounted)


def test_assen_official_also_is_largest_integral_endowment(elections, pabulib_dir):
    # docs/research/pb_sortition.md 1.2: integral start, largest feasible also gives Assen's result
    pf = pb.read_pabulib(pabulib_dir / "Netherlands_Assen_2024.pb")
    official = {
        row[0]
        for row, s in zip(pf.projects, pf.project_column("selected"), strict=True)
        if s == "1"
    }
    got = pb.method_of_equal_shares(
        elections("Netherlands_Assen_2024"), completion="add1-integral-largest"
    )
    assert set(got.selected) == official
    # while the greedy completion adds a project the city did not fund (project 7)
    greedy = pb.method_of_equal_shares(
        elections("Netherlands_Assen_2024"), completion="add1-greedy"
    )
    assert set(greedy.selected) - official == {"7"}


def test_files_without_a_recountable_rule(pabulib_dir, elections):
    budapest = pb.read_pabulib(pabulib_dir / "Hungary_Budapest_2024.pb")
    with pytest.raises(pb.PBError, match="META rule 'unknown' cannot be recounted"):
        check_official(budapest, elections("Hungary_Budapest_2024"))
    toulouse = pb.read_pabulib(pabulib_dir / "France_Toulouse_2019.pb")
    with pytest.raises(pb.PBError, match="no 'selected' column"):
        check_official(toulouse, elections("France_Toulouse_2019"))
    with pytest.raises(pb.PBError, match="greedy-threshold"):
        official_rule({"rule": "greedy-threshold"})
