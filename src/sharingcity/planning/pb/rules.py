"""Vote-counting rules of participatory budgeting, with per-project explanations.

Rules
-----
- :func:`greedy_utilitarian`: fund projects in decreasing order of total utility per unit of cost,
  skipping (or, with ``skip=False``, stopping at) the first that no longer fits. With the default
  ``"cost"`` utility of approval ballots this is the usual city rule "most votes first".
- :func:`greedy_votes_per_cost`: the same with one unit of utility per approval, i.e. votes per
  unit of cost.
- :func:`method_of_equal_shares` (MES; Peters, Pierczyński, Skowron, NeurIPS 2021; equalshares.net)
  with its completions (:class:`MESCompletion`): "add one" (raise every voter's endowment step by
  step), exact or integral starting endowment, increment, stop at the first exhaustive outcome or
  continue to the largest endowment whose outcome fits the budget, then optionally greedy.
- :func:`sequential_phragmen` (Phragmén's sequential load balancing, approval ballots).

Semantics follow pabutools 1.2 (Rey, Pierczyński, Utke, Skowron; studied, not copied) so that
outcomes are identical, including its tie-breaking (by default: the project whose id is smaller as a
string wins, so ``"10"`` beats ``"9"``) and its exhaustiveness test for the add-one completion (no
*supported* project with a positive cost could still be added within the budget).

Arithmetic
----------
Costs, budgets, endowments and the feasibility / exhaustiveness tests are exact (``Fraction``).
The inner MES and Phragmén computations use float64 over the distinct ballots; two projects whose
price-per-utility (MES) or load (Phragmén) agree to a relative ``1e-9`` are treated as tied and the
tie-break decides, which is what exact arithmetic gives when they are truly equal. An outcome could
differ from exact arithmetic only if two *different* rational prices agreed to nine digits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .election import Election
from .errors import PBError

__all__ = [
    "COMPLETIONS",
    "REASONS",
    "TIE_BREAKS",
    "UTILITIES",
    "MESCompletion",
    "MESPayment",
    "Outcome",
    "ProjectResult",
    "greedy_utilitarian",
    "greedy_votes_per_cost",
    "method_of_equal_shares",
    "sequential_phragmen",
    "tie_break_order",
    "utility_values",
]

#: How a ballot turns into utility for a project (pabutools' satisfaction measure in brackets):
#: ``cost`` — an approved/mentioned project is worth its cost (Cost_Sat; equalshares.net default);
#: ``cardinality`` — 1 per mentioned project (Cardinality_Sat); ``points`` — the points given
#: (Additive_Cardinal_Sat; approval counts 1); ``cost_points`` — points times cost (greedy by points:
#: "most points first"); ``borda`` — for ordinal ballots, ballot length minus rank (Additive_Borda_Sat:
#: the last-ranked project counts 0).
UTILITIES = ("cost", "cardinality", "points", "cost_points", "borda")

#: Named tie-breaks; each falls back to the id order on equal keys. A sequence of all project ids
#: (e.g. a published random order) is accepted too.
TIE_BREAKS = ("lexicographic", "min_cost", "max_cost", "most_votes")

#: Why a project was or was not funded (``ProjectResult.reason``), in words for the results page.
REASONS = {
    "funded": "funded: when its turn came, it fitted in the money left",
    "funded_equal_shares": "funded by Method of Equal Shares: its supporters could pay for it together",
    "funded_completion": "funded from the money left over after Method of Equal Shares (greedy completion)",
    "funded_free": "funded: it costs nothing and has supporters",
    "funded_phragmen": "funded by Phragmén's rule: its supporters' load stayed lowest",
    "no_support": "not funded: no voter supported it",
    "exceeds_budget": "not funded: it costs more than the whole budget",
    "did_not_fit": "not funded: when its turn came, less money was left than it costs",
    "stopped_before": "not funded: the count stopped at an earlier project that did not fit",
    "supporters_could_not_afford": "not funded: its supporters did not have enough money left to pay for it",
}

_TOL = 1e-9

Utility = Literal["cost", "cardinality", "points", "cost_points", "borda"]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MESPayment:
    """Who paid for a project funded by Method of Equal Shares.

    Attributes
    ----------
    groups : ndarray of int64
        Ballot groups (indices into ``Election.weights``) that support the project.
    per_voter : ndarray of float64
        What each voter of the group paid.
    voters : ndarray of int64
        Number of voters in each group.
    price_per_utility : float
        MES's ρ: a supporter with enough money pays ρ times their utility for the project.
    """

    groups: NDArray[np.int64]
    per_voter: NDArray[np.float64]
    voters: NDArray[np.int64]
    price_per_utility: float

    @property
    def total(self) -> float:
        return float(self.voters @ self.per_voter)

    def summary(self) -> dict[str, Any]:
        """Plain numbers for a results page: supporters, the full share, how many paid less."""
        n = int(self.voters.sum())
        top = float(self.per_voter.max()) if len(self.per_voter) else 0.0
        full = np.isclose(self.per_voter, top, rtol=1e-9, atol=0)
        return {
            "supporters": n,
            "total_paid": self.total,
            "largest_share": top,
            "voters_paying_largest_share": int(self.voters[full].sum()),
            "voters_paying_less": int(self.voters[~full].sum()),
            "smallest_share": float(self.per_voter.min()) if len(self.per_voter) else 0.0,
        }


@dataclass(frozen=True)
class ProjectResult:
    """Why one project was or was not funded.

    Attributes
    ----------
    project_id : str
    funded : bool
    reason : str
        A key of :data:`REASONS`.
    step : int or None
        For a funded project: its position in the funding order (1 = first).
    votes : int
        Voters who mentioned it.
    cost : Fraction
    detail : dict
        Rule-specific numbers, e.g. ``score`` (greedy utility per cost), ``money_left`` when it was
        considered, ``supporters_money`` (MES: what its supporters had left), ``payment`` (MES
        summary), ``load`` (Phragmén).
    """

    project_id: str
    funded: bool
    reason: str
    step: int | None
    votes: int
    cost: Fraction
    detail: dict[str, Any] = field(default_factory=dict)

    def sentence(self, currency: str = "") -> str:
        """One plain sentence for a results page."""
        unit = f" {currency}" if currency else ""
        text = f"Project {self.project_id} ({_money(self.cost)}{unit}, {self.votes} votes) was "
        text += REASONS[self.reason].replace(": ", ": ", 1)
        d = self.detail
        if "payment" in d:
            p = d["payment"]
            text += (
                f". {p['supporters']} supporters paid {_money(p['total_paid'])}{unit}: "
                f"{p['voters_paying_largest_share']} paid {_money(p['largest_share'])}{unit} each"
            )
            if p["voters_paying_less"]:
                text += (
                    f", {p['voters_paying_less']} had less left and paid between "
                    f"{_money(p['smallest_share'])} and {_money(p['largest_share'])}{unit}"
                )
        if self.reason == "supporters_could_not_afford" and "supporters_money" in d:
            text += f" (they had {_money(d['supporters_money'])}{unit} left)"
        if self.reason in ("did_not_fit", "funded") and "money_left" in d:
            text += f" (money left before it: {_money(d['money_left'])}{unit})"
        return text + "."


def _money(x: float | Fraction) -> str:
    x = float(x)
    return f"{x:,.0f}" if abs(x - round(x)) < 0.005 or abs(x) >= 1000 else f"{x:,.2f}"


@dataclass(frozen=True)
class Outcome:
    """The result of a rule.

    Attributes
    ----------
    rule : str
    parameters : dict
        Every option that influenced the result (published with the result).
    selected : tuple[str, ...]
        Funded project ids, in the order the rule funded them.
    budget : Fraction
    total_cost : Fraction
    projects : dict[str, ProjectResult]
        One entry per project of the election, in election order.
    payments : dict[str, MESPayment]
        MES only: who paid for each project MES funded.
    endowment : Fraction or None
        MES only: each voter's starting money in the counted run.
    mes_runs : int
        MES only: number of MES runs the completion made.
    """

    rule: str
    parameters: dict[str, Any]
    selected: tuple[str, ...]
    budget: Fraction
    total_cost: Fraction
    projects: dict[str, ProjectResult]
    payments: dict[str, MESPayment] = field(default_factory=dict)
    endowment: Fraction | None = None
    mes_runs: int = 0

    @property
    def money_left(self) -> Fraction:
        return self.budget - self.total_cost

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (fractions become int or float; payments as summaries)."""

        def num(x: Any) -> Any:
            if isinstance(x, Fraction):
                return int(x) if x.denominator == 1 else float(x)
            if isinstance(x, dict):
                return {k: num(v) for k, v in x.items()}
            if isinstance(x, float) and not math.isfinite(x):
                return None  # a free project's "infinite" utility per cost; JSON has no infinity
            return x

        return {
            "rule": self.rule,
            "parameters": self.parameters,
            "selected": list(self.selected),
            "budget": num(self.budget),
            "total_cost": num(self.total_cost),
            "money_left": num(self.money_left),
            "endowment": num(self.endowment) if self.endowment is not None else None,
            "mes_runs": self.mes_runs,
            "projects": {
                pid: {
                    "funded": r.funded,
                    "reason": r.reason,
                    "explanation": r.sentence(),
                    "step": r.step,
                    "votes": r.votes,
                    "cost": num(r.cost),
                    "detail": num(r.detail),
                }
                for pid, r in self.projects.items()
            },
        }

    def explain(self, currency: str = "") -> list[str]:
        """One sentence per project, funded ones first in funding order."""
        order = list(self.selected) + [p for p in self.projects if p not in set(self.selected)]
        return [self.projects[p].sentence(currency) for p in order]


# --------------------------------------------------------------------------------------------
# Utilities and tie-breaking
# --------------------------------------------------------------------------------------------


def _default_utility(election: Election) -> str:
    return {"cumulative": "points", "scoring": "points", "ordinal": "borda"}.get(
        election.vote_type, "cost"
    )


def utility_values(
    election: Election, utility: str | None = None
) -> tuple[NDArray[np.float64], list[Fraction]]:
    """Utility of every stored ballot entry, and each project's exact total utility.

    Parameters
    ----------
    election : Election
    utility : str, optional
        One of :data:`UTILITIES`; default ``cost`` for approval, ``points`` for cumulative and
        scoring, ``borda`` for ordinal ballots.

    Returns
    -------
    values : ndarray of float64
        Aligned with ``election.col_groups``.
    totals : list of Fraction
        ``sum over voters`` of the utility, per project, exact.
    """
    utility = utility or _default_utility(election)
    if utility not in UTILITIES:
        raise PBError(f"utility {utility!r} is not one of {', '.join(UTILITIES)}")
    if utility == "borda" and election.vote_type != "ordinal":
        raise PBError("borda utility needs ordinal ballots")
    if utility in ("points", "cost_points") and election.vote_type == "ordinal":
        raise PBError(f"{utility} utility needs approval, cumulative or scoring ballots")
    m = election.n_projects
    proj = np.repeat(np.arange(m), np.diff(election.col_ptr))
    w = election.weights[election.col_groups]
    v = election.col_values
    if utility in ("cost", "cardinality"):
        base = np.ones_like(v)
    elif utility in ("points", "cost_points"):
        base = v
    else:
        base = election.ballot_lengths[election.col_groups] - v
    # Whole-number totals (exact below 2**53 voters x points), scaled by cost as a Fraction after.
    sums = np.bincount(proj, weights=(w * base).astype(np.float64), minlength=m)
    int_totals = [int(t) for t in np.rint(sums)]
    costs = [p.cost for p in election.projects]
    if utility in ("cost", "cost_points"):
        totals = [costs[j] * int_totals[j] for j in range(m)]
        values = base.astype(np.float64) * np.array([float(c) for c in costs])[proj]
    else:
        totals = [Fraction(t) for t in int_totals]
        values = base.astype(np.float64)
    return values, totals


def tie_break_order(
    election: Election, tie_break: str | Sequence[str] = "lexicographic"
) -> NDArray[np.int64]:
    """Rank of every project under a tie-break (0 = wins every tie).

    Parameters
    ----------
    tie_break : str or sequence of str
        ``lexicographic`` (ids compared as strings; pabutools' default), ``min_cost``,
        ``max_cost``, ``most_votes`` (each then by id), or an explicit order of all project ids.
    """
    ids = election.ids
    if isinstance(tie_break, str):
        if tie_break not in TIE_BREAKS:
            raise PBError(
                f"tie_break {tie_break!r} is not one of {', '.join(TIE_BREAKS)} or a list of ids"
            )
        costs = [p.cost for p in election.projects]
        votes = election.vote_counts()
        keys: dict[str, Any] = {
            "lexicographic": lambda j: (ids[j],),
            "min_cost": lambda j: (costs[j], ids[j]),
            "max_cost": lambda j: (-costs[j], ids[j]),
            "most_votes": lambda j: (-int(votes[j]), ids[j]),
        }
        order = sorted(range(len(ids)), key=keys[tie_break])
    else:
        given = list(tie_break)
        if sorted(given) != sorted(ids) or len(set(given)) != len(given):
            raise PBError("an explicit tie-break order must list every project id exactly once")
        pos = {pid: j for j, pid in enumerate(ids)}
        order = [pos[pid] for pid in given]
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(ids))
    return rank


def _tie_label(tie_break: str | Sequence[str]) -> str | list[str]:
    return tie_break if isinstance(tie_break, str) else list(tie_break)


# --------------------------------------------------------------------------------------------
# Greedy
# --------------------------------------------------------------------------------------------


def _greedy_order(
    election: Election, totals: Sequence[Fraction], rank: NDArray[np.int64]
) -> list[int]:
    def key(j: int) -> tuple[int, Fraction, int]:
        cost = election.projects[j].cost
        if totals[j] > 0 and cost == 0:
            return (0, Fraction(0), int(rank[j]))  # free and supported: first
        density = totals[j] / cost if totals[j] > 0 else Fraction(0)
        return (1, -density, int(rank[j]))

    return sorted(range(election.n_projects), key=key)


def _greedy_fill(
    election: Election,
    totals: Sequence[Fraction],
    rank: NDArray[np.int64],
    funded: list[int],
    *,
    skip: bool,
) -> tuple[list[int], dict[int, tuple[str, dict[str, Any]]]]:
    """Add projects to ``funded`` greedily; returns the additions and a reason per considered project."""
    left = election.budget - sum((election.projects[j].cost for j in funded), Fraction(0))
    taken = set(funded)
    added: list[int] = []
    why: dict[int, tuple[str, dict[str, Any]]] = {}
    stopped = False
    for j in _greedy_order(election, totals, rank):
        if j in taken:
            continue
        cost = election.projects[j].cost
        score = float(totals[j] / cost) if cost > 0 else (math.inf if totals[j] > 0 else 0.0)
        detail = {"score": score, "money_left": left}
        if stopped:
            why[j] = ("stopped_before", detail)
        elif cost <= left:
            added.append(j)
            left -= cost
            why[j] = ("funded", detail)
        else:
            why[j] = ("did_not_fit", detail)
            stopped = not skip
    return added, why


def greedy_utilitarian(
    election: Election,
    *,
    utility: str | None = None,
    skip: bool = True,
    tie_break: str | Sequence[str] = "lexicographic",
) -> Outcome:
    """Greedy utilitarian rule: best total utility per unit of cost first.

    Parameters
    ----------
    election : Election
    utility : str, optional
        See :data:`UTILITIES`. With the default ``cost`` utility of approval ballots, utility per
        cost equals the number of votes, so projects are taken by votes (pabutools'
        ``greedy_utilitarian_welfare`` with ``Cost_Sat``).
    skip : bool, optional
        True (default): a project that no longer fits is skipped and cheaper ones further down may
        still be funded (pabutools' semantics). False: the count stops at the first project that
        does not fit (Pabulib rule ``greedy-no-skip``).
    tie_break : str or sequence of str, optional
        See :func:`tie_break_order`.

    Returns
    -------
    Outcome
        Every project gets a reason; ``detail`` holds its ``score`` (utility per cost) and the
        ``money_left`` when its turn came. Projects nobody supports come last with score 0 and are
        still funded if they fit (as in pabutools).

    Notes
    -----
    ``O(m log m)`` after the ``O(entries)`` utility totals; comparisons are exact (fractions).
    """
    values, totals = utility_values(election, utility)
    del values
    rank = tie_break_order(election, tie_break)
    added, why = _greedy_fill(election, totals, rank, [], skip=skip)
    votes = election.vote_counts()
    results = {}
    for j, p in enumerate(election.projects):
        reason, detail = why[j]
        if reason != "funded" and p.cost > election.budget:
            reason = "exceeds_budget"
        results[p.id] = ProjectResult(
            p.id,
            reason == "funded",
            reason,
            added.index(j) + 1 if j in added else None,
            int(votes[j]),
            p.cost,
            detail,
        )
    return Outcome(
        rule="greedy" if skip else "greedy-no-skip",
        parameters={
            "utility": utility or _default_utility(election),
            "skip": skip,
            "tie_break": _tie_label(tie_break),
        },
        selected=tuple(election.projects[j].id for j in added),
        budget=election.budget,
        total_cost=sum((election.projects[j].cost for j in added), Fraction(0)),
        projects=results,
    )


def greedy_votes_per_cost(
    election: Election, *, skip: bool = True, tie_break: str | Sequence[str] = "lexicographic"
) -> Outcome:
    """Greedy by votes per unit of cost (pabutools' greedy with ``Cardinality_Sat``).

    Cheap projects with many votes go first; see :func:`greedy_utilitarian` for the options.
    """
    out = greedy_utilitarian(election, utility="cardinality", skip=skip, tie_break=tie_break)
    return Outcome(
        rule="greedy-votes-per-cost" + ("" if skip else "-no-skip"),
        parameters=out.parameters,
        selected=out.selected,
        budget=out.budget,
        total_cost=out.total_cost,
        projects=out.projects,
    )


# --------------------------------------------------------------------------------------------
# Method of Equal Shares
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MESCompletion:
    """How Method of Equal Shares is completed; publish it with the result.

    Attributes
    ----------
    add_one : bool
        False: one MES run with endowment budget / voters (plain MES, usually spends too little).
        True: re-run MES with the endowment raised by ``increment`` until the stop condition.
    endowment : {"exact", "integral"}
        Starting endowment of the add-one loop: budget / voters exactly (pabutools), or rounded
        down to a whole currency unit (equalshares.net compute tool).
    increment : Fraction
        Endowment step of the add-one loop, in currency units (1 = "add one"). Use a larger step
        when the currency unit is small (Budapest: 1,000 HUF).
    stop : {"first_exhaustive", "largest_feasible"}
        ``first_exhaustive`` (pabutools): stop at the first outcome to which no supported project
        can be added within the budget; ``largest_feasible``: keep raising the endowment and take
        the outcome of the largest endowment before the first one whose outcome exceeds the budget
        (Wieliczka 2023's official result). Both stop before exceeding the budget.
    then_greedy : bool
        Afterwards spend what is left by :func:`greedy_utilitarian` (same utility, skipping).
    """

    add_one: bool = False
    endowment: Literal["exact", "integral"] = "exact"
    increment: Fraction = Fraction(1)
    stop: Literal["first_exhaustive", "largest_feasible"] = "first_exhaustive"
    then_greedy: bool = False

    def __post_init__(self) -> None:
        if self.endowment not in ("exact", "integral"):
            raise PBError(f"endowment must be 'exact' or 'integral', not {self.endowment!r}")
        if self.stop not in ("first_exhaustive", "largest_feasible"):
            raise PBError(
                f"stop must be 'first_exhaustive' or 'largest_feasible', not {self.stop!r}"
            )
        try:
            inc = Fraction(self.increment)
        except (TypeError, ValueError):
            raise PBError(f"increment {self.increment!r} is not a number") from None
        if inc <= 0:
            raise PBError(f"increment must be positive, not {self.increment}")
        object.__setattr__(self, "increment", inc)

    def as_dict(self) -> dict[str, Any]:
        return {
            "add_one": self.add_one,
            "endowment": self.endowment,
            "increment": str(self.increment),
            "stop": self.stop,
            "then_greedy": self.then_greedy,
        }


#: Named completions: ``none`` (plain MES); ``add1`` (pabutools' built-in iterated MES:
#: exact start, increment 1, stop at first exhaustive); ``add1-greedy`` (the same then greedy:
#: pabutools' documented ``completion_by_rule_combination`` recipe); ``add1-integral-largest``
#: (integral start, increment 1, largest feasible endowment: Wieliczka 2023's official variant).
COMPLETIONS = {
    "none": MESCompletion(),
    "add1": MESCompletion(add_one=True),
    "add1-greedy": MESCompletion(add_one=True, then_greedy=True),
    "add1-integral-largest": MESCompletion(
        add_one=True, endowment="integral", stop="largest_feasible"
    ),
}


@dataclass
class _MESRun:
    selected: list[int]
    rho: list[float]
    paid: list[NDArray[np.float64]]
    budgets: NDArray[np.float64]


class _MESEngine:
    """One election prepared for repeated MES runs (the add-one loop re-runs it often)."""

    def __init__(self, election: Election, utility: str | None, rank: NDArray[np.int64]) -> None:
        values, totals = utility_values(election, utility)
        self.election = election
        self.rank = rank
        m = election.n_projects
        self.cost = np.array([float(p.cost) for p in election.projects])
        self.w = election.weights.astype(np.float64)
        self.groups: list[NDArray[np.int64]] = []
        self.util: list[NDArray[np.float64]] = []
        self.wu: list[NDArray[np.float64]] = []
        self.wg: list[NDArray[np.float64]] = []
        self.candidates: list[int] = []  # supported, positive cost: what MES may fund
        self.free: list[int] = []  # supported, zero cost: funded before any run (pabutools)
        self.initial_rho = np.full(m, np.inf)
        self.const_u = np.zeros(m)  # the common utility when all supporters value j equally
        self.total_u = np.zeros(m)
        for j in range(m):
            lo, hi = election.col_ptr[j], election.col_ptr[j + 1]
            u = values[lo:hi]
            keep = u > 0
            g = election.col_groups[lo:hi][keep]
            self.groups.append(g)
            self.util.append(u[keep])
            self.wg.append(self.w[g])
            self.wu.append(self.w[g] * u[keep])
            self.total_u[j] = float(self.wu[j].sum())
            if len(g) and np.all(u[keep] == u[keep][0]):
                self.const_u[j] = u[keep][0]
            if totals[j] > 0:
                if election.projects[j].cost > 0:
                    self.candidates.append(j)
                    self.initial_rho[j] = float(election.projects[j].cost / totals[j])
                else:
                    self.free.append(j)
        self.free.sort(key=lambda j: int(rank[j]))

    def rho(self, j: int, b: NDArray[np.float64]) -> float | None:
        """Smallest ρ with Σ w_i min(b_i, ρ u_ij) = cost over supporters; None when unaffordable.

        Newton's method on the concave, piecewise-linear left side, started below the root at
        cost / total utility: each step is pabutools' "poor/rich" update (supporters who cannot
        pay ρ u_ij pay everything, the others share the rest), no sort needed. It reaches the
        exact kink-free root after a few steps because the set of poor supporters only grows.
        """
        bg = b[self.groups[j]]
        wg = self.wg[j]
        wb = wg * bg
        c = self.cost[j]
        money = float(np.add.reduce(wb))
        if money < c * (1 - 1e-12):
            return None
        u0 = self.const_u[j]
        total_u = self.total_u[j]
        rho = c / total_u
        n_poor = 0
        while True:
            poor = bg < rho * (u0 if u0 > 0 else self.util[j])
            k = int(np.count_nonzero(poor))
            if k == n_poor:
                return rho
            n_poor = k
            # np.dot with the boolean mask avoids building the masked copies.
            if u0 > 0:
                rich_u = total_u - u0 * float(np.dot(wg, poor))
            else:
                rich_u = total_u - float(np.dot(self.wu[j], poor))
            if rich_u <= total_u * 1e-15:
                return float(np.max(bg / self.util[j]))  # everyone pays all (money == cost)
            rho = (c - float(np.dot(wb, poor))) / rich_u

    def run(self, endowment: float) -> _MESRun:
        b = np.full(self.election.n_groups, endowment)
        stale = self.initial_rho.copy()
        active = np.array(self.candidates, dtype=np.int64)
        alive = np.zeros(len(stale), dtype=bool)
        alive[active] = True
        selected: list[int] = []
        rhos: list[float] = []
        paid: list[NDArray[np.float64]] = []
        rank = self.rank
        while len(active):
            order = active[np.lexsort((rank[active], stale[active]))]
            best = math.inf
            seen: list[int] = []
            gone: list[int] = []
            for j in order.tolist():
                # ρ only grows as budgets shrink, so a stale ρ is a lower bound.
                if stale[j] > best * (1 + _TOL):
                    break
                r = self.rho(j, b)
                if r is None:
                    gone.append(j)
                    continue
                stale[j] = r
                seen.append(j)
                best = min(best, stale[j])
            if not seen:
                break
            tied = [j for j in seen if stale[j] <= best * (1 + _TOL)]
            j = min(tied, key=lambda t: rank[t])
            rho = float(stale[j])
            g = self.groups[j]
            pay = np.minimum(b[g], rho * self.util[j])
            b[g] -= pay
            gone.append(j)
            alive[gone] = False
            active = active[alive[active]]
            selected.append(j)
            rhos.append(rho)
            paid.append(pay)
        return _MESRun(selected, rhos, paid, b)


def method_of_equal_shares(
    election: Election,
    *,
    utility: str | None = None,
    completion: MESCompletion | str = "none",
    tie_break: str | Sequence[str] = "lexicographic",
) -> Outcome:
    """Method of Equal Shares with an explicit completion.

    Every voter gets an equal share of the budget (the endowment). Repeatedly, among the projects
    whose supporters still have enough money together, MES funds the one that asks the least per
    unit of utility (ρ): each supporter pays ρ times their utility, or all they have left if that
    is less. It stops when no project can be paid for by its supporters.

    Parameters
    ----------
    election : Election
    utility : str, optional
        See :data:`UTILITIES`; ``cost`` for approval ballots (equalshares.net), ``points`` for
        cumulative ballots.
    completion : MESCompletion or str, optional
        A :class:`MESCompletion` or a key of :data:`COMPLETIONS`. Default ``"none"`` (plain MES).
    tie_break : str or sequence of str, optional
        See :func:`tie_break_order`; decides between projects with equal ρ (and in the greedy
        completion).

    Returns
    -------
    Outcome
        ``payments`` says, for each project MES funded, what each ballot group's voters paid;
        ``endowment`` is the per-voter money of the counted run; ``mes_runs`` the number of runs.

    Notes
    -----
    One run costs ``O(s log s)`` per evaluated project (s = its distinct supporting ballots);
    thanks to lazy re-evaluation (ρ only grows) only a few projects are evaluated per funded
    project. The add-one loop costs one run per endowment step. Semantics match pabutools'
    ``method_of_equal_shares`` (with ``voter_budget_increment`` for ``add1``), its
    ``completion_by_rule_combination`` for ``then_greedy``.

    References
    ----------
    Peters, Pierczyński, Skowron, "Proportional Participatory Budgeting with Additive Utilities",
    NeurIPS 2021; https://equalshares.net/implementation/completion/.
    """
    if isinstance(completion, str):
        if completion not in COMPLETIONS:
            raise PBError(f"completion {completion!r} is not one of {', '.join(COMPLETIONS)}")
        completion = COMPLETIONS[completion]
    rank = tie_break_order(election, tie_break)
    engine = _MESEngine(election, utility, rank)
    costs = [p.cost for p in election.projects]
    n = election.n_voters

    def cost_of(js: Sequence[int]) -> Fraction:
        return sum((costs[j] for j in js), Fraction(0))

    runs = 0
    if n == 0:
        run = _MESRun([], [], [], np.zeros(0))
        endowment = Fraction(0)
        free: list[int] = []
    else:
        free = engine.free
        endowment = election.budget / n
        if completion.add_one and completion.endowment == "integral":
            endowment = Fraction(math.floor(endowment))
        run = engine.run(float(endowment))
        runs = 1
        if completion.add_one:
            cands = engine.candidates
            prev_run, prev_endowment = _MESRun([], [], [], np.full(election.n_groups, 0.0)), None
            while True:
                chosen = free + run.selected
                spent = cost_of(chosen)
                if spent > election.budget:
                    if prev_endowment is None:
                        # Even the first run overspends (only possible with a rounded-up start):
                        # nothing is funded, as in pabutools.
                        run, endowment = prev_run, Fraction(0)
                    else:
                        run, endowment = prev_run, prev_endowment
                    break
                taken = set(run.selected)
                exhaustive = all(j in taken or spent + costs[j] > election.budget for j in cands)
                if exhaustive and completion.stop == "first_exhaustive":
                    break
                if len(taken) == len(cands):
                    break  # everything is funded; more money changes nothing
                prev_run, prev_endowment = run, endowment
                endowment += completion.increment
                run = engine.run(float(endowment))
                runs += 1

    funded = free + run.selected
    votes = election.vote_counts()
    results: dict[str, ProjectResult] = {}
    payments: dict[str, MESPayment] = {}
    step = {j: i + 1 for i, j in enumerate(funded)}
    for j, rho, pay in zip(run.selected, run.rho, run.paid, strict=True):
        g = engine.groups[j]
        payments[election.projects[j].id] = MESPayment(g, pay, election.weights[g], rho)
    completion_why: dict[int, tuple[str, dict[str, Any]]] = {}
    if completion.then_greedy:
        _, totals = utility_values(election, utility)
        added, completion_why = _greedy_fill(election, totals, rank, list(funded), skip=True)
        for j in added:
            step[j] = len(step) + 1
        funded = funded + added
    budgets = run.budgets
    for j, p in enumerate(election.projects):
        detail: dict[str, Any] = {}
        if j in engine.free:
            reason = "funded_free"
        elif p.id in payments:
            reason = "funded_equal_shares"
            detail["price_per_utility"] = payments[p.id].price_per_utility
            detail["payment"] = payments[p.id].summary()
        elif completion_why.get(j, ("",))[0] == "funded":
            reason = "funded_completion"
            detail["money_left"] = completion_why[j][1]["money_left"]
        elif j not in engine.candidates:
            reason = "no_support"
        elif p.cost > election.budget:
            reason = "exceeds_budget"
        else:
            reason = "supporters_could_not_afford"
            g = engine.groups[j]
            detail["supporters_money"] = float(engine.w[g] @ budgets[g]) if len(budgets) else 0.0
        results[p.id] = ProjectResult(
            p.id, j in step, reason, step.get(j), int(votes[j]), p.cost, detail
        )
    return Outcome(
        rule="mes",
        parameters={
            "utility": utility or _default_utility(election),
            "completion": completion.as_dict(),
            "tie_break": _tie_label(tie_break),
        },
        selected=tuple(election.projects[j].id for j in funded),
        budget=election.budget,
        total_cost=cost_of(funded),
        projects=results,
        payments=payments,
        endowment=endowment,
        mes_runs=runs,
    )


# --------------------------------------------------------------------------------------------
# Sequential Phragmén
# --------------------------------------------------------------------------------------------


def sequential_phragmen(
    election: Election, *, tie_break: str | Sequence[str] = "lexicographic"
) -> Outcome:
    """Phragmén's sequential rule for approval ballots (pabutools' ``sequential_phragmen``).

    Voters earn money continuously; a project is bought as soon as its supporters together have
    earned its cost, after which their earnings are spent ("load"). Equivalently, each step funds
    the project minimising ``(supporters' loads + cost) / supporters`` and sets every supporter's
    load to that value. The count **stops** as soon as that project (or any project tied with it)
    does not fit in the money left. Projects costing more than the budget are never considered;
    projects without supporters come last (infinite load) and are funded while they fit.

    Notes
    -----
    ``O(entries)`` per funded project (one sparse sum of loads).
    """
    if election.vote_type not in ("approval", "choose-1"):
        raise PBError("sequential Phragmén needs approval (or choose-1) ballots")
    rank = tie_break_order(election, tie_break)
    m = election.n_projects
    costs = [p.cost for p in election.projects]
    costf = np.array([float(c) for c in costs])
    votes = election.vote_counts()
    score = votes.astype(np.float64)
    proj = np.repeat(np.arange(m), np.diff(election.col_ptr))
    w = election.weights.astype(np.float64)
    wg = w[election.col_groups]
    load = np.zeros(election.n_groups)
    active = [j for j in range(m) if costs[j] <= election.budget]
    spent = Fraction(0)
    funded: list[int] = []
    loads: dict[int, float] = {}
    stop_at: tuple[int, float] | None = None
    while active:
        sums = np.bincount(proj, weights=wg * load[election.col_groups], minlength=m)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(score > 0, (sums + costf) / np.where(score > 0, score, 1), np.inf)
        cand = np.array(active)
        best = float(new[cand].min())
        tied = [int(j) for j in cand if new[j] <= best * (1 + _TOL) or new[j] == best]
        if any(spent + costs[j] > election.budget for j in tied):
            stop_at = (min(tied, key=lambda t: rank[t]), best)
            break
        j = min(tied, key=lambda t: rank[t])
        g, _ = election.supporters(j)
        load[g] = best
        loads[j] = best
        spent += costs[j]
        funded.append(j)
        active.remove(j)
    results = {}
    for j, p in enumerate(election.projects):
        detail: dict[str, Any] = {}
        if j in loads:
            reason = "funded_phragmen"
            detail["load"] = loads[j]
        elif costs[j] > election.budget:
            reason = "exceeds_budget"
        elif stop_at is not None and j == stop_at[0]:
            reason = "did_not_fit"
            detail["money_left"] = election.budget - spent
        else:
            reason = "stopped_before" if votes[j] > 0 else "no_support"
        results[p.id] = ProjectResult(
            p.id,
            j in loads,
            reason,
            funded.index(j) + 1 if j in loads else None,
            int(votes[j]),
            p.cost,
            detail,
        )
    return Outcome(
        rule="phragmen",
        parameters={"tie_break": _tie_label(tie_break)},
        selected=tuple(election.projects[j].id for j in funded),
        budget=election.budget,
        total_cost=spent,
        projects=results,
    )
