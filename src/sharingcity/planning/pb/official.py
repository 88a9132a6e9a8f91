"""Checking a city's published result (Pabulib ``selected`` column) against the rule it names.

Pabulib's META ``rule`` names what the city used; only some names say enough to recount:

========================== =====================================================================
META rule                  recount
========================== =====================================================================
``greedy``                 :func:`greedy_utilitarian` with skipping (approval: most votes first;
                           cumulative/scoring: most points first, ``cost_points`` utility)
``greedy-no-skip``         the same, stopping at the first project that does not fit
``equalshares/add1``       MES, add-one from the exact endowment, stop at the first exhaustive
                           outcome (pabutools' iterated MES; reproduces Assen 2024, Świecie 2023)
``equalshares/add1-comparison``
                           MES, add-one from the integral endowment to the largest feasible one
                           (reproduces Wieliczka 2023; the comparison with greedy that the name
                           mentions is not recomputed)
========================== =====================================================================

Other names (``unknown``, ``greedy-threshold`` whose threshold is not in the file, ...) cannot be
recounted and raise :class:`~sharingcity.planning.pb.errors.PBError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .election import Election
from .errors import PBError
from .pabulib import PabulibFile
from .rules import COMPLETIONS, Outcome, greedy_utilitarian, method_of_equal_shares

__all__ = ["OFFICIAL_RULES", "OfficialCheck", "check_official", "official_rule"]


def _greedy(skip: bool) -> Callable[[Election], Outcome]:
    def count(e: Election) -> Outcome:
        utility = "cost_points" if e.vote_type in ("cumulative", "scoring") else "cost"
        if e.vote_type == "ordinal":
            raise PBError("a greedy rule on ordinal ballots is not defined by the file")
        return greedy_utilitarian(e, utility=utility, skip=skip)

    return count


OFFICIAL_RULES: dict[str, tuple[str, Callable[[Election], Outcome]]] = {
    "greedy": ("greedy, skipping projects that do not fit", _greedy(True)),
    "greedy-no-skip": ("greedy, stopping at the first project that does not fit", _greedy(False)),
    "equalshares/add1": (
        "Method of Equal Shares, add-one completion (exact start, first exhaustive)",
        lambda e: method_of_equal_shares(e, completion=COMPLETIONS["add1"]),
    ),
    "equalshares/add1-comparison": (
        "Method of Equal Shares, add-one completion (integral start, largest feasible endowment)",
        lambda e: method_of_equal_shares(e, completion=COMPLETIONS["add1-integral-largest"]),
    ),
}


def official_rule(meta: dict[str, str] | PabulibFile) -> tuple[str, Callable[[Election], Outcome]]:
    """The description and recount function of the rule a file's META names.

    Raises
    ------
    PBError
        When the META names no rule, or one that cannot be recounted from the file.
    """
    if isinstance(meta, PabulibFile):
        meta = meta.meta
    name = meta.get("rule", "").strip()
    if name not in OFFICIAL_RULES:
        known = ", ".join(OFFICIAL_RULES)
        raise PBError(f"META rule {name or '(none)'!r} cannot be recounted (known: {known})")
    return OFFICIAL_RULES[name]


@dataclass(frozen=True)
class OfficialCheck:
    """Result of :func:`check_official`."""

    meta_rule: str
    description: str
    official: frozenset[str]
    recounted: frozenset[str]
    outcome: Outcome

    @property
    def matches(self) -> bool:
        return self.official == self.recounted

    @property
    def only_official(self) -> list[str]:
        return sorted(self.official - self.recounted)

    @property
    def only_recounted(self) -> list[str]:
        return sorted(self.recounted - self.official)


def check_official(pf: PabulibFile, election: Election) -> OfficialCheck:
    """Recount with the rule named in META and compare with the ``selected`` column.

    Raises
    ------
    PBError
        No ``selected`` column, a ``selected`` value other than 0/1, or a rule that cannot be
        recounted (see :func:`official_rule`).
    """
    selected = pf.project_column("selected")
    if selected is None:
        raise PBError(f"{pf.source}: PROJECTS has no 'selected' column to compare with")
    official = set()
    for pid, flag, line in zip(
        (row[0] for row in pf.projects),
        selected,
        pf.project_lines or [0] * len(selected),
        strict=True,
    ):
        if flag not in ("0", "1"):
            where = f", line {line}" if line else ""
            raise PBError(f"{pf.source}{where}: selected value {flag!r} is not 0 or 1")
        if flag == "1":
            official.add(pid)
    description, count = official_rule(pf)
    outcome = count(election)
    return OfficialCheck(
        pf.meta.get("rule", ""),
        description,
        frozenset(official),
        frozenset(outcome.selected),
        outcome,
    )
