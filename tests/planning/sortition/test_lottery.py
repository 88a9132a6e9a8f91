"""The published lottery and its verifiable draw."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import numpy as np
import pytest

from sharingcity.planning.sortition import (
    TOTAL_TICKETS,
    PanelLottery,
    PanelProblem,
    Quota,
    SortitionInputError,
    Volunteer,
    commit_seed,
    draw_panel,
    find_leximin,
    read_pool_csv,
    read_quotas_csv,
    verify_draw,
)


@pytest.fixture(scope="module")
def small_lottery():
    volunteers = [
        Volunteer(
            f"v{i:02d}", {"gender": "f" if i % 3 else "m", "age": "young" if i < 7 else "old"}
        )
        for i in range(20)
    ]
    quotas = [
        Quota("gender", "f", 2, 4),
        Quota("gender", "m", 2, 4),
        Quota("age", "young", 1, 2),
        Quota("age", "old", 3, 5),
    ]
    problem = PanelProblem(volunteers, quotas, 6)
    return problem, find_leximin(problem)


def test_the_published_draw_reruns_to_the_same_panel(small_lottery):
    problem, lottery = small_lottery
    seed = "Lotto 6/45 draw 1150: 3 11 19 27 38 42"
    first = draw_panel(lottery, seed)
    # Anyone re-reading the published JSON gets the same lottery, digest and panel.
    published = json.loads(json.dumps(lottery.to_dict()))
    again = draw_panel(PanelLottery.from_dict(published), seed)
    assert again == first
    assert PanelLottery.from_json(lottery.canonical_json()).digest == lottery.digest
    assert verify_draw(lottery, seed, list(reversed(first.panel)))
    assert (
        not verify_draw(lottery, seed + " ", first.panel)
        or draw_panel(lottery, seed + " ").panel == first.panel
    )
    assert problem.panel_violations(first.panel) == []
    assert first.lottery_digest == hashlib.sha256(lottery.canonical_json().encode()).hexdigest()


def test_draw_recipe_by_hand(small_lottery):
    """The module docstring's recipe, re-implemented independently here, gives the same panel."""
    _, lottery = small_lottery
    seed = "2026-11-28 12 25 31 33 40 44"
    document = json.dumps(
        lottery.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    total = sum(p["tickets"] for p in lottery.to_dict()["panels"])
    ticket = (
        int.from_bytes(
            hashlib.sha256(
                f"sharingcity/panel-draw/v1\nticket\n{digest}\n{seed}".encode()
            ).digest(),
            "big",
        )
        % total
    )
    cumulative = 0
    for panel in lottery.to_dict()["panels"]:
        cumulative += panel["tickets"]
        if ticket < cumulative:
            break
    members = []
    groups = lottery.to_dict()["groups"]
    for group, seats in panel["seats"]:

        def key(member):
            text = f"sharingcity/panel-draw/v1\nmember\n{digest}\n{seed}\n{member}"
            return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")

        members += sorted(groups[group]["members"], key=key)[:seats]
    assert tuple(sorted(members)) == draw_panel(lottery, seed).panel


def test_tickets_are_integers_summing_to_the_total(small_lottery):
    _, lottery = small_lottery
    assert sum(lottery.tickets) == TOTAL_TICKETS
    assert all(isinstance(t, int) and t > 0 for t in lottery.tickets)
    assert lottery.panels == tuple(sorted(lottery.panels))


def test_draw_frequencies_follow_the_probabilities(small_lottery):
    _, lottery = small_lottery
    counts: Counter[str] = Counter()
    draws = 600
    for i in range(draws):
        counts.update(draw_panel(lottery, f"seed {i}").panel)
    expected = lottery.selection_probabilities()
    for member, probability in expected.items():
        sigma = np.sqrt(probability * (1 - probability) / draws)
        assert abs(counts[member] / draws - probability) < 5 * sigma + 1e-9, member


def test_tampering_changes_the_digest(small_lottery):
    _, lottery = small_lottery
    data = lottery.to_dict()
    data["panels"][0]["tickets"] -= 1
    data["panels"][-1]["tickets"] += 1
    if len(data["panels"]) > 1:
        assert PanelLottery.from_dict(data).digest != lottery.digest


@pytest.mark.parametrize("seed", ["", "   ", "two\nlines", 42])
def test_bad_seeds(small_lottery, seed):
    _, lottery = small_lottery
    with pytest.raises(SortitionInputError, match="seed"):
        draw_panel(lottery, seed)


def test_seed_commitment():
    assert commit_seed("abc") == hashlib.sha256(b"abc").hexdigest()


def test_malformed_lottery_documents(small_lottery):
    _, lottery = small_lottery
    with pytest.raises(SortitionInputError, match="format"):
        PanelLottery.from_dict({"format": "other"})
    data = lottery.to_dict()
    del data["size"]
    with pytest.raises(SortitionInputError, match="malformed"):
        PanelLottery.from_dict(data)
    data = lottery.to_dict()
    data["panels"][0]["seats"][0][1] += 1
    with pytest.raises(SortitionInputError, match="members|impossible"):
        PanelLottery.from_dict(data)


def test_example_small_20_lottery_gives_everyone_ten_percent(shared_data):
    folder = shared_data("sortition") / "flanigan2021_replication" / "example_small_20"
    quotas = read_quotas_csv(folder / "categories.csv")
    problem = PanelProblem(read_pool_csv(folder / "respondents.csv", quotas), quotas, 20)
    lottery = find_leximin(problem)
    draw = draw_panel(lottery, "example")
    assert problem.panel_violations(draw.panel) == []
    assert draw == draw_panel(lottery, "example")
    assert lottery.minimum_probability == pytest.approx(0.1, abs=1e-6)
