"""p-median: exact answers against brute force, valid bounds, capacities, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharingcity.planning.siting import (
    SitingError,
    SitingInfeasibleError,
    greedy_sites,
    interchange,
    lagrangian_bound,
    p_median,
    synthetic_city,
)
from sharingcity.planning.siting.pmedian import Neighbours, fix_sites_by_reduced_cost


@st.composite
def instances(draw):
    n = draw(st.integers(1, 10))
    m = draw(st.integers(1, 7))
    travel = np.array(
        draw(st.lists(st.integers(0, 20), min_size=n * m, max_size=n * m)), dtype=float
    ).reshape(n, m)
    demand = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    return demand, travel


def brute(demand, travel, p):
    return min(
        float(demand @ travel[:, list(c)].min(axis=1))
        for c in itertools.combinations(range(travel.shape[1]), p)
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 7))
def test_exact_matches_brute_force(inst, p):
    demand, travel = inst
    p = min(p, travel.shape[1])
    r = p_median(demand, travel, p)
    assert r.objective == brute(demand, travel, p)
    assert r.status == "optimal" and r.gap == 0.0
    assert len(r.sites) == p
    assert r.objective == pytest.approx(float(demand @ travel[:, list(r.sites)].min(axis=1)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 7))
def test_heuristic_bound_brackets_optimum(inst, p):
    demand, travel = inst
    p = min(p, travel.shape[1])
    r = p_median(demand, travel, p, method="heuristic")
    best = brute(demand, travel, p)
    assert r.bound <= best + 1e-9 <= r.objective + 2e-9


def test_reduced_cost_fixing_keeps_an_optimum():
    city = synthetic_city(300, 40, seed=3)
    w, d, p = city.demand, city.travel, 5
    s = greedy_sites(w, d, p)
    s, _ = interchange(w, d, s)
    ub = float(w @ d[:, s].min(axis=1))
    lag = lagrangian_bound(w, d, p, upper=ub, upper_sites=s, max_iterations=400, integral=True)
    closed, opened = fix_sites_by_reduced_cost(lag, p, integral=True)
    exact = p_median(w, d, p)
    assert exact.status == "optimal"
    assert lag.bound <= exact.objective + 1e-6
    # no site of the proven optimum was ruled out unless the incumbent is itself optimal
    if lag.upper > exact.objective:
        assert not closed[list(exact.sites)].any()
    assert closed.sum() > 0  # the reduction does something on a city of this size


def test_interchange_neighbour_lists_agree_with_full_rows():
    city = synthetic_city(400, 60, seed=5)
    w, d = city.demand, city.travel
    start = np.arange(0, 60, 6)
    short = interchange(w, d, start, neighbours=Neighbours.of(d, k=4))[0]
    full = interchange(w, d, start, neighbours=Neighbours.of(d, k=60))[0]
    assert list(short) == list(full)


def test_start_sites_are_used():
    city = synthetic_city(200, 30, seed=2)
    r5 = p_median(city.demand, city.travel, 5)
    r6 = p_median(city.demand, city.travel, 6, start=list(r5.sites))
    assert r6.status == "optimal" and r6.objective <= r5.objective


def test_time_limit_returns_bound_and_status():
    city = synthetic_city(1500, 120, seed=11)
    r = p_median(city.demand, city.travel, 7, time_limit=1.0)
    assert r.bound <= r.objective
    assert r.status in ("optimal", "time limit")
    assert r.time_s < 20  # one second asked; allowance for a loaded shared machine
    if r.status == "time limit":
        assert r.gap > 0


def test_capacitated():
    travel = np.array([[1.0, 5.0], [1.0, 5.0], [5.0, 1.0]])
    demand = np.array([2.0, 2.0, 1.0])
    free = p_median(demand, travel, 1)
    assert free.sites == (0,)
    r = p_median(demand, travel, 2, capacities=[2.0, 3.0])
    assert r.status == "optimal"
    # site 0 can only take one of the two heavy zones; the other travels 5
    assert r.objective == 2 * 1 + 2 * 5 + 1 * 1
    loads = np.bincount(r.assignment, weights=demand, minlength=2)
    assert (loads <= np.array([2.0, 3.0]) + 1e-9).all()
    with pytest.raises(SitingInfeasibleError, match="largest capacities sum to 3"):
        p_median(demand, travel, 1, capacities=[2.0, 3.0])


def test_capacitated_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(5):
        n, m, p = 6, 4, 2
        travel = rng.integers(1, 10, size=(n, m)).astype(float)
        demand = rng.integers(1, 4, size=n).astype(float)
        cap = np.full(m, demand.sum() / 1.5)
        best = np.inf
        for c in itertools.combinations(range(m), p):
            for a in itertools.product(c, repeat=n):
                load = np.bincount(a, weights=demand, minlength=m)
                if (load <= cap + 1e-9).all():
                    best = min(best, float(sum(demand[i] * travel[i, a[i]] for i in range(n))))
        r = p_median(demand, travel, p, capacities=cap)
        assert r.objective == pytest.approx(best)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p": 0}, "p must be between 1 and 2"),
        ({"p": True}, "p must be an integer"),
        ({"travel": [[1.0, np.inf], [1.0, 2.0]]}, "infinite; the p-median needs every pair"),
        ({"method": "fast"}, "method must be 'exact' or 'heuristic'"),
        ({"gap": -0.1}, "gap must be a fraction"),
        ({"time_limit": -3}, "time_limit must be positive"),
        ({"capacities": [1.0]}, "capacities must have one value per site"),
        ({"capacities": [1.0, -1.0]}, "capacities must be finite and non-negative"),
        ({"start": [0, 0]}, "sites must be distinct"),
        ({"start": [5]}, "site index out of range"),
        ({"start": [0.5]}, "integer site indices"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"demand": [1.0, 2.0], "travel": [[1.0, 2.0], [3.0, 4.0]], "p": 1}
    args.update(kwargs)
    with pytest.raises(SitingError, match=message):
        p_median(args.pop("demand"), args.pop("travel"), args.pop("p"), **args)


def test_one_median_is_the_best_single_site():
    import numpy as np

    from sharingcity.planning.siting import p_median, synthetic_city

    city = synthetic_city(50, 50, seed=1)
    demand, travel = city.demand, city.travel
    result = p_median(demand, travel, 1)
    costs = (np.asarray(demand)[:, None] * np.asarray(travel)).sum(axis=0)
    assert result.objective == pytest.approx(costs.min())
