"""Quotas are always met, by every algorithm, on random small pools (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharingcity.planning.sortition import (
    InfeasibleQuotasError,
    PanelProblem,
    Quota,
    SortitionError,
    Volunteer,
    audit_draw,
    draw_legacy,
    draw_panel,
    explain_infeasibility,
    find_leximin,
    find_maximin,
)

FEATURES = {
    "district": ["north", "south", "east"],
    "age": ["18-34", "35-64", "65+"],
    "housing": ["own", "rent"],
}


@st.composite
def problems(draw):
    n = draw(st.integers(6, 40))
    size = draw(st.integers(2, min(12, n)))
    volunteers = []
    for i in range(n):
        values = {f: draw(st.sampled_from(vs)) for f, vs in FEATURES.items()}
        volunteers.append(
            Volunteer(f"p{i}", values, household=draw(st.sampled_from([None, None, "a", "b", "c"])))
        )
    quotas = []
    for feature, values in FEATURES.items():
        for value in values:
            low = draw(st.integers(0, size // len(values) + 1))
            quotas.append(Quota(feature, value, low, draw(st.integers(low, size))))
    return PanelProblem(volunteers, quotas, size, one_per_household=draw(st.booleans()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problems(),
    st.sampled_from(["leximin", "maximin"]),
    st.text(min_size=1, max_size=12).filter(
        lambda s: "\n" not in s and "\r" not in s and s.strip()
    ),
)
def test_lottery_panels_and_draws_always_meet_quotas(problem, algorithm, seed):
    try:
        lottery = (find_leximin if algorithm == "leximin" else find_maximin)(problem)
    except InfeasibleQuotasError as error:
        # Then the explanation must offer a relaxation (or say the pool is too small) that works.
        report = error.report
        assert report.conflict or report.pool_too_small
        if not report.pool_too_small:
            changed = {(c.quota.feature, c.quota.value): c for c in report.relaxation}
            relaxed = [
                Quota(
                    q.feature,
                    q.value,
                    changed[(q.feature, q.value)].new_min,
                    changed[(q.feature, q.value)].new_max,
                )
                if (q.feature, q.value) in changed
                else q
                for q in problem.quotas
            ]
            fixed = PanelProblem(
                problem.volunteers,
                relaxed,
                problem.size,
                one_per_household=problem.one_per_household,
            )
            assert explain_infeasibility(fixed).conflict == []
        return
    assert lottery.check_panels() == []
    assert sum(lottery.selection_probabilities().values()) == pytest.approx(problem.size, abs=1e-6)
    draw = draw_panel(lottery, seed)
    assert problem.panel_violations(draw.panel) == []
    assert audit_draw(lottery, draw).quotas_met
    try:
        legacy = draw_legacy(problem, seed=0, max_attempts=50)
    except SortitionError:
        return  # the greedy may get stuck where a panel exists; that is its known weakness
    assert problem.panel_violations(legacy) == []
