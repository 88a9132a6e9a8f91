"""Plain data of a panel selection: volunteers, quotas, the panel size, and groups of interchangeable volunteers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .errors import SortitionInputError

__all__ = ["PanelProblem", "Quota", "Volunteer", "VolunteerGroups", "group_volunteers"]


@dataclass(frozen=True)
class Volunteer:
    """A resident in the pool of volunteers.

    Parameters
    ----------
    id : str
        Identifier, unique in the pool (published with the lottery, so use a pseudonym, not a name).
    features : mapping of str to str
        Feature value per feature, e.g. ``{"district": "Mapo", "age": "30-44"}``.
    household : str or None
        Key of the volunteer's household (e.g. a normalised address). Volunteers with the same key
        are housemates; with the household rule at most one of them can sit on a panel.
    """

    id: str
    features: Mapping[str, str]
    household: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))


@dataclass(frozen=True)
class Quota:
    """Seats for one feature value: the panel has between ``min`` and ``max`` members with it."""

    feature: str
    value: str
    min: int
    max: int

    def __post_init__(self) -> None:
        if not self.feature or not self.value:
            raise SortitionInputError(
                f"quota {self.feature!r}={self.value!r}: feature and value must be non-empty"
            )
        for name in ("min", "max"):
            bound = getattr(self, name)
            if not isinstance(bound, int | np.integer) or isinstance(bound, bool) or bound < 0:
                raise SortitionInputError(
                    f"quota {self.feature}={self.value}: {name} must be a non-negative integer, got {bound!r}"
                )
        if self.min > self.max:
            raise SortitionInputError(
                f"quota {self.feature}={self.value}: min {self.min} is larger than max {self.max}"
            )

    @property
    def label(self) -> str:
        return f"{self.feature} = {self.value}"


@dataclass(frozen=True)
class PanelProblem:
    """A panel to draw: the pool, the panel size and the quotas.

    Every volunteer must have a value for every quota feature, and that value must have a quota row
    (a value with no quota row would be an unbounded, unaudited category; give it ``min 0`` and
    ``max = size`` to leave it free).

    Parameters
    ----------
    volunteers : sequence of Volunteer
    quotas : sequence of Quota
    size : int
        Number of seats on the panel (k).
    one_per_household : bool
        The household rule: at most one volunteer per household key.
    """

    volunteers: tuple[Volunteer, ...]
    quotas: tuple[Quota, ...]
    size: int
    one_per_household: bool = False
    _by_id: Mapping[str, Volunteer] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        volunteers: Iterable[Volunteer],
        quotas: Iterable[Quota],
        size: int,
        *,
        one_per_household: bool = False,
    ) -> None:
        object.__setattr__(self, "volunteers", tuple(volunteers))
        object.__setattr__(self, "quotas", tuple(quotas))
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "one_per_household", bool(one_per_household))
        self._validate()
        object.__setattr__(self, "_by_id", MappingProxyType({v.id: v for v in self.volunteers}))

    def _validate(self) -> None:
        if (
            not isinstance(self.size, int | np.integer)
            or isinstance(self.size, bool)
            or self.size < 1
        ):
            raise SortitionInputError(f"panel size must be a positive integer, got {self.size!r}")
        if not self.volunteers:
            raise SortitionInputError("the pool of volunteers is empty")
        if not self.quotas:
            raise SortitionInputError("there are no quotas")
        if self.size > len(self.volunteers):
            raise SortitionInputError(
                f"panel size {self.size} is larger than the pool ({len(self.volunteers)} volunteers)"
            )
        seen: dict[str, int] = {}
        for position, volunteer in enumerate(self.volunteers):
            if not isinstance(volunteer, Volunteer):
                raise SortitionInputError(
                    f"pool entry {position} is not a Volunteer: {volunteer!r}"
                )
            if not volunteer.id:
                raise SortitionInputError(f"pool entry {position} has an empty id")
            if volunteer.id in seen:
                raise SortitionInputError(
                    f"volunteer id {volunteer.id!r} appears twice (entries {seen[volunteer.id]} and {position})"
                )
            seen[volunteer.id] = position
        values: dict[str, set[str]] = defaultdict(set)
        for quota in self.quotas:
            if quota.value in values[quota.feature]:
                raise SortitionInputError(f"quota {quota.label} is given twice")
            values[quota.feature].add(quota.value)
        for volunteer in self.volunteers:
            for feature, allowed in values.items():
                value = volunteer.features.get(feature)
                if value is None:
                    raise SortitionInputError(
                        f"volunteer {volunteer.id!r} has no value for feature {feature!r}"
                    )
                if value not in allowed:
                    raise SortitionInputError(
                        f"volunteer {volunteer.id!r} has {feature} = {value!r}, which has no quota row "
                        f"(quota values: {', '.join(sorted(allowed))})"
                    )

    @property
    def features(self) -> tuple[str, ...]:
        """Quota features in order of first appearance."""
        return tuple(dict.fromkeys(q.feature for q in self.quotas))

    def volunteer(self, volunteer_id: str) -> Volunteer:
        try:
            return self._by_id[volunteer_id]
        except KeyError:
            raise SortitionInputError(
                f"no volunteer with id {volunteer_id!r} in the pool"
            ) from None

    def quota_counts(self, panel: Iterable[str]) -> dict[tuple[str, str], int]:
        """Seats per (feature, value) taken by ``panel`` (volunteer ids)."""
        counts: Counter[tuple[str, str]] = Counter()
        for volunteer_id in panel:
            volunteer = self.volunteer(volunteer_id)
            for feature in self.features:
                counts[(feature, volunteer.features[feature])] += 1
        return {(q.feature, q.value): counts[(q.feature, q.value)] for q in self.quotas}

    def panel_violations(self, panel: Sequence[str]) -> list[str]:
        """Why ``panel`` is not a valid panel, in words (empty list: it is valid)."""
        problems = []
        if len(set(panel)) != len(panel):
            problems.append("a volunteer appears twice")
        if len(panel) != self.size:
            problems.append(f"{len(panel)} members instead of {self.size}")
        counts = self.quota_counts(panel)
        for quota in self.quotas:
            seats = counts[(quota.feature, quota.value)]
            if seats < quota.min:
                problems.append(f"{quota.label}: {seats} seats, below the minimum {quota.min}")
            if seats > quota.max:
                problems.append(f"{quota.label}: {seats} seats, above the maximum {quota.max}")
        if self.one_per_household:
            households = Counter(
                self.volunteer(i).household
                for i in panel
                if self.volunteer(i).household is not None
            )
            for household, members in households.items():
                if members > 1:
                    problems.append(f"{members} members from household {household!r}")
        return problems


@dataclass(frozen=True)
class VolunteerGroups:
    """Volunteers grouped into interchangeable classes.

    Two volunteers are interchangeable when they have the same values on every quota feature and
    neither shares a household with anyone else in the pool (under the household rule, members of a
    multi-person household form their own groups). The LEXIMIN allocation is unique and therefore
    symmetric inside a group, so the optimisation runs over seat counts per group instead of over
    people: 2,000 volunteers with two binary features become 3 groups.

    Attributes
    ----------
    members : tuple of tuple of str
        Volunteer ids per group, sorted; groups are sorted by their first id (the canonical order).
    sizes : ndarray of int, shape (T,)
    membership : ndarray of float, shape (Q, T)
        ``membership[q, t] = 1`` when group ``t`` has the value of quota ``q``.
    households : tuple of tuple of int
        Groups of each multi-person household (at most one seat in total), when the rule is on.
    values : tuple of dict
        Feature values of each group.
    """

    members: tuple[tuple[str, ...], ...]
    sizes: np.ndarray
    membership: np.ndarray
    households: tuple[tuple[int, ...], ...]
    values: tuple[Mapping[str, str], ...]

    @property
    def count(self) -> int:
        return len(self.members)


def group_volunteers(problem: PanelProblem) -> VolunteerGroups:
    """Group the pool of ``problem`` into classes of interchangeable volunteers (see VolunteerGroups).

    Complexity: O(n log n) for n volunteers.
    """
    features = problem.features
    housemates: Counter[str] = Counter()
    if problem.one_per_household:
        housemates.update(v.household for v in problem.volunteers if v.household is not None)
    keyed: dict[tuple[tuple[str, ...], str | None], list[str]] = defaultdict(list)
    for volunteer in problem.volunteers:
        household = (
            volunteer.household
            if volunteer.household is not None and housemates[volunteer.household] > 1
            else None
        )
        keyed[(tuple(volunteer.features[f] for f in features), household)].append(volunteer.id)
    entries = sorted(((sorted(ids), key) for key, ids in keyed.items()), key=lambda e: e[0][0])
    members = tuple(tuple(ids) for ids, _ in entries)
    sizes = np.array([len(ids) for ids in members], dtype=np.int64)
    membership = np.zeros((len(problem.quotas), len(members)))
    for q, quota in enumerate(problem.quotas):
        position = features.index(quota.feature)
        for t, (_, (key, _)) in enumerate(entries):
            if key[position] == quota.value:
                membership[q, t] = 1.0
    by_household: dict[str, list[int]] = defaultdict(list)
    for t, (_, (_, household)) in enumerate(entries):
        if household is not None:
            by_household[household].append(t)
    values = tuple(
        MappingProxyType(dict(zip(features, key, strict=True))) for _, (key, _) in entries
    )
    return VolunteerGroups(
        members=members,
        sizes=sizes,
        membership=membership,
        households=tuple(tuple(ts) for _, ts in sorted(by_household.items())),
        values=values,
    )
