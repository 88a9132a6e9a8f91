"""pabutools (GPL-3.0) as a test-only oracle: the reference outcome of every rule and variant.

Only imported by tests and benchmarks. Each rule name maps to a pabutools computation:

- ``greedy:<utility>`` / ``greedy-votes-per-cost``: ``greedy_utilitarian_welfare`` with the matching
  satisfaction class.
- ``mes:none``: ``method_of_equal_shares``.
- ``mes:add1``: ``method_of_equal_shares(voter_budget_increment=1)`` (pabutools' built-in loop).
- ``mes:add1-greedy``: ``completion_by_rule_combination([MES add1, greedy])`` (pabutools' recipe).
- ``mes:add1-<start>-<stop>`` (other completions, not built into pabutools): a loop over endowments
  written here whose every step is pabutools' plain ``method_of_equal_shares`` with the endowment
  set through the instance budget (budget = endowment x voters); feasibility and exhaustiveness are
  tested with pabutools' ``Instance.is_feasible`` / ``is_exhaustive``.
- ``phragmen``: ``sequential_phragmen``.
"""

from __future__ import annotations

import math

import pytest

pabutools = pytest.importorskip("pabutools", reason="pabutools (test-only oracle) is not installed")

from pabutools.election import (  # noqa: E402
    AbstractApprovalProfile,
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    Cardinality_Sat,
    Cost_Sat,
    parse_pabulib,
)
from pabutools.election.pabulib import parse_pabulib_from_string  # noqa: E402
from pabutools.election.satisfaction import AdditiveSatisfaction  # noqa: E402
from pabutools.fractions import frac  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)


def _cost_points(instance, profile, ballot, project, precomputed):  # noqa: ANN001
    return ballot.get(project, 0) * project.cost


class CostPointsSat(AdditiveSatisfaction):
    """Points times cost: greedy by it takes the projects with most points first."""

    def __init__(self, instance, profile, ballot):  # noqa: ANN001
        super().__init__(instance, profile, ballot, _cost_points)


def sat_class(utility: str, profile):  # noqa: ANN001
    approval = isinstance(profile, AbstractApprovalProfile)
    if utility == "cost":
        return Cost_Sat
    if utility == "cardinality":
        return Cardinality_Sat
    if utility == "points":
        return Cardinality_Sat if approval else Additive_Cardinal_Sat
    if utility == "cost_points":
        return Cost_Sat if approval else CostPointsSat
    if utility == "borda":
        return Additive_Borda_Sat
    raise ValueError(utility)


def load(path):  # noqa: ANN001
    instance, profile = parse_pabulib(str(path))
    return instance, profile.as_multiprofile()


def load_text(text: str):
    instance, profile = parse_pabulib_from_string(text)
    return instance, profile.as_multiprofile()


def _mes_at(instance, profile, sat, endowment):  # noqa: ANN001
    saved = instance.budget_limit
    instance.budget_limit = endowment * profile.num_ballots()
    try:
        return method_of_equal_shares(instance, profile, sat_class=sat)
    finally:
        instance.budget_limit = saved


def _mes_loop(instance, profile, sat, *, integral: bool, largest: bool, increment=1):  # noqa: ANN001
    endowment = frac(instance.budget_limit, profile.num_ballots())
    if integral:
        endowment = frac(math.floor(endowment))
    # "supported, positive cost" projects: what MES can fund (pabutools' exhaustiveness domain)
    sats = profile.as_sat_profile(sat)
    supported = {p for p in instance if p.cost > 0 and any(s.sat_project(p) > 0 for s in sats)}
    previous = []
    while True:
        outcome = _mes_at(instance, profile, sat, endowment)
        if not instance.is_feasible(outcome):
            return previous
        if not largest and instance.is_exhaustive(outcome, available_projects=supported):
            return outcome
        if supported <= set(outcome):
            return outcome
        previous = outcome
        endowment += increment


def outcome(rule: str, instance, profile, utility: str, increment: int = 1) -> frozenset[str]:  # noqa: ANN001
    """The set of funded project ids under pabutools' semantics (``increment``: the add-one step
    per voter, in currency units)."""
    sat = sat_class(utility, profile)
    if rule == "greedy":
        res = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    elif rule == "greedy-votes-per-cost":
        res = greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat)
    elif rule == "mes:none":
        res = method_of_equal_shares(instance, profile, sat_class=sat)
    elif rule == "mes:add1":
        res = method_of_equal_shares(
            instance, profile, sat_class=sat, voter_budget_increment=increment
        )
    elif rule == "mes:add1-greedy":
        res = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": increment}, {"sat_class": sat}],
        )
    elif rule == "mes:add1-integral-first":
        res = _mes_loop(instance, profile, sat, integral=True, largest=False, increment=increment)
    elif rule == "mes:add1-integral-largest":
        res = _mes_loop(instance, profile, sat, integral=True, largest=True, increment=increment)
    elif rule == "mes:add1-exact-largest":
        res = _mes_loop(instance, profile, sat, integral=False, largest=True, increment=increment)
    elif rule == "phragmen":
        res = sequential_phragmen(instance, profile)
    else:
        raise ValueError(rule)
    return frozenset(p.name for p in res)
