"""Maximal and set covering against brute force on small random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharingcity.planning.siting import (
    SitingError,
    SitingInfeasibleError,
    coverage_groups,
    maximal_covering,
    set_covering,
)


@st.composite
def instances(draw):
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 6))
    travel = np.array(
        draw(
            st.lists(
                st.sampled_from([1.0, 2.0, 3.0, 5.0, 8.0, np.inf]), min_size=n * m, max_size=n * m
            )
        )
    ).reshape(n, m)
    demand = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=float)
    standard = draw(st.sampled_from([0.5, 2.0, 3.0, 5.0]))
    return demand, travel, standard


def brute_mclp(demand, travel, p, standard):
    within = travel <= standard
    return max(
        demand[within[:, list(c)].any(axis=1)].sum()
        for c in itertools.combinations(range(travel.shape[1]), p)
    )


def brute_lscp(demand, travel, standard):
    within = travel <= standard
    need = demand > 0
    for k in range(0, travel.shape[1] + 1):
        for c in itertools.combinations(range(travel.shape[1]), k):
            if within[need][:, list(c)].any(axis=1).all() if k else not need.any():
                return k
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 6))
def test_mclp_matches_brute_force(inst, p):
    demand, travel, standard = inst
    p = min(p, travel.shape[1])
    r = maximal_covering(demand, travel, p, standard)
    best = brute_mclp(demand, travel, p, standard)
    assert r.objective == best
    assert r.status == "optimal" and r.gap == 0.0
    assert len(r.sites) == p and len(set(r.sites)) == p
    within = travel <= standard
    # reported objective is what the sites really cover; assignment agrees
    assert demand[within[:, list(r.sites)].any(axis=1)].sum() == r.objective
    for zone, site in enumerate(r.assignment):
        if site >= 0:
            assert site in r.sites and within[zone, site]
        else:
            assert not within[zone, list(r.sites)].any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_lscp_matches_brute_force(inst):
    demand, travel, standard = inst
    best = brute_lscp(demand, travel, standard)
    if best is None:
        with pytest.raises(SitingInfeasibleError, match="no candidate site within"):
            set_covering(demand, travel, standard)
        return
    r = set_covering(demand, travel, standard)
    assert r.objective == best == len(r.sites)
    assert r.status == "optimal"
    within = travel <= standard
    assert within[demand > 0][:, list(r.sites)].any(axis=1).all() if best else True


@settings(max_examples=40, deadline=None)
@given(instances(), st.integers(1, 6))
def test_mclp_heuristic_bound_is_valid(inst, p):
    demand, travel, standard = inst
    p = min(p, travel.shape[1])
    r = maximal_covering(demand, travel, p, standard, method="heuristic")
    best = brute_mclp(demand, travel, p, standard)
    assert r.objective <= best + 1e-9 <= r.bound + 2e-9


def test_groups_merge_and_drop_dominated():
    within = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]], dtype=bool)
    demand = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    g = coverage_groups(demand, within)
    assert g.n_zones_uncoverable == 1
    assert g.group_of_zone[3] == -1
    assert g.group_of_zone[0] == g.group_of_zone[1]
    # site 0 covers zones {0,1}, a subset of site 1's {0,1,2}: dropped
    assert list(g.sites) == [1, 2]
    assert sorted(g.weight.tolist()) == [3.0, 4.0, 16.0]


def test_identical_sites_keep_one():
    within = np.array([[1, 1], [1, 1]], dtype=bool)
    g = coverage_groups(np.ones(2), within)
    assert list(g.sites) == [0]


def test_mclp_with_more_sites_than_useful():
    travel = np.array([[1.0, 1.0, 9.0], [1.0, 1.0, 9.0]])
    r = maximal_covering([1, 1], travel, 3, 2.0)
    assert r.sites == (0, 1, 2) and r.objective == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p": 0}, "p must be between 1 and 2"),
        ({"p": 3}, "p must be between 1 and 2"),
        ({"p": 1.5}, "p must be an integer"),
        ({"standard": -1.0}, "standard must be finite and non-negative"),
        ({"standard": float("nan")}, "standard must be finite"),
        ({"standard": "near"}, "standard must be a travel time"),
        ({"time_limit": 0}, "time_limit must be positive"),
        ({"time_limit": "soon"}, "time_limit must be a number"),
        ({"method": "magic"}, "method must be"),
        ({"gap": 1.5}, "gap must be a fraction"),
    ],
)
def test_mclp_bad_arguments(kwargs, message):
    args = {"demand": [1.0, 2.0], "travel": [[1.0, 2.0], [3.0, 4.0]], "p": 1, "standard": 2.0}
    args.update(kwargs)
    with pytest.raises(SitingError, match=message):
        maximal_covering(
            args.pop("demand"), args.pop("travel"), args.pop("p"), args.pop("standard"), **args
        )


@pytest.mark.parametrize(
    ("demand", "travel", "message"),
    [
        ([1.0], [[1.0, 2.0], [1.0, 2.0]], "travel has 2 rows but demand has 1"),
        ([[1.0]], [[1.0]], "demand must be one weight per zone"),
        ([1.0], [1.0], "travel must be a zones x sites matrix"),
        ([-1.0], [[1.0]], "demand weight of zone 0 is negative"),
        ([np.nan], [[1.0]], "demand weight of zone 0 is not finite"),
        ([1.0], [[np.nan]], "travel from zone 0 to site 0 is NaN"),
        ([1.0], [[-2.0]], "travel from zone 0 to site 0 is negative"),
        ([], np.zeros((0, 2)), "need at least one zone and one candidate site"),
        (["a"], [[1.0]], "must be numeric arrays"),
    ],
)
def test_bad_matrices(demand, travel, message):
    with pytest.raises(SitingError, match=message):
        set_covering(demand, travel, 1.0)


def test_lscp_names_uncoverable_zones():
    with pytest.raises(SitingInfeasibleError, match=r"2 zone\(s\).*: 1, 2"):
        set_covering([1, 1, 1], [[1.0], [5.0], [np.inf]], 2.0)


def test_lscp_zero_demand_zone_need_not_be_covered():
    r = set_covering([1, 0], [[1.0, 9.0], [9.0, 9.0]], 2.0)
    assert r.sites == (0,) and r.objective == 1
