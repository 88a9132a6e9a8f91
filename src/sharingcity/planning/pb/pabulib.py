"""Reading and writing Pabulib ``.pb`` files, the exchange format of participatory budgeting.

A ``.pb`` file is UTF-8 text with three sections, each a ``;``-separated table with a header row::

    META
    key;value
    budget;2000000
    vote_type;approval
    ...
    PROJECTS
    project_id;cost;name;...
    ...
    VOTES
    voter_id;vote;...
    ...

(format: http://pabulib.org/format; Stolicki, Szufa, Talmon, *Pabulib: A Participatory Budgeting
Library*, arXiv:2012.06539). This module keeps the file as text tables (:class:`PabulibFile`), so a
read followed by a write loses nothing; :func:`sharingcity.planning.pb.election.election_from_pabulib`
turns it into numbers. Every check that can be made on the text is made here, with the file name
and line number in the error.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .errors import PabulibFormatError

__all__ = [
    "VOTE_TYPES",
    "PabulibFile",
    "format_pabulib",
    "parse_number",
    "parse_pabulib",
    "read_pabulib",
    "write_pabulib",
]

#: Ballot formats understood here. ``approval`` also covers knapsack ballots (an approval ballot whose
#: projects fit in the budget); ``choose-1`` is approval of exactly one project; ``cumulative`` and
#: ``scoring`` carry a ``points`` column; ``ordinal`` lists projects best first.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")

_SECTIONS = ("meta", "projects", "votes")


@dataclass
class PabulibFile:
    """The text tables of one ``.pb`` file, in file order.

    Attributes
    ----------
    meta : dict[str, str]
        The META section (``key -> value``), in file order.
    project_columns : tuple[str, ...]
        PROJECTS header; always contains ``project_id`` and ``cost``.
    projects : list[tuple[str, ...]]
        One row per project, aligned with ``project_columns``.
    vote_columns : tuple[str, ...]
        VOTES header; always contains ``voter_id`` and ``vote``.
    votes : list[tuple[str, ...]]
        One row per voter, aligned with ``vote_columns``.
    source : str
        Where the file came from (for messages); not part of equality.
    project_lines, vote_lines : list[int]
        1-based line numbers of the rows (for messages); not part of equality.
    """

    meta: dict[str, str]
    project_columns: tuple[str, ...]
    projects: list[tuple[str, ...]]
    vote_columns: tuple[str, ...]
    votes: list[tuple[str, ...]]
    source: str = field(default="<string>", compare=False)
    project_lines: list[int] = field(default_factory=list, compare=False, repr=False)
    vote_lines: list[int] = field(default_factory=list, compare=False, repr=False)

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    def project_column(self, name: str) -> list[str] | None:
        """Values of one PROJECTS column (e.g. ``"selected"``), or None when the file has no such column."""
        if name not in self.project_columns:
            return None
        i = self.project_columns.index(name)
        return [row[i] for row in self.projects]

    def vote_column(self, name: str) -> list[str] | None:
        """Values of one VOTES column, or None when the file has no such column."""
        if name not in self.vote_columns:
            return None
        i = self.vote_columns.index(name)
        return [row[i] for row in self.votes]


def parse_number(text: str) -> Fraction:
    """Parse a cost, budget or point value exactly (``"1500"``, ``"12.5"``, ``"12,5"``).

    Raises
    ------
    ValueError
        When the text is not a finite decimal number.
    """
    cleaned = text.strip().replace(",", ".")
    if not cleaned or cleaned.lower() in {"nan", "inf", "-inf", "infinity", "none"}:
        raise ValueError(f"{text!r} is not a number")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a number") from None


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    # One list item per line keeps exact line numbers. A quoted field spanning lines is not part of
    # the format; it almost always means an unclosed quote, which must not swallow the file.
    lines = text.splitlines()
    reader = csv.reader(lines, delimiter=";", strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(start, f"malformed CSV: {exc} (unclosed quote?)") from None
        if reader.line_num != start:
            raise ValueError(start, "malformed CSV: a quoted field runs over several lines")
        yield start, row


def parse_pabulib(text: str, *, source: str = "<string>") -> PabulibFile:
    """Parse the text of a ``.pb`` file.

    Parameters
    ----------
    text : str
        File content (a leading byte-order mark and CRLF line ends are accepted).
    source : str, optional
        Name used in error messages.

    Returns
    -------
    PabulibFile

    Raises
    ------
    PabulibFormatError
        On a missing, repeated or misplaced section, a bad header, a row whose length differs from
        its header, a duplicate META key / project id / voter id, a non-numeric or negative cost or
        budget, an unknown ``vote_type``, a vote naming an unknown project or naming a project twice,
        ``points`` that do not match the vote, or a ``choose-1`` vote with several projects.

    Notes
    -----
    Time is linear in the file size.
    """
    if text.startswith("\ufeff"):
        text = text[1:]

    def fail(message: str, line: int | None = None) -> PabulibFormatError:
        return PabulibFormatError(message, source=source, line=line)

    section: str | None = None
    seen: list[str] = []
    headers: dict[str, tuple[str, ...]] = {}
    header_lines: dict[str, int] = {}
    expect_header = False
    meta: dict[str, str] = {}
    projects: list[tuple[str, ...]] = []
    project_lines: list[int] = []
    votes: list[tuple[str, ...]] = []
    vote_lines: list[int] = []
    try:
        for line, row in _rows(text):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            first = row[0].strip().lower()
            if first in _SECTIONS and len([c for c in row if c.strip()]) == 1:
                if first in seen:
                    raise fail(f"section {first.upper()} appears twice", line)
                expected = _SECTIONS[len(seen)]
                if first != expected:
                    raise fail(
                        f"section {first.upper()} found where {expected.upper()} was expected "
                        "(sections must come in the order META, PROJECTS, VOTES)",
                        line,
                    )
                seen.append(first)
                section = first
                expect_header = True
                continue
            if section is None:
                raise fail("content before the META section", line)
            if expect_header:
                header = tuple(c.strip() for c in row)
                _check_header(section, header, line, fail)
                headers[section] = header
                header_lines[section] = line
                expect_header = False
                continue
            header = headers[section]
            if len(row) != len(header):
                raise fail(
                    f"{section.upper()} row has {len(row)} fields but the header has {len(header)}",
                    line,
                )
            if section == "meta":
                key, value = row[0].strip(), row[1].strip()
                if key in meta:
                    raise fail(f"META key {key!r} appears twice", line)
                meta[key] = value
            elif section == "projects":
                projects.append(tuple(c.strip() for c in row))
                project_lines.append(line)
            else:
                votes.append(tuple(c.strip() for c in row))
                vote_lines.append(line)
    except ValueError as exc:
        if isinstance(exc, PabulibFormatError):
            raise
        line_no, message = exc.args
        raise fail(message, line_no) from None
    for name in _SECTIONS:
        if name not in seen:
            raise fail(f"section {name.upper()} is missing")
        if name not in headers:
            raise fail(f"section {name.upper()} has no header row")

    pf = PabulibFile(
        meta=meta,
        project_columns=headers["projects"],
        projects=projects,
        vote_columns=headers["votes"],
        votes=votes,
        source=source,
        project_lines=project_lines,
        vote_lines=vote_lines,
    )
    _validate(pf, header_lines, fail)
    return pf


def _check_header(section: str, header: tuple[str, ...], line: int, fail) -> None:  # type: ignore[no-untyped-def]
    if any(not h for h in header):
        raise fail(f"{section.upper()} header has an empty column name", line)
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise fail(f"{section.upper()} header repeats column(s) {', '.join(dup)}", line)
    required = {
        "meta": ("key", "value"),
        "projects": ("project_id", "cost"),
        "votes": ("voter_id", "vote"),
    }[section]
    if section == "meta":
        if header != required:
            raise fail(f"META header must be 'key;value', found {';'.join(header)!r}", line)
        return
    if header[0] != required[0]:
        raise fail(
            f"{section.upper()} header must start with {required[0]!r}, found {header[0]!r}", line
        )
    for col in required[1:]:
        if col not in header:
            raise fail(f"{section.upper()} header has no {col!r} column", line)


def _validate(pf: PabulibFile, header_lines: dict[str, int], fail) -> None:  # type: ignore[no-untyped-def]
    meta = pf.meta
    meta_line = header_lines["meta"]
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise fail(f"META has no {key!r} entry", meta_line)
    try:
        budget = parse_number(meta["budget"])
    except ValueError:
        raise fail(f"META budget {meta['budget']!r} is not a number", meta_line) from None
    if budget < 0:
        raise fail(f"META budget {meta['budget']!r} is negative", meta_line)
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise fail(f"META vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}", meta_line)

    cost_i = pf.project_columns.index("cost")
    ids: dict[str, int] = {}
    for row, line in zip(pf.projects, pf.project_lines, strict=True):
        pid = row[0]
        if not pid:
            raise fail("project_id is empty", line)
        if "," in pid:
            raise fail(f"project_id {pid!r} contains a comma (votes could not name it)", line)
        if pid in ids:
            raise fail(f"project_id {pid!r} already used on line {ids[pid]}", line)
        ids[pid] = line
        try:
            cost = parse_number(row[cost_i])
        except ValueError:
            raise fail(f"cost {row[cost_i]!r} of project {pid!r} is not a number", line) from None
        if cost < 0:
            raise fail(f"cost {row[cost_i]!r} of project {pid!r} is negative", line)
    if not pf.projects:
        raise fail("PROJECTS section lists no project", header_lines["projects"])

    vote_i = pf.vote_columns.index("vote")
    has_points = "points" in pf.vote_columns
    points_i = pf.vote_columns.index("points") if has_points else -1
    if vote_type in ("cumulative", "scoring") and not has_points:
        raise fail(f"VOTES of type {vote_type} need a 'points' column", header_lines["votes"])
    voters: dict[str, int] = {}
    for row, line in zip(pf.votes, pf.vote_lines, strict=True):
        vid = row[0]
        if not vid:
            raise fail("voter_id is empty", line)
        if vid in voters:
            raise fail(f"voter_id {vid!r} already used on line {voters[vid]}", line)
        voters[vid] = line
        names = split_list(row[vote_i])
        for name in names:
            if name not in ids:
                raise fail(f"vote of voter {vid!r} names unknown project {name!r}", line)
        if len(set(names)) != len(names):
            raise fail(f"vote of voter {vid!r} names a project more than once", line)
        if vote_type == "choose-1" and len(names) > 1:
            raise fail(f"choose-1 vote of voter {vid!r} names {len(names)} projects", line)
        if vote_type in ("cumulative", "scoring"):
            pts = split_list(row[points_i])
            if len(pts) != len(names):
                raise fail(
                    f"voter {vid!r} gives {len(pts)} point values for {len(names)} projects", line
                )
            for p in pts:
                try:
                    value = parse_number(p)
                except ValueError:
                    raise fail(f"points {p!r} of voter {vid!r} are not a number", line) from None
                if value < 0 or value.denominator != 1:
                    raise fail(f"points {p!r} of voter {vid!r} are not a whole number >= 0", line)

    for key, actual in (("num_projects", len(pf.projects)), ("num_votes", len(pf.votes))):
        if key in meta:
            try:
                declared = int(meta[key])
            except ValueError:
                raise fail(f"META {key} {meta[key]!r} is not a whole number", meta_line) from None
            if declared != actual:
                raise fail(f"META {key} says {declared} but the file has {actual}", meta_line)


def split_list(cell: str) -> list[str]:
    """Split a comma-separated ``vote`` or ``points`` cell; an empty or ``None`` cell is an empty list."""
    cell = cell.strip()
    if not cell or cell.lower() == "none":
        return []
    return [part.strip() for part in cell.split(",")]


def read_pabulib(path: str | os.PathLike[str]) -> PabulibFile:
    """Read and check a ``.pb`` file.

    Raises
    ------
    PabulibFormatError
        See :func:`parse_pabulib`; also for a file that is not UTF-8.
    FileNotFoundError
        When the file does not exist.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PabulibFormatError("file is not UTF-8 text", source=str(path), line=line) from None
    return parse_pabulib(text, source=str(path))


def format_pabulib(pf: PabulibFile) -> str:
    """The ``.pb`` text of a file (LF line ends; fields quoted only where the format needs it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")

    def table(name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        out.write(name + "\n")
        writer.writerow(header)
        writer.writerows(rows)

    table("META", ("key", "value"), list(pf.meta.items()))
    table("PROJECTS", pf.project_columns, pf.projects)
    table("VOTES", pf.vote_columns, pf.votes)
    return out.getvalue()


def write_pabulib(pf: PabulibFile, path: str | os.PathLike[str]) -> None:
    """Write a file as ``.pb`` text (UTF-8, LF line ends)."""
    Path(path).write_text(format_pabulib(pf), encoding="utf-8", newline="")
