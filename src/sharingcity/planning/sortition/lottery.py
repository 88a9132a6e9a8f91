"""The published panel lottery and its publicly verifiable draw.

A :class:`PanelLottery` is what the city publishes *before* the draw: the groups of interchangeable
volunteers (ids and feature values), the quotas, and a list of panels, each given as seats per group,
with an integer number of tickets. Its SHA-256 ``digest`` (over a canonical JSON form) is published
together with the rule for the seed, e.g. "the numbers of Lotto 6/45 draw 1,150, as printed by the
operator, separated by single spaces". After the seed is known, anyone can re-run the draw.

The draw, exactly (version ``sharingcity/panel-draw/v1``)
--------------------------------------------------------
1. ``digest`` = hex SHA-256 of the lottery's canonical JSON (:meth:`PanelLottery.canonical_json`:
   UTF-8, keys sorted, separators ``,`` and ``:``, no spaces, non-ASCII kept as is).
2. ``ticket`` = the SHA-256 of the UTF-8 text ``"sharingcity/panel-draw/v1\\nticket\\n" + digest + "\\n" + seed``
   read as a big-endian 256-bit integer, modulo ``total_tickets`` (the bias is below 2**-200).
3. Panels are in the published (canonical) order; the drawn panel is the first one whose cumulative
   ticket count exceeds ``ticket``. Tickets are integers, so no rounding can change the outcome.
4. For each group with ``c`` seats in that panel, every member id gets the key SHA-256 of
   ``"sharingcity/panel-draw/v1\\nmember\\n" + digest + "\\n" + seed + "\\n" + id`` (big-endian integer);
   the ``c`` members with the smallest keys take the seats (ties, never seen with SHA-256, go to the
   smaller id).

Step 4 picks a uniformly random subset of each group (SHA-256 modelled as a random function), so a
volunteer in group ``t`` is selected with probability exactly ``E[seats_t] / size_t`` — the value the
audit report prints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import SortitionInputError
from .model import Quota, VolunteerGroups

__all__ = [
    "DRAW_VERSION",
    "TOTAL_TICKETS",
    "PanelDraw",
    "PanelLottery",
    "commit_seed",
    "draw_panel",
    "verify_draw",
]

DRAW_VERSION = "sharingcity/panel-draw/v1"
LOTTERY_FORMAT = "sharingcity/panel-lottery/v1"
#: Tickets shared out among the panels: probabilities are published as multiples of 10**-12.
TOTAL_TICKETS = 10**12


@dataclass(frozen=True)
class PanelLottery:
    """A probability distribution over quota-meeting panels, in publishable form.

    Attributes
    ----------
    size : int
        Seats on the panel.
    quotas : tuple of Quota
    groups : tuple of tuple of str
        Volunteer ids per group of interchangeable volunteers (canonical order, see VolunteerGroups).
    group_values : tuple of mapping
        Feature values of each group, so anyone can check every panel against the quotas.
    households : tuple of tuple of int
        Groups of each multi-person household when the household rule applies (at most one seat).
    panels : tuple of tuple of (int, int)
        Each panel as sorted ``(group index, seats)`` pairs with seats > 0; panels in canonical
        (lexicographic) order.
    tickets : tuple of int
        Tickets per panel; they sum to ``total_tickets``.
    algorithm : str
        How the distribution was computed (``"leximin"``, ``"maximin"``).
    """

    size: int
    quotas: tuple[Quota, ...]
    groups: tuple[tuple[str, ...], ...]
    group_values: tuple[Mapping[str, str], ...]
    households: tuple[tuple[int, ...], ...]
    panels: tuple[tuple[tuple[int, int], ...], ...]
    tickets: tuple[int, ...]
    algorithm: str
    _group_of: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        group_of = {member: t for t, members in enumerate(self.groups) for member in members}
        object.__setattr__(self, "_group_of", MappingProxyType(group_of))
        self._validate()

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_weights(
        cls,
        groups: VolunteerGroups,
        quotas: Sequence[Quota],
        size: int,
        seats: Sequence[np.ndarray],
        weights: Sequence[float] | np.ndarray,
        *,
        algorithm: str,
    ) -> PanelLottery:
        """Build a lottery from panels (seats per group) and non-negative weights.

        Weights are normalised and turned into integer tickets by the largest-remainder method
        (ties to the earlier panel in canonical order), so the published numbers sum exactly to
        ``TOTAL_TICKETS``; each probability moves by less than ``1e-12``.
        """
        merged: dict[tuple[tuple[int, int], ...], float] = {}
        for counts, weight in zip(seats, weights, strict=True):
            if weight < 0 and weight > -1e-9:
                weight = 0.0
            if weight < 0:
                raise ValueError(f"negative panel weight {weight}")
            key = tuple((int(t), int(c)) for t, c in enumerate(counts) if c > 0)
            merged[key] = merged.get(key, 0.0) + float(weight)
        order = sorted(merged)
        raw = np.array([merged[k] for k in order])
        total = raw.sum()
        if total <= 0:
            raise ValueError("all panel weights are zero")
        exact = raw / total * TOTAL_TICKETS
        tickets = np.floor(exact).astype(np.int64)
        short = TOTAL_TICKETS - int(tickets.sum())
        if short:
            # Largest remainders first; a stable sort keeps canonical order among equal remainders.
            for i in np.argsort(-(exact - tickets), kind="stable")[:short]:
                tickets[i] += 1
        keep = tickets > 0
        return cls(
            size=size,
            quotas=tuple(quotas),
            groups=groups.members,
            group_values=groups.values,
            households=groups.households,
            panels=tuple(k for k, flag in zip(order, keep, strict=True) if flag),
            tickets=tuple(int(x) for x in tickets[keep]),
            algorithm=algorithm,
        )

    def _validate(self) -> None:
        if len(self.panels) != len(self.tickets) or not self.panels:
            raise SortitionInputError(
                "a lottery needs one ticket count per panel and at least one panel"
            )
        if any(t <= 0 for t in self.tickets):
            raise SortitionInputError("every panel of a lottery needs a positive number of tickets")
        if list(self.panels) != sorted(self.panels):
            raise SortitionInputError("the panels of a lottery must be in canonical (sorted) order")
        if len(self.group_values) != len(self.groups):
            raise SortitionInputError("a lottery needs feature values for every group")
        for p, panel in enumerate(self.panels):
            for t, seats in panel:
                if not 0 <= t < len(self.groups) or not 0 < seats <= len(self.groups[t]):
                    raise SortitionInputError(
                        f"panel {p} gives {seats} seats to group {t}, which is impossible"
                    )
            if sum(seats for _, seats in panel) != self.size:
                raise SortitionInputError(f"panel {p} does not have {self.size} members")

    # ---------------------------------------------------------------- probabilities
    @property
    def total_tickets(self) -> int:
        return sum(self.tickets)

    @property
    def probabilities(self) -> np.ndarray:
        """Probability of each panel (tickets / total)."""
        return np.array(self.tickets, dtype=np.float64) / self.total_tickets

    def seat_matrix(self) -> np.ndarray:
        """Seats per (panel, group) as a dense array."""
        dense = np.zeros((len(self.panels), len(self.groups)), dtype=np.int64)
        for p, panel in enumerate(self.panels):
            for t, seats in panel:
                dense[p, t] = seats
        return dense

    @cached_property
    def group_probabilities(self) -> np.ndarray:
        """Selection probability of a member of each group: expected seats / group size."""
        sizes = np.array([len(g) for g in self.groups], dtype=np.float64)
        expected = self.probabilities @ self.seat_matrix()
        return np.asarray(expected / sizes)

    def selection_probabilities(self) -> dict[str, float]:
        """Selection probability of every volunteer."""
        probs = self.group_probabilities
        return {
            member: float(probs[t]) for t, members in enumerate(self.groups) for member in members
        }

    @property
    def minimum_probability(self) -> float:
        return float(self.group_probabilities.min())

    def group_of(self, volunteer_id: str) -> int:
        try:
            return self._group_of[volunteer_id]
        except KeyError:
            raise SortitionInputError(
                f"no volunteer with id {volunteer_id!r} in the lottery"
            ) from None

    def panel_quota_counts(self, panel_index: int) -> dict[tuple[str, str], int]:
        seats = dict(self.panels[panel_index])
        counts = {(q.feature, q.value): 0 for q in self.quotas}
        for t, c in seats.items():
            for feature, value in self.group_values[t].items():
                if (feature, value) in counts:
                    counts[(feature, value)] += c
        return counts

    def check_panels(self) -> list[str]:
        """Every way a published panel breaks a quota or the household rule (empty: all fine)."""
        problems = []
        for p, panel in enumerate(self.panels):
            counts = self.panel_quota_counts(p)
            for q in self.quotas:
                seats = counts[(q.feature, q.value)]
                if not q.min <= seats <= q.max:
                    problems.append(
                        f"panel {p}: {q.label} has {seats} seats, quota {q.min}-{q.max}"
                    )
            seats_of = dict(panel)
            for h, household in enumerate(self.households):
                if sum(seats_of.get(t, 0) for t in household) > 1:
                    problems.append(f"panel {p}: two members of household {h}")
        return problems

    # ---------------------------------------------------------------- publication
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": LOTTERY_FORMAT,
            "algorithm": self.algorithm,
            "size": self.size,
            "quotas": [
                {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
                for q in self.quotas
            ],
            "groups": [
                {"members": list(members), "values": dict(values)}
                for members, values in zip(self.groups, self.group_values, strict=True)
            ],
            "households": [list(h) for h in self.households],
            "panels": [
                {"seats": [list(pair) for pair in panel], "tickets": n}
                for panel, n in zip(self.panels, self.tickets, strict=True)
            ],
        }

    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @cached_property
    def digest(self) -> str:
        """Hex SHA-256 of the canonical JSON: the commitment published before the seed is known."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PanelLottery:
        """Read a lottery published with :meth:`to_dict` (or its JSON)."""
        if data.get("format") != LOTTERY_FORMAT:
            raise SortitionInputError(f"not a panel lottery of format {LOTTERY_FORMAT!r}")
        try:
            return cls(
                size=int(data["size"]),
                quotas=tuple(
                    Quota(q["feature"], q["value"], int(q["min"]), int(q["max"]))
                    for q in data["quotas"]
                ),
                groups=tuple(tuple(g["members"]) for g in data["groups"]),
                group_values=tuple(MappingProxyType(dict(g["values"])) for g in data["groups"]),
                households=tuple(tuple(int(t) for t in h) for h in data.get("households", [])),
                panels=tuple(
                    tuple((int(t), int(c)) for t, c in p["seats"]) for p in data["panels"]
                ),
                tickets=tuple(int(p["tickets"]) for p in data["panels"]),
                algorithm=str(data["algorithm"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, SortitionInputError):
                raise
            raise SortitionInputError(f"malformed panel lottery: {error!r}") from error

    @classmethod
    def from_json(cls, text: str) -> PanelLottery:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class PanelDraw:
    """The outcome of a draw: which published panel, which members, and everything needed to re-run it."""

    panel: tuple[str, ...]
    panel_index: int
    ticket: int
    total_tickets: int
    seed: str
    lottery_digest: str
    version: str = DRAW_VERSION


def _sha_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\n".join(parts).encode("utf-8")).digest(), "big")


def _check_seed(seed: str) -> str:
    if not isinstance(seed, str) or not seed.strip():
        raise SortitionInputError(
            "the seed must be a non-empty string (e.g. the published lottery numbers)"
        )
    if "\n" in seed or "\r" in seed:
        raise SortitionInputError("the seed must be a single line of text")
    return seed


def commit_seed(seed: str) -> str:
    """Hex SHA-256 of a seed, for organisers who pick the seed themselves and publish its hash first."""
    return hashlib.sha256(_check_seed(seed).encode("utf-8")).hexdigest()


def draw_panel(lottery: PanelLottery, seed: str) -> PanelDraw:
    """Draw a panel from a published lottery with a public seed (see the module docstring for the recipe).

    Anyone with the lottery JSON and the seed gets the same panel. Complexity: O(P + n) hashes for P
    panels and n volunteers in the groups that get seats.
    """
    seed = _check_seed(seed)
    digest = lottery.digest
    total = lottery.total_tickets
    ticket = _sha_int(DRAW_VERSION, "ticket", digest, seed) % total
    cumulative = 0
    index = len(lottery.tickets) - 1
    for p, tickets in enumerate(lottery.tickets):
        cumulative += tickets
        if ticket < cumulative:
            index = p
            break
    chosen: list[str] = []
    for t, seats in lottery.panels[index]:
        ranked = sorted(
            lottery.groups[t],
            key=lambda member: (_sha_int(DRAW_VERSION, "member", digest, seed, member), member),
        )
        chosen.extend(ranked[:seats])
    return PanelDraw(
        panel=tuple(sorted(chosen)),
        panel_index=index,
        ticket=ticket,
        total_tickets=total,
        seed=seed,
        lottery_digest=digest,
    )


def verify_draw(lottery: PanelLottery, seed: str, panel: Sequence[str]) -> bool:
    """True when re-running the draw of ``lottery`` with ``seed`` gives exactly ``panel``."""
    return draw_panel(lottery, seed).panel == tuple(sorted(panel))
