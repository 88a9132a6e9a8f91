"""LEXIMIN and maximin: against sortition-algorithms' maximin, the paper's reference outputs, and brute force."""

from __future__ import annotations

import itertools
import re
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sharingcity.planning.sortition import (
    InfeasibleQuotasError,
    PanelProblem,
    Quota,
    Volunteer,
    find_leximin,
    find_maximin,
    group_volunteers,
    read_pool_csv,
    read_quotas_csv,
)
from sharingcity.planning.sortition import leximin as leximin_module
from sharingcity.planning.sortition import relaxed as relaxed_module
from sharingcity.planning.sortition.relaxed import relaxed_leximin

from ._oracle import oracle_maximin_allocation

SHARED = {
    # name: (folder, quota file, pool file, id column, panel size)
    "example_small_20": (
        "flanigan2021_replication/example_small_20",
        "features_sortition_algorithms_format.csv",
        "people_sortition_algorithms_format.csv",
        "id",
        20,
    ),
    "fixture_150": (
        "sortition_algorithms_fixtures",
        "features.csv",
        "candidates.csv",
        "nationbuilder_id",
        22,
    ),
    "synthetic_500": ("synthetic_500", "features_panel50.csv", "people.csv", "id", 50),
}


def load(shared_data, name):
    folder, quota_file, pool_file, id_column, size = SHARED[name]
    base = shared_data("sortition") / folder
    quotas = read_quotas_csv(base / quota_file)
    pool = read_pool_csv(base / pool_file, quotas, id_column=id_column)
    return PanelProblem(pool, quotas, size), base / quota_file, base / pool_file, id_column


def sorted_probabilities(allocation):
    return np.sort(np.fromiter(allocation.values(), dtype=np.float64))


def lex_at_least(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-6) -> bool:
    """True when sorted vector ``a`` is lexicographically at least ``b`` (up to ``tolerance``)."""
    for x, y in zip(a, b, strict=True):
        if x > y + tolerance:
            return True
        if x < y - tolerance:
            return False
    return True


@pytest.mark.parametrize(
    "name",
    [
        # sortition-algorithms needs 10-120 s on the 200- and 500-volunteer pools (one ILP per person
        # to start), so those two run with the slow checks; the 150-person fixture always runs.
        pytest.param("example_small_20", marks=pytest.mark.slow),
        "fixture_150",
        pytest.param("synthetic_500", marks=pytest.mark.slow),
    ],
)
def test_leximin_minimum_equals_sortition_algorithms_maximin(shared_data, name):
    problem, quota_file, pool_file, id_column = load(shared_data, name)
    oracle = oracle_maximin_allocation(quota_file, pool_file, problem.size, id_column)
    leximin = find_leximin(problem)
    maximin = find_maximin(problem)
    assert leximin.minimum_probability == pytest.approx(min(oracle.values()), abs=1e-6)
    assert maximin.minimum_probability == pytest.approx(min(oracle.values()), abs=1e-6)
    ours = sorted_probabilities(leximin.selection_probabilities())
    # LEXIMIN's sorted probabilities dominate any other distribution's, level by level.
    assert lex_at_least(ours, sorted_probabilities(oracle))
    assert lex_at_least(ours, sorted_probabilities(maximin.selection_probabilities()))
    assert leximin.check_panels() == []
    assert sum(leximin.selection_probabilities().values()) == pytest.approx(problem.size, abs=1e-6)


@pytest.mark.parametrize("name", ["example_small_20", "example_large_200"])
def test_paper_reference_outputs(shared_data, name):
    base = shared_data("sortition") / "flanigan2021_replication"
    reference = (base / "reference_output" / f"{name}_statistics.txt").read_text(encoding="utf-8")
    expected = (
        float(re.search(r"LEXIMIN minimum probability \(exact\):\s*([\d.]+)%", reference).group(1))
        / 100
    )
    size = int(re.search(r"panel size k:\s*(\d+)", reference).group(1))
    quotas = read_quotas_csv(base / name / "categories.csv")
    problem = PanelProblem(read_pool_csv(base / name / "respondents.csv", quotas), quotas, size)
    lottery = find_leximin(problem)
    assert expected == pytest.approx(0.10)
    assert lottery.minimum_probability == pytest.approx(expected, abs=1e-6)
    # The paper's point: everyone, including the one female conservative, gets k/n.
    assert max(lottery.selection_probabilities().values()) == pytest.approx(expected, abs=1e-6)


def levels(probabilities: np.ndarray, tolerance: float = 1e-6) -> list[float]:
    """Distinct probability levels, merging values closer than ``tolerance``."""
    out: list[float] = []
    for value in np.sort(probabilities):
        if not out or value > out[-1] + tolerance:
            out.append(float(value))
    return out


def test_second_level_no_worse_than_maximin(shared_data):
    problem, *_ = load(shared_data, "fixture_150")
    leximin = levels(find_leximin(problem).group_probabilities)
    maximin = levels(find_maximin(problem).group_probabilities)
    assert leximin[0] == pytest.approx(maximin[0], abs=1e-6)
    assert len(leximin) > 1 and len(maximin) > 1
    assert leximin[1] >= maximin[1] - 1e-6


# ------------------------------------------------------------------ brute force on tiny pools


def all_panels(problem: PanelProblem) -> list[tuple[int, ...]]:
    ids = [v.id for v in problem.volunteers]
    return [
        combo
        for combo in itertools.combinations(range(len(ids)), problem.size)
        if not problem.panel_violations([ids[i] for i in combo])
    ]


def brute_force_leximin(problem: PanelProblem) -> np.ndarray:
    """Sorted LEXIMIN probabilities by enumerating every valid panel (one LP per volunteer per level)."""
    panels = all_panels(problem)
    n, m = len(problem.volunteers), len(panels)
    a = np.zeros((n, m))
    for j, panel in enumerate(panels):
        a[list(panel), j] = 1.0
    coverable = a.any(axis=1)
    fixed = np.where(coverable, np.nan, 0.0)
    while np.isnan(fixed).any():
        free = np.isnan(fixed)
        # max z: Σλ = 1, a_i·λ ≥ z (free i), a_i·λ ≥ f_i (fixed i); variables (λ, z).
        a_ub = np.hstack([-a, np.where(free, 1.0, 0.0)[:, None]])
        b_ub = np.where(free, 0.0, -np.nan_to_num(fixed) + 1e-9)
        result = linprog(np.append(np.zeros(m), -1.0), A_ub=a_ub, b_ub=b_ub, A_eq=[np.append(np.ones(m), 0.0)], b_eq=[1.0],
                         bounds=[(0, None)] * m + [(None, None)], method="highs")  # fmt: skip
        z = -result.fun
        # Fix every free volunteer who cannot get more than z while the others keep z.
        for i in np.flatnonzero(free):
            others = free.copy()
            others[i] = False
            b_ub2 = np.where(others, -z + 1e-9, np.where(free, 0.0, -np.nan_to_num(fixed) + 1e-9))
            a_ub2 = np.hstack([-a, np.zeros((n, 1))])
            a_ub2[i, m] = 1.0
            b_ub2[i] = 0.0
            r2 = linprog(np.append(np.zeros(m), -1.0), A_ub=a_ub2, b_ub=b_ub2, A_eq=[np.append(np.ones(m), 0.0)], b_eq=[1.0],
                         bounds=[(0, None)] * m + [(None, None)], method="highs")  # fmt: skip
            if -r2.fun <= z + 1e-7:
                fixed[i] = z
    return np.sort(fixed)


@st.composite
def tiny_problems(draw, three_features=False):
    n = draw(st.integers(4, 8))
    size = draw(st.integers(1, min(4, n - 1)))
    genders = draw(st.lists(st.sampled_from(["f", "m"]), min_size=n, max_size=n))
    ages = draw(st.lists(st.sampled_from(["young", "mid", "old"]), min_size=n, max_size=n))
    households = draw(st.lists(st.sampled_from([None, "h1", "h2"]), min_size=n, max_size=n))
    tenures = draw(st.lists(st.sampled_from(["own", "rent"]), min_size=n, max_size=n))
    features = [("gender", ["f", "m"]), ("age", ["young", "mid", "old"])]
    if three_features:
        features.append(("tenure", ["own", "rent"]))
    volunteers = [
        Volunteer(
            f"v{i}",
            {"gender": g, "age": a, "tenure": r} if three_features else {"gender": g, "age": a},
            h,
        )
        for i, (g, a, r, h) in enumerate(zip(genders, ages, tenures, households, strict=True))
    ]
    quotas = []
    for feature, values in features:
        for value in values:
            low = draw(st.integers(0, size))
            high = draw(st.integers(low, size))
            quotas.append(Quota(feature, value, low, high))
    return PanelProblem(volunteers, quotas, size, one_per_household=draw(st.booleans()))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_problems())
def test_leximin_matches_brute_force_on_tiny_pools(problem):
    if not all_panels(problem):
        with pytest.raises(InfeasibleQuotasError):
            find_leximin(problem)
        return
    lottery = find_leximin(problem)
    assert lottery.check_panels() == []
    ours = np.sort(np.fromiter(lottery.selection_probabilities().values(), dtype=np.float64))
    np.testing.assert_allclose(ours, brute_force_leximin(problem), atol=1e-6)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_problems(three_features=True), st.booleans())
def test_leximin_matches_brute_force_with_three_features(problem, relaxation):
    """Three features (not totally unimodular), through the LP relaxation and without it."""
    if not all_panels(problem):
        with pytest.raises(InfeasibleQuotasError):
            find_leximin(problem)
        return
    with patch.object(leximin_module, "USE_RELAXATION", relaxation):
        lottery = find_leximin(problem)
    assert lottery.check_panels() == []
    ours = np.sort(np.fromiter(lottery.selection_probabilities().values(), dtype=np.float64))
    np.testing.assert_allclose(ours, brute_force_leximin(problem), atol=1e-6)


def odd_triangle(fillers: int, size: int = 3) -> PanelProblem:
    """Three binary features with one seat each: the relaxation can seat half of each of the three
    two-feature volunteers (a fractional vertex), panels cannot."""
    rows = [("y", "y", "n"), ("y", "n", "y"), ("n", "y", "y"), ("y", "n", "n"), ("n", "y", "n"),
            ("n", "n", "y"), *[("n", "n", "n")] * fillers]  # fmt: skip
    volunteers = [
        Volunteer(f"v{i}", dict(zip("ABC", row, strict=True))) for i, row in enumerate(rows)
    ]
    quotas = [Quota(f, "y", 1, 1) for f in "ABC"] + [Quota(f, "n", 0, size) for f in "ABC"]
    return PanelProblem(volunteers, quotas, size)


def test_relaxation_out_of_reach_falls_back_to_the_exact_levels():
    problem = odd_triangle(fillers=4)
    groups = group_volunteers(problem)
    relaxed = relaxed_leximin(
        groups, problem.quotas, problem.size, np.zeros(groups.count, dtype=bool)
    )
    assert relaxed is not None
    # The relaxation promises 3/11 to everyone at the bottom; panels give at most 1/4.
    assert relaxed.levels.min() == pytest.approx(3 / 11, abs=1e-9)
    log: list[str] = []
    lottery = find_leximin(problem, progress=log.append)
    assert any("out of reach" in line for line in log)
    ours = np.sort(np.fromiter(lottery.selection_probabilities().values(), dtype=np.float64))
    np.testing.assert_allclose(ours, brute_force_leximin(problem), atol=1e-6)
    assert lottery.minimum_probability == pytest.approx(0.25, abs=1e-9)


def test_relaxation_and_exact_levels_agree_on_fixture_150(shared_data):
    problem, *_ = load(shared_data, "fixture_150")
    log: list[str] = []
    fast = find_leximin(problem, progress=log.append)
    assert any("decomposition" in line and "deviation" in line for line in log)  # the fast path
    with patch.object(leximin_module, "USE_RELAXATION", False):
        exact = find_leximin(problem)
    assert fast.check_panels() == []
    np.testing.assert_allclose(
        np.sort(fast.group_probabilities), np.sort(exact.group_probabilities), atol=1e-6
    )


def test_relaxation_levels_do_not_depend_on_the_dual_shortcut(shared_data):
    """Groups fixed by a positive dual are the ones an LP per group would fix."""
    problem, *_ = load(shared_data, "fixture_150")
    groups = group_volunteers(problem)
    never = np.zeros(groups.count, dtype=bool)
    quick = relaxed_leximin(groups, problem.quotas, problem.size, never)
    with patch.object(relaxed_module, "DUAL_TOLERANCE", np.inf):
        tested = relaxed_leximin(groups, problem.quotas, problem.size, never)
    assert quick is not None and tested is not None
    assert quick.count == tested.count
    np.testing.assert_allclose(quick.levels, tested.levels, atol=1e-9)


def test_groups_compress_interchangeable_volunteers(shared_data):
    base = shared_data("sortition") / "flanigan2021_replication" / "example_large_200"
    quotas = read_quotas_csv(base / "categories.csv")
    groups = group_volunteers(
        PanelProblem(read_pool_csv(base / "respondents.csv", quotas), quotas, 200)
    )
    assert sorted(groups.sizes.tolist()) == [1, 999, 1000]


def test_housemates_are_never_both_seated():
    volunteers = [
        Volunteer(f"v{i}", {"g": "a" if i % 2 else "b"}, "flat" if i < 3 else None)
        for i in range(8)
    ]
    problem = PanelProblem(
        volunteers, [Quota("g", "a", 1, 3), Quota("g", "b", 1, 3)], 4, one_per_household=True
    )
    lottery = find_leximin(problem)
    assert lottery.check_panels() == []
    probabilities = lottery.selection_probabilities()
    # At most one seat among v0, v1, v2 in every panel: their probabilities sum to at most 1.
    assert probabilities["v0"] + probabilities["v1"] + probabilities["v2"] <= 1 + 1e-9
    for panel, _ in zip(lottery.panels, lottery.tickets, strict=True):
        seats = dict(panel)
        assert sum(seats.get(t, 0) for t in lottery.households[0]) <= 1


def test_volunteers_who_can_never_sit_get_zero():
    volunteers = [
        Volunteer("x", {"g": "rare"}),
        *(Volunteer(f"v{i}", {"g": "common"}) for i in range(5)),
    ]
    problem = PanelProblem(volunteers, [Quota("g", "rare", 0, 0), Quota("g", "common", 0, 3)], 3)
    lottery = find_leximin(problem)
    probabilities = lottery.selection_probabilities()
    assert probabilities["x"] == 0.0
    assert all(probabilities[f"v{i}"] == pytest.approx(0.6) for i in range(5))
