"""Audit report, replacement draws and the legacy comparison."""

from __future__ import annotations

import pytest

from sharingcity.planning.sortition import (
    PanelProblem,
    Quota,
    SortitionInputError,
    Volunteer,
    audit_draw,
    draw_legacy,
    draw_panel,
    draw_replacements,
    estimate_legacy_probabilities,
    find_leximin,
    find_maximin,
    read_pool_csv,
    read_quotas_csv,
    replacement_problem,
)


@pytest.fixture(scope="module")
def problem():
    volunteers = [
        Volunteer(
            f"v{i:02d}",
            {"gender": "f" if i % 2 else "m", "district": ["n", "s", "e"][i % 3]},
            household=f"h{i // 3}",
        )
        for i in range(30)
    ]
    quotas = [
        Quota("gender", "f", 3, 4), Quota("gender", "m", 3, 4),
        Quota("district", "n", 2, 3), Quota("district", "s", 2, 3), Quota("district", "e", 2, 3),
    ]  # fmt: skip
    return PanelProblem(volunteers, quotas, 7, one_per_household=True)


def test_audit_report(problem):
    lottery = find_leximin(problem)
    draw = draw_panel(lottery, "published numbers 1 2 3")
    report = audit_draw(lottery, draw)
    assert report.quotas_met
    assert report.minimum_probability == pytest.approx(lottery.minimum_probability)
    assert report.probability_summary()["mean"] == pytest.approx(7 / 30)
    assert {c.quota.label: c.seats for c in report.quota_checks} == {
        label: seats
        for (f, v), seats in problem.quota_counts(draw.panel).items()
        for label in [f"{f} = {v}"]
    }
    data = report.to_dict()
    assert data["lottery_digest"] == lottery.digest and data["panel"] == list(draw.panel)
    text = report.to_text()
    assert "Quotas: all met" in text and lottery.digest in text and "minimum" in text


def test_audit_rejects_a_forged_draw(problem):
    lottery = find_leximin(problem)
    draw = draw_panel(lottery, "seed")
    other = [v.id for v in problem.volunteers if v.id not in draw.panel][: len(draw.panel)]
    forged = type(draw)(
        tuple(sorted(other)),
        draw.panel_index,
        draw.ticket,
        draw.total_tickets,
        draw.seed,
        draw.lottery_digest,
    )
    with pytest.raises(SortitionInputError, match="does not match"):
        audit_draw(lottery, forged)


def test_replacements_keep_quotas_and_households(problem):
    lottery = find_leximin(problem)
    panel = draw_panel(lottery, "first draw").panel
    declined = [panel[0], panel[3]]
    result = draw_replacements(problem, panel=panel, declined=declined, seed="second draw")
    assert len(result.replacements) == 2
    assert not set(result.replacements) & set(panel)
    assert set(panel) - set(declined) <= set(result.panel)
    assert problem.panel_violations(result.panel) == []
    # Re-runnable like the first draw.
    assert draw_panel(result.lottery, "second draw").panel == result.replacements
    maximin = draw_replacements(
        problem, panel=panel, declined=declined, seed="second draw", selector=find_maximin
    )
    assert problem.panel_violations(maximin.panel) == []


def test_replacement_problem_shrinks_quotas(problem):
    panel = draw_panel(find_leximin(problem), "x").panel
    sub = replacement_problem(problem, panel=panel, declined=[panel[0]])
    assert sub.size == 1 and len(sub.volunteers) < len(problem.volunteers) - len(panel) + 1
    kept = problem.quota_counts(panel[1:])
    for old, new in zip(problem.quotas, sub.quotas, strict=True):
        assert new.max == old.max - kept[(old.feature, old.value)]
    with pytest.raises(SortitionInputError, match="nothing to replace"):
        replacement_problem(problem, panel=panel, declined=[])
    with pytest.raises(SortitionInputError, match="not on the panel"):
        replacement_problem(problem, panel=panel, declined=["nobody"])


def test_legacy_underselects_the_lone_volunteer(shared_data):
    """The paper's point on example_small_20: LEGACY picks the one female conservative far below 10 %."""
    folder = shared_data("sortition") / "flanigan2021_replication" / "example_small_20"
    quotas = read_quotas_csv(folder / "categories.csv")
    problem = PanelProblem(read_pool_csv(folder / "respondents.csv", quotas), quotas, 20)
    for seed in range(5):
        assert problem.panel_violations(draw_legacy(problem, seed=seed)) == []
    estimate = estimate_legacy_probabilities(problem, draws=400, seed=7)
    lone = "r0"  # the first respondent is the female conservative
    assert dict(problem.volunteer(lone).features) == {"gender": "female", "leaning": "conservative"}
    assert (
        estimate[lone]
        < 0.05
        < 0.1
        == pytest.approx(find_leximin(problem).selection_probabilities()[lone], abs=1e-6)
    )
