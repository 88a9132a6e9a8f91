"""The election as plain data: projects, budget, and deduplicated ballots in numpy form.

Identical ballots are stored once with a weight (their number of voters). Cities' ballots repeat a
lot (Wrocław 2015: 131,778 voters, 197 distinct ballots), and every rule here works on the distinct
ballots, so counting time depends on the number of *distinct* ballots and of projects, not on the
number of voters.

Ballots are kept column-wise (per project, the ballot groups that mention it and the value they
give), because every rule asks "who supports project j?" far more often than "what did ballot g
say?".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from .errors import PBError
from .pabulib import VOTE_TYPES, PabulibFile, parse_number, split_list

__all__ = [
    "Election",
    "Project",
    "election_from_ballots",
    "election_from_pabulib",
    "election_to_pabulib",
]


@dataclass(frozen=True)
class Project:
    """A project on the ballot.

    Attributes
    ----------
    id : str
        The project's identifier (Pabulib ``project_id``); the default tie-break compares ids as
        strings.
    cost : Fraction
        Its cost, exact.
    name : str
        Its title, for people ("" when unknown).
    """

    id: str
    cost: Fraction
    name: str = ""


@dataclass(frozen=True, eq=False)
class Election:
    """One vote: projects, budget and the distinct ballots with their numbers of voters.

    Attributes
    ----------
    projects : tuple[Project, ...]
        In file order; project ``j`` of every array below is ``projects[j]``.
    budget : Fraction
        The money to distribute.
    vote_type : str
        ``approval``, ``choose-1``, ``cumulative``, ``scoring`` or ``ordinal``.
    weights : ndarray of int64, shape (n_groups,)
        Number of voters who cast each distinct ballot ("ballot group").
    col_ptr : ndarray of int64, shape (n_projects + 1,)
        Ballot groups mentioning project ``j`` are ``col_groups[col_ptr[j]:col_ptr[j+1]]``.
    col_groups : ndarray of int64
        Ballot-group indices, per project, increasing.
    col_values : ndarray of int64
        What those groups gave project ``j``: 1 for approval, the points for cumulative/scoring,
        the rank (1 = first) for ordinal.
    ballot_lengths : ndarray of int64, shape (n_groups,)
        Number of projects each ballot group mentions.
    meta : dict[str, str]
        The file's META section (or what the caller provided).
    """

    projects: tuple[Project, ...]
    budget: Fraction
    vote_type: str
    weights: NDArray[np.int64]
    col_ptr: NDArray[np.int64]
    col_groups: NDArray[np.int64]
    col_values: NDArray[np.int64]
    ballot_lengths: NDArray[np.int64]
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def n_projects(self) -> int:
        return len(self.projects)

    @property
    def n_groups(self) -> int:
        """Number of distinct ballots."""
        return int(self.weights.shape[0])

    @property
    def n_voters(self) -> int:
        """Number of voters (empty ballots included: they hold a share of the budget under MES)."""
        return int(self.weights.sum())

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.projects)

    def index(self, project_id: str) -> int:
        """Position of a project id; raises :class:`PBError` for an unknown id."""
        for j, p in enumerate(self.projects):
            if p.id == project_id:
                return j
        raise PBError(f"unknown project id {project_id!r}")

    def supporters(self, j: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Ballot groups that mention project ``j`` and the value each gives it."""
        lo, hi = self.col_ptr[j], self.col_ptr[j + 1]
        return self.col_groups[lo:hi], self.col_values[lo:hi]

    def vote_counts(self) -> NDArray[np.int64]:
        """Number of voters mentioning each project."""
        proj = np.repeat(np.arange(self.n_projects), np.diff(self.col_ptr))
        counts = np.bincount(proj, weights=self.weights[self.col_groups], minlength=self.n_projects)
        return counts.astype(np.int64)

    def ballots(self) -> list[tuple[tuple[tuple[str, int], ...], int]]:
        """The distinct ballots as ``(((project_id, value), ...), number_of_voters)``.

        Values are 1 for approval, points, or rank. Ordinal ballots are listed best first; the
        others in project order.
        """
        rows: list[list[tuple[int, int]]] = [[] for _ in range(self.n_groups)]
        for j in range(self.n_projects):
            groups, values = self.supporters(j)
            for g, v in zip(groups.tolist(), values.tolist(), strict=True):
                rows[g].append((j, v))
        out = []
        for g, row in enumerate(rows):
            if self.vote_type == "ordinal":
                row.sort(key=lambda jv: jv[1])
            out.append((tuple((self.projects[j].id, v) for j, v in row), int(self.weights[g])))
        return out


def election_from_ballots(
    projects: Sequence[Project],
    budget: Fraction | int | str,
    ballots: Sequence[Sequence[str] | Mapping[str, int]],
    *,
    vote_type: str = "approval",
    meta: Mapping[str, str] | None = None,
) -> Election:
    """Build an election from plain ballots (one per voter; duplicates are merged).

    Parameters
    ----------
    projects : sequence of Project
    budget : Fraction, int or str
    ballots : sequence
        Approval / choose-1: a sequence of project ids. Ordinal: a sequence of project ids, best
        first. Cumulative / scoring: a mapping ``project_id -> points``.
    vote_type : str, optional
        One of :data:`~sharingcity.planning.pb.pabulib.VOTE_TYPES`.
    meta : mapping, optional
        Extra META entries kept with the election.

    Raises
    ------
    PBError
        Unknown vote type or project id, a project named twice, duplicate project ids, negative
        cost or budget, negative points, several projects on a choose-1 ballot.

    Notes
    -----
    Time ``O(total ballot length)`` plus a sort of the distinct ballots.
    """
    if vote_type not in VOTE_TYPES:
        raise PBError(f"vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}")
    budget = Fraction(budget)
    if budget < 0:
        raise PBError(f"budget {budget} is negative")
    index: dict[str, int] = {}
    for j, p in enumerate(projects):
        if p.id in index:
            raise PBError(f"project id {p.id!r} appears twice")
        if Fraction(p.cost) < 0:
            raise PBError(f"project {p.id!r} has a negative cost")
        index[p.id] = j
    counts: dict[tuple[tuple[int, int], ...], int] = {}
    for n, ballot in enumerate(ballots):
        if isinstance(ballot, Mapping):
            if vote_type not in ("cumulative", "scoring"):
                raise PBError(f"ballot {n}: points given in a {vote_type} election")
            items = list(ballot.items())
        else:
            if vote_type in ("cumulative", "scoring"):
                raise PBError(f"ballot {n}: a {vote_type} ballot must map projects to points")
            if vote_type == "ordinal":
                items = [(pid, rank) for rank, pid in enumerate(ballot, start=1)]
            else:
                items = [(pid, 1) for pid in ballot]
        if vote_type == "choose-1" and len(items) > 1:
            raise PBError(f"ballot {n}: a choose-1 ballot names {len(items)} projects")
        key: list[tuple[int, int]] = []
        seen: set[int] = set()
        for pid, value in items:
            if pid not in index:
                raise PBError(f"ballot {n}: unknown project id {pid!r}")
            j = index[pid]
            if j in seen:
                raise PBError(f"ballot {n}: project {pid!r} named twice")
            if int(value) != value or value < 0:
                raise PBError(
                    f"ballot {n}: points {value!r} for {pid!r} are not a whole number >= 0"
                )
            seen.add(j)
            key.append((j, int(value)))
        key.sort()
        k = tuple(key)
        counts[k] = counts.get(k, 0) + 1
    return _build(
        tuple(Project(p.id, Fraction(p.cost), p.name) for p in projects),
        budget,
        vote_type,
        counts,
        dict(meta or {}),
    )


def _build(
    projects: tuple[Project, ...],
    budget: Fraction,
    vote_type: str,
    counts: Mapping[tuple[tuple[int, int], ...], int],
    meta: dict[str, str],
) -> Election:
    # Deterministic group order (sorted ballots) so two readings of the same votes give equal arrays.
    keys = sorted(counts)
    weights = np.array([counts[k] for k in keys], dtype=np.int64)
    m = len(projects)
    lengths = np.array([len(k) for k in keys], dtype=np.int64)
    total = int(lengths.sum())
    proj = np.empty(total, dtype=np.int64)
    grp = np.empty(total, dtype=np.int64)
    val = np.empty(total, dtype=np.int64)
    pos = 0
    for g, k in enumerate(keys):
        for j, v in k:
            proj[pos] = j
            grp[pos] = g
            val[pos] = v
            pos += 1
    order = np.lexsort((grp, proj))
    col_ptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(proj, minlength=m), out=col_ptr[1:])
    return Election(
        projects=projects,
        budget=budget,
        vote_type=vote_type,
        weights=weights,
        col_ptr=col_ptr,
        col_groups=grp[order],
        col_values=val[order],
        ballot_lengths=lengths,
        meta=meta,
    )


def election_from_pabulib(pf: PabulibFile) -> Election:
    """Turn a checked :class:`~sharingcity.planning.pb.pabulib.PabulibFile` into an :class:`Election`.

    Notes
    -----
    Linear in the file size; the file was validated when it was parsed, so this does not fail on
    a file returned by :func:`~sharingcity.planning.pb.pabulib.parse_pabulib`.
    """
    cost_i = pf.project_columns.index("cost")
    name_i = pf.project_columns.index("name") if "name" in pf.project_columns else -1
    projects = tuple(
        Project(row[0], parse_number(row[cost_i]), row[name_i] if name_i >= 0 else "")
        for row in pf.projects
    )
    index = {p.id: j for j, p in enumerate(projects)}
    vote_i = pf.vote_columns.index("vote")
    points_i = pf.vote_columns.index("points") if "points" in pf.vote_columns else -1
    vote_type = pf.vote_type
    counts: dict[tuple[tuple[int, int], ...], int] = {}
    # Cache on the raw cell text: repeated ballots are the common case.
    cache: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}
    for row in pf.votes:
        raw = (row[vote_i], row[points_i] if points_i >= 0 else "")
        key = cache.get(raw)
        if key is None:
            names = split_list(raw[0])
            if vote_type in ("cumulative", "scoring"):
                pts = [int(parse_number(p)) for p in split_list(raw[1])]
                key = tuple(sorted((index[n], v) for n, v in zip(names, pts, strict=True)))
            elif vote_type == "ordinal":
                key = tuple(sorted((index[n], r) for r, n in enumerate(names, start=1)))
            else:
                key = tuple(sorted((index[n], 1) for n in names))
            cache[raw] = key
        counts[key] = counts.get(key, 0) + 1
    return _build(projects, parse_number(pf.meta["budget"]), vote_type, counts, dict(pf.meta))


def _fmt_number(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    # A decimal when exact (costs like 12.5), else the fraction text Fraction() reads back.
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        s = f"{float(x):.12f}".rstrip("0")
        if Fraction(s) == x:
            return s
    return str(x)


def election_to_pabulib(
    election: Election, *, selected: Sequence[str] | None = None, rule: str | None = None
) -> PabulibFile:
    """Export an election as a Pabulib file (voters numbered ``0, 1, ...``; ballots are secret).

    Parameters
    ----------
    election : Election
    selected : sequence of str, optional
        Funded project ids; adds a ``selected`` column (1/0).
    rule : str, optional
        Written to META ``rule``.
    """
    meta = dict(election.meta)
    meta["num_projects"] = str(election.n_projects)
    meta["num_votes"] = str(election.n_voters)
    meta["budget"] = _fmt_number(election.budget)
    meta["vote_type"] = election.vote_type
    if rule is not None:
        meta["rule"] = rule
    cols: tuple[str, ...] = ("project_id", "cost", "name")
    chosen = set(selected or ())
    if selected is not None:
        cols += ("selected",)
    rows: list[tuple[str, ...]] = []
    for p in election.projects:
        row: tuple[str, ...] = (p.id, _fmt_number(p.cost), p.name)
        if selected is not None:
            row += ("1" if p.id in chosen else "0",)
        rows.append(row)
    with_points = election.vote_type in ("cumulative", "scoring")
    vote_cols: tuple[str, ...] = ("voter_id", "vote") + (("points",) if with_points else ())
    votes = []
    voter = 0
    for entries, weight in election.ballots():
        vote = ",".join(pid for pid, _ in entries)
        cells: tuple[str, ...] = (vote,)
        if with_points:
            cells += (",".join(str(v) for _, v in entries),)
        for _ in range(weight):
            votes.append((str(voter),) + cells)
            voter += 1
    return PabulibFile(meta, cols, rows, vote_cols, votes, source="<export>")
