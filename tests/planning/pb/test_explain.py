"""Per-project explanations: structured reasons a results page can render, and who paid what."""

from __future__ import annotations

import json

import numpy as np

from sharingcity.planning import pb


def test_greedy_reasons_on_ursynow(elections):
    e = elections("Poland_Warszawa_2019_Ursynow")
    out = pb.greedy_utilitarian(e)
    reasons = {r.reason for r in out.projects.values()}
    assert reasons <= {"funded", "did_not_fit", "exceeds_budget"}
    for r in out.projects.values():
        if r.reason == "did_not_fit":
            assert r.cost > r.detail["money_left"]
            assert "less money was left than it costs" in r.sentence("PLN")
        if r.funded:
            assert r.cost <= r.detail["money_left"]
    # funding order follows votes (utility = cost, so utility per cost = votes)
    votes = [out.projects[p].votes for p in out.selected]
    assert votes == sorted(votes, reverse=True)
    assert [out.projects[p].step for p in out.selected] == list(range(1, len(out.selected) + 1))
    json.dumps(out.as_dict())


def test_mes_payments_add_up(elections):
    e = elections("Poland_Swiecie_2023")
    out = pb.method_of_equal_shares(e, completion="add1-greedy")
    paid_by_group = np.zeros(e.n_groups)
    for pid, payment in out.payments.items():
        r = out.projects[pid]
        assert r.reason == "funded_equal_shares"
        assert abs(payment.total - float(r.cost)) < 1e-6 * float(r.cost)
        s = payment.summary()
        assert s["supporters"] == r.votes
        assert s["voters_paying_largest_share"] + s["voters_paying_less"] == r.votes
        paid_by_group[payment.groups] += payment.per_voter
    assert paid_by_group.max() <= float(out.endowment) * (1 + 1e-12)
    for r in out.projects.values():
        if r.reason == "supporters_could_not_afford":
            assert r.detail["supporters_money"] < float(r.cost)
    text = out.explain("PLN")
    assert len(text) == e.n_projects
    assert text[0].startswith(f"Project {out.selected[0]} (")
    data = json.loads(json.dumps(out.as_dict()))
    assert data["selected"] == list(out.selected)
    assert data["parameters"]["completion"]["add_one"] is True


def test_phragmen_reasons(elections):
    e = elections("Switzerland_Zurich_S5")
    out = pb.sequential_phragmen(e)
    stop = [r for r in out.projects.values() if r.reason == "did_not_fit"]
    assert len(stop) <= 1
    if stop:
        assert stop[0].cost > stop[0].detail["money_left"]
    loads = [out.projects[p].detail["load"] for p in out.selected]
    assert loads == sorted(loads)  # Phragmén's max load never decreases
