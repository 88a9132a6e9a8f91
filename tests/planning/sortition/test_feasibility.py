"""Impossible quotas: which conflict, and the smallest relaxation, in words."""

from __future__ import annotations

import pytest

from sharingcity.planning.sortition import (
    InfeasibleQuotasError,
    PanelProblem,
    Quota,
    Volunteer,
    draw_legacy,
    explain_infeasibility,
    find_leximin,
    find_maximin,
)


def pool(n_f=10, n_m=10, young=(0, 5)):
    people = []
    for i in range(n_f + n_m):
        gender = "f" if i < n_f else "m"
        age = "young" if young[0] <= i % 10 < young[1] else "old"
        people.append(Volunteer(f"v{i}", {"gender": gender, "age": age}, household=f"h{i // 2}"))
    return people


def test_minimums_adding_up_to_more_than_the_panel():
    quotas = [
        Quota("gender", "f", 6, 10),
        Quota("gender", "m", 5, 10),
        Quota("age", "young", 0, 10),
        Quota("age", "old", 0, 10),
    ]
    problem = PanelProblem(pool(), quotas, 10)
    with pytest.raises(InfeasibleQuotasError) as caught:
        find_leximin(problem)
    report = caught.value.report
    assert {(b.quota.value, b.kind) for b in report.conflict} == {("f", "min"), ("m", "min")}
    assert report.relaxation_seats == 1
    assert len(report.relaxation) == 1 and report.relaxation[0].quota.feature == "gender"
    text = str(caught.value)
    assert "the minimums of gender add up to 11, more than the 10 seats" in text
    assert "gender = f: at least 6 seat(s)" in text and "gender = m: at least 5 seat(s)" in text
    assert "lower the minimum of gender = " in text


def test_conflict_across_features():
    # Women are all young; at least 4 women but at most 2 young people cannot both hold.
    people = [Volunteer(f"w{i}", {"gender": "f", "age": "young"}) for i in range(5)]
    people += [Volunteer(f"m{i}", {"gender": "m", "age": "old"}) for i in range(5)]
    quotas = [
        Quota("gender", "f", 4, 6),
        Quota("gender", "m", 0, 6),
        Quota("age", "young", 0, 2),
        Quota("age", "old", 0, 6),
    ]
    problem = PanelProblem(people, quotas, 6)
    report = explain_infeasibility(problem)
    assert {(b.quota.label, b.kind) for b in report.conflict} == {
        ("gender = f", "min"),
        ("age = young", "max"),
    }
    assert report.relaxation_seats == 2
    assert [c.words() for c in report.relaxation] in (
        ["lower the minimum of gender = f from 4 to 2"],
        ["raise the maximum of age = young from 2 to 4"],
        [
            "lower the minimum of gender = f from 4 to 3",
            "raise the maximum of age = young from 2 to 3",
        ],
    )
    with pytest.raises(InfeasibleQuotasError):
        find_maximin(problem)


def test_too_few_volunteers_with_a_value():
    quotas = [
        Quota("gender", "f", 0, 10),
        Quota("gender", "m", 0, 10),
        Quota("age", "young", 7, 10),
        Quota("age", "old", 0, 10),
    ]
    report = explain_infeasibility(PanelProblem(pool(young=(0, 3)), quotas, 10))
    assert "only 6 volunteer(s) have age = young, but the minimum is 7" in report.explanation()
    assert report.relaxation[0].new_min == 6


def test_household_rule_can_make_quotas_impossible():
    quotas = [
        Quota("gender", "f", 0, 20),
        Quota("gender", "m", 0, 20),
        Quota("age", "young", 0, 20),
        Quota("age", "old", 0, 20),
    ]
    problem = PanelProblem(pool(), quotas, 11, one_per_household=True)  # 10 households of 2
    report = explain_infeasibility(problem)
    assert report.pool_too_small
    assert "not enough volunteers (or households)" in report.explanation()
    assert explain_infeasibility(PanelProblem(pool(), quotas, 11)).conflict == []


def test_legacy_gives_up_on_impossible_quotas():
    quotas = [
        Quota("gender", "f", 6, 10),
        Quota("gender", "m", 5, 10),
        Quota("age", "young", 0, 10),
        Quota("age", "old", 0, 10),
    ]
    with pytest.raises(ValueError, match="stuck"):
        draw_legacy(PanelProblem(pool(), quotas, 10), seed=1, max_attempts=5)
