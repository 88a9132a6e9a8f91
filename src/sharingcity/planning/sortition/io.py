"""CSV readers for quota and pool files, in the formats used by panel organisers.

Quota files (one row per feature value) are accepted with any of these headers:

* ``feature,value,min,max`` (+ optional ``min_flex,max_flex``, ignored) — `sortition-algorithms` 0.12;
* ``category,name,min,max`` (+ optional flex columns) — the older Sortition Foundation layout;
* ``category,feature,min,max`` — the Flanigan et al. (2021) replication files, where *feature*
  means the value (``gender,female,9,20``).

Pool files have one row per volunteer and one column per quota feature (matched exactly, after
trimming spaces); other columns are ignored unless named as id or household columns. Without an
id column, volunteers get the ids ``r0, r1, …`` in file order (as the shared re-headed files do).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import SortitionInputError
from .model import Quota, Volunteer

__all__ = ["read_pool_csv", "read_quotas_csv"]

_QUOTA_LAYOUTS = (
    ("feature", "value"),
    ("category", "name"),
    ("category", "feature"),
)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise SortitionInputError(f"cannot open file: {error.strerror}", path=path) from None
    with handle:
        try:
            reader = csv.reader(handle)
            rows = [(reader.line_num, row) for row in reader]
        except (csv.Error, UnicodeDecodeError) as error:
            raise SortitionInputError(
                f"not a readable UTF-8 CSV file: {error}", path=path
            ) from None
    # Blank lines carry no data; a file of only blank lines has no header.
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SortitionInputError("the file is empty (no header row)", path=path, line=1)
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    if "" in header:
        raise SortitionInputError(
            f"empty column name in column {header.index('') + 1}", path=path, line=header_line
        )
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise SortitionInputError(
            f"duplicate column(s): {', '.join(duplicates)}", path=path, line=header_line
        )
    body = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise SortitionInputError(
                f"{len(row)} fields, but the header has {len(header)}", path=path, line=line
            )
        body.append((line, [cell.strip() for cell in row]))
    return header, body


def read_quotas_csv(path: str | Path) -> list[Quota]:
    """Read a quota file (see the module docstring for the accepted headers).

    Raises
    ------
    SortitionInputError
        With the file name and line number for a missing column, a non-integer or negative bound,
        ``min > max``, an empty feature or value, or a feature value listed twice.
    """
    path = Path(path)
    header, body = _rows(path)
    lowered = [h.lower() for h in header]
    layout = next((pair for pair in _QUOTA_LAYOUTS if set(pair) <= set(lowered)), None)
    if layout is None or "min" not in lowered or "max" not in lowered:
        raise SortitionInputError(
            "quota header must have columns feature,value,min,max (or category,name,min,max, or "
            f"category,feature,min,max); found {','.join(header)}",
            path=path,
            line=1,
        )
    col = {name: lowered.index(name) for name in (*layout, "min", "max")}
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    if not body:
        raise SortitionInputError(
            "the quota file has a header but no quota rows", path=path, line=1
        )
    for line, row in body:
        feature, value = row[col[layout[0]]], row[col[layout[1]]]
        if not feature or not value:
            raise SortitionInputError("empty feature or value", path=path, line=line)
        bounds = []
        for name in ("min", "max"):
            text = row[col[name]]
            try:
                number = int(text)
            except ValueError:
                raise SortitionInputError(
                    f"{name} of {feature} = {value} is not a whole number: {text!r}",
                    path=path,
                    line=line,
                ) from None
            if number < 0:
                raise SortitionInputError(
                    f"{name} of {feature} = {value} is negative: {number}", path=path, line=line
                )
            bounds.append(number)
        if bounds[0] > bounds[1]:
            raise SortitionInputError(
                f"min {bounds[0]} is larger than max {bounds[1]} for {feature} = {value}",
                path=path,
                line=line,
            )
        if (feature, value) in seen:
            raise SortitionInputError(
                f"{feature} = {value} is already given on line {seen[(feature, value)]}",
                path=path,
                line=line,
            )
        seen[(feature, value)] = line
        quotas.append(Quota(feature, value, bounds[0], bounds[1]))
    return quotas


def read_pool_csv(
    path: str | Path,
    quotas: Sequence[Quota],
    *,
    id_column: str | None = None,
    household_columns: Iterable[str] = (),
) -> list[Volunteer]:
    """Read a pool of volunteers.

    Parameters
    ----------
    path : path
    quotas : sequence of Quota
        The quota features name the columns to read; every value must have a quota row.
    id_column : str, optional
        Column with volunteer ids. Default: a column named ``id`` if there is one, else the ids
        ``r0, r1, …`` in file order.
    household_columns : iterable of str
        Columns whose values together identify a household (e.g. ``address,postcode``); compared
        exactly after trimming spaces. Rows with all of them empty have no household.

    Raises
    ------
    SortitionInputError
        With file name and line number for missing columns, empty or duplicate ids, missing feature
        values and values without a quota row.
    """
    path = Path(path)
    header, body = _rows(path)
    features = list(dict.fromkeys(q.feature for q in quotas))
    allowed: dict[str, set[str]] = {}
    for quota in quotas:
        allowed.setdefault(quota.feature, set()).add(quota.value)
    missing = [f for f in features if f not in header]
    if missing:
        raise SortitionInputError(
            f"missing column(s) for quota feature(s) {', '.join(missing)}; columns are {', '.join(header)}",
            path=path,
            line=1,
        )
    household_columns = list(household_columns)
    for name in [*household_columns, *([id_column] if id_column else [])]:
        if name not in header:
            raise SortitionInputError(
                f"no column named {name!r}; columns are {', '.join(header)}", path=path, line=1
            )
    if id_column is None and "id" in header:
        id_column = "id"
    id_at = header.index(id_column) if id_column else None
    feature_at = {f: header.index(f) for f in features}
    household_at = [header.index(c) for c in household_columns]
    if not body:
        raise SortitionInputError("the pool file has a header but no volunteers", path=path, line=1)
    seen: dict[str, int] = {}
    pool = []
    for position, (line, row) in enumerate(body):
        volunteer_id = row[id_at] if id_at is not None else f"r{position}"
        if not volunteer_id:
            raise SortitionInputError(f"empty id in column {id_column!r}", path=path, line=line)
        if volunteer_id in seen:
            raise SortitionInputError(
                f"id {volunteer_id!r} is already used on line {seen[volunteer_id]}",
                path=path,
                line=line,
            )
        seen[volunteer_id] = line
        values = {}
        for feature, at in feature_at.items():
            value = row[at]
            if not value:
                raise SortitionInputError(
                    f"volunteer {volunteer_id!r} has no value for {feature!r}", path=path, line=line
                )
            if value not in allowed[feature]:
                raise SortitionInputError(
                    f"volunteer {volunteer_id!r} has {feature} = {value!r}, which has no quota row "
                    f"(quota values: {', '.join(sorted(allowed[feature]))})",
                    path=path,
                    line=line,
                )
            values[feature] = value
        parts = [row[at] for at in household_at]
        household = "\x1f".join(parts) if any(parts) else None
        pool.append(Volunteer(volunteer_id, values, household))
    return pool
