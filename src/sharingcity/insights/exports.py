"""Open data by default: every registered public dataset as CSV, JSON, JSON Lines, Parquet and
(for geodata) GeoJSON, streamed in bounded memory.

Only the fields an export declares (its allow-list) ever leave: each row is projected onto
``export.fields`` before it is written, and a row carrying a field outside the list is refused
(:class:`ExportFieldError`) rather than silently trimmed, so a leak is a loud failure."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sharingcity.core.errors import InvalidInput, NotFound
from sharingcity.core.models import District
from sharingcity.core.registry import OpenDataExport, registry

FORMATS = ("csv", "json", "jsonl", "parquet", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "geojson": "application/geo+json",
}
#: Rows per yielded piece of text formats and per Parquet row group.
BATCH = 1000
ROW_GROUP = 50_000


class ExportFieldError(ValueError):
    """A dataset's row carries a field outside its allow-list."""


def exports() -> dict[str, OpenDataExport]:
    return {e.key: e for e in sorted(registry.items("export"), key=lambda e: e.key)}


def formats_of(export: OpenDataExport) -> tuple[str, ...]:
    return FORMATS if export.geo else FORMATS[:-1]


def get(key: str, fmt: str) -> OpenDataExport:
    found = exports().get(key)
    if found is None:
        raise NotFound(_("No open dataset called “%(key)s”.") % {"key": key})
    if fmt not in formats_of(found):
        raise InvalidInput(
            "unknown_format",
            _("“%(fmt)s” is not a format of this dataset; use one of: %(formats)s.")
            % {"fmt": fmt, "formats": ", ".join(formats_of(found))},
            field="format",
        )
    return found


def field_type(export: OpenDataExport, name: str) -> str:
    return export.field_types.get(name, "str")


def dictionary(export: OpenDataExport) -> list[dict[str, str]]:
    """The data dictionary: field, type and description of every published field."""
    return [
        {
            "field": f,
            "type": field_type(export, f),
            "description": str(export.field_descriptions.get(f, "")),
        }
        for f in export.fields
    ]


def public_rows(export: OpenDataExport, rows: Iterable[dict] | None = None) -> Iterator[dict]:
    """The export's rows projected onto its allow-list, refusing any unexpected field."""
    allowed = frozenset(export.fields)
    fields = export.fields
    for row in export.rows() if rows is None else rows:
        if not allowed.issuperset(row):
            extra = sorted(set(row) - allowed)
            raise ExportFieldError(f"{export.key}: fields outside the allow-list: {extra}")
        yield {f: row.get(f) for f in fields}


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def _dumps(row: dict) -> str:
    return json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False)


def _batched(lines: Iterator[str]) -> Iterator[bytes]:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= BATCH:
            yield "".join(buf).encode()
            buf = []
    if buf:
        yield "".join(buf).encode()


def stream_csv(export: OpenDataExport, rows=None) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = export.fields
    # A byte-order mark so spreadsheet programs read Korean text as UTF-8.
    writer.writerow(fields)
    yield ("\ufeff" + out.getvalue()).encode()
    batch: list[list] = []
    for row in public_rows(export, rows):
        batch.append(["" if (v := _plain(row[f])) is None else v for f in fields])
        if len(batch) >= BATCH:
            out.seek(0)
            out.truncate()
            writer.writerows(batch)
            batch = []
            yield out.getvalue().encode()
    out.seek(0)
    out.truncate()
    writer.writerows(batch)
    yield out.getvalue().encode()


def stream_json(export: OpenDataExport, rows=None) -> Iterator[bytes]:
    def lines() -> Iterator[str]:
        yield "["
        first = True
        for row in public_rows(export, rows):
            yield ("\n" if first else ",\n") + _dumps(row)
            first = False
        yield "\n]\n"

    yield from _batched(lines())


def stream_jsonl(export: OpenDataExport, rows=None) -> Iterator[bytes]:
    yield from _batched(_dumps(row) + "\n" for row in public_rows(export, rows))


def stream_geojson(export: OpenDataExport, rows=None) -> Iterator[bytes]:
    """A FeatureCollection: a Point from ``longitude``/``latitude`` (null geometry when the
    row has none, e.g. a resident's own resource), every other field as a property."""

    def lines() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        for row in public_rows(export, rows):
            lon, lat = row.get("longitude"), row.get("latitude")
            geometry = (
                {"type": "Point", "coordinates": [lon, lat]}
                if lon is not None and lat is not None
                else None
            )
            props = {k: _plain(v) for k, v in row.items() if k not in ("latitude", "longitude")}
            feature = {"type": "Feature", "geometry": geometry, "properties": props}
            yield ("\n" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
            first = False
        yield "\n]}\n"

    yield from _batched(lines())


class _Drain(io.RawIOBase):
    """A write-only file whose contents are taken away after each row group."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        data = bytes(b)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def arrow_schema(export: OpenDataExport):
    import pyarrow as pa

    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "str": pa.string(),
    }
    return pa.schema([(f, types[field_type(export, f)]) for f in export.fields])


def stream_parquet(
    export: OpenDataExport, rows=None, *, row_group: int = ROW_GROUP
) -> Iterator[bytes]:
    """Parquet written one row group at a time; each group's bytes are handed on before the
    next is read, so memory holds one group, not the dataset."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(export)
    strings = [f for f in export.fields if field_type(export, f) == "str"]
    sink = _Drain()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    columns: dict[str, list] = {f: [] for f in export.fields}
    n = 0

    def flush() -> bytes:
        for f in strings:
            columns[f] = [None if v is None else str(v) for v in columns[f]]
        writer.write_table(pa.table(columns, schema=schema), row_group_size=row_group)
        for f in export.fields:
            columns[f] = []
        return sink.take()

    for row in public_rows(export, rows):
        for f in export.fields:
            columns[f].append(row[f])
        n += 1
        if n % row_group == 0:
            yield flush()
    if n % row_group or n == 0:
        yield flush()
    writer.close()
    yield sink.take()


WRITERS = {
    "csv": stream_csv,
    "json": stream_json,
    "jsonl": stream_jsonl,
    "parquet": stream_parquet,
    "geojson": stream_geojson,
}


def stream(export: OpenDataExport, fmt: str, rows=None) -> Iterator[bytes]:
    return WRITERS[fmt](export, rows)


# --------------------------------------------------------------------------- files


def open_data_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "open-data"


def write_all(directory: Path | None = None) -> list[Path]:
    """Write every export in every format to ``MEDIA_ROOT/open-data/`` (atomic renames, so a
    reader never sees half a file). Returns the paths written."""
    directory = directory or open_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key, export in exports().items():
        for fmt in formats_of(export):
            target = directory / f"{key}.{fmt}"
            tmp = target.with_suffix(target.suffix + ".tmp")
            with tmp.open("wb") as fh:
                for chunk in stream(export, fmt):
                    fh.write(chunk)
            tmp.replace(target)
            written.append(target)
        (directory / f"{key}.dictionary.json").write_text(
            json.dumps(dictionary(export), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return written


# --------------------------------------------------------------------------- districts


def district_rows():
    for d in District.objects.order_by("code").values(
        "code", "name_ko", "name_en", "population", "latitude", "longitude"
    ):
        yield dict(d)
