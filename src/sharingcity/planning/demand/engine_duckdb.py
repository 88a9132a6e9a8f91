"""The DuckDB engine: the whole job on one machine, out of core.

DuckDB reads the call records (Parquet or CSV) and streams (subscriber, cell, local time)
as Arrow batches; compiled loops (``_kernels.partition`` and ``_kernels.settle``) check each
record and look its caller up in an open-addressing table of the billing file whose entries
carry the caller's zone and one "seen" bit per (origin, hour), and count trips and statuses.
Distinct callers per (origin, destination, hour) are then the set bits, per zone. That is the
exact path for integer subscriber and cell ids (what telecoms hold) when the table fits
``tally_budget``.
With contribution bounds (noise), text ids or a table too large, the records are joined in SQL
and grouped by one packed integer (caller number, origin, hour); the callers are the number of
those groups. DuckDB spills to ``temp_directory`` when ``memory_limit`` is reached.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _kernels
from .inputs import TIMESTAMP_PATTERN, Source, Window, check_columns
from .job import STATUS_CODES, EngineOutput, Job, hour_position_sql, window_sql
from .privacy import pseudonymise
from .report import MAX_EXAMPLES, InputReport, TableReport

_INT_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "HUGEINT",
}


# bounds on log2 of a bucket's capacity in the compiled tally (tests shrink it to force many
# rounds of filing and settling), and on the memory of all buckets (8 bytes a record)
BUCKET_BITS = (10, 16)
BUCKET_BYTES = 256 << 20


def _family(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _INT_TYPES:
        return "integer"
    if t == "VARCHAR":
        return "text"
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return "timestamptz"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    return "other"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reader_sql(src: Source, *, meta: bool = False, rejects: str | None = None) -> str:
    """A DuckDB table function reading ``src``; CSV is read as text, malformed lines go to
    ``rejects`` (then counted) or are skipped (when already counted by an earlier scan)."""
    files = "[" + ", ".join(_q(f) for f in src.files) + "]"
    if src.format == "parquet":
        extra = ", filename = true, file_row_number = true" if meta else ""
        return f"read_parquet({files}{extra})"
    extra = ", filename = true" if meta else ""
    if rejects:
        extra += (
            f", store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan'"
        )
    else:
        extra += ", ignore_errors = true"
    return f"read_csv({files}, header = true, delim = ',', quote = '\"', all_varchar = true{extra})"


def column_types(con: duckdb.DuckDBPyConnection, src: Source) -> dict[str, str]:
    """Column name -> DuckDB type, as read."""
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {reader_sql(src)}").fetchall()
    except duckdb.Error as exc:
        from .errors import DemandInputError

        raise DemandInputError(f"{src.name}: cannot read {list(src.files)[:3]}: {exc}") from exc
    return {r[0]: str(r[1]).upper() for r in rows}


def describe(
    con: duckdb.DuckDBPyConnection, src: Source, types: dict[str, str] | None = None
) -> dict[str, str]:
    """Column name -> type family, checked against the required columns (from ``types``, the
    :func:`column_types` of ``src``, when the caller has them already)."""
    columns = {name: _family(t) for name, t in (types or column_types(con, src)).items()}
    check_columns(src, columns)
    return columns


def _malformed(con: duckdb.DuckDBPyConnection, table: str, report: TableReport) -> int:
    """Count CSV lines DuckDB rejected while reading (one per file and line), with examples."""
    try:
        rows = con.execute(
            f"SELECT s.file_path, e.line, any_value(e.csv_line), any_value(e.error_message) "
            f"FROM {table} e JOIN {table}_scan s USING (scan_id, file_id) "
            "GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
    except duckdb.CatalogException:
        return 0
    report.add(
        "malformed_line",
        len(rows),
        [
            {"file": r[0], "line": int(r[1]), "text": r[2], "error": r[3]}
            for r in rows[:MAX_EXAMPLES]
        ],
    )
    return len(rows)


def _key_expr(column: str, family: str, key_type: str) -> str:
    if key_type == "BIGINT":
        return f"CAST({column} AS BIGINT)"
    if family == "text":
        return f"NULLIF(trim({column}), '')"
    return f"CAST({column} AS VARCHAR)"


def _ts_exprs(family: str, timezone: str) -> tuple[str, str]:
    """(timestamp expression as local wall-clock TIMESTAMP, 'is missing' expression)."""
    if family == "text":
        return (
            f"CASE WHEN regexp_full_match(timestamp, '{TIMESTAMP_PATTERN}') "
            "THEN TRY_CAST(replace(timestamp, 'T', ' ') AS TIMESTAMP) END",
            "(timestamp IS NULL OR trim(timestamp) = '')",
        )
    if family == "timestamptz":
        return f"timezone({_q(timezone)}, timestamp)", "(timestamp IS NULL)"
    return "CAST(timestamp AS TIMESTAMP)", "(timestamp IS NULL)"


def load_cells(cells: Source, zones: tuple[str, ...] | None) -> tuple[pa.Table, str, TableReport]:
    """Read and check the cell -> zone table (small; used by both engines).

    Returns
    -------
    table : pyarrow.Table
        Columns ``cell`` and ``zone`` of the usable rows (one per cell).
    family : str
        "integer" or "text": the type of the cell ids.
    report : TableReport
    """
    con = duckdb.connect()
    try:
        report = TableReport("cells", list(cells.files))
        fam = describe(con, cells)
        key = _key_expr("cell", fam["cell"], "BIGINT" if fam["cell"] == "integer" else "VARCHAR")
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT {key} AS cell, NULLIF(trim(CAST(zone AS VARCHAR)), '') AS zone, "
            f"{'file_row_number' if cells.format == 'parquet' else 'NULL'} AS rn, filename AS f "
            f"FROM {reader_sql(cells, meta=True, rejects='cell_rejects')}"
        )
        malformed = _malformed(con, "cell_rejects", report)
        report.rows_read = con.execute("SELECT count(*) FROM raw").fetchall()[0][0] + malformed  # type: ignore[index]
        _table_checks(con, report, "cell", zones, pseudonymous=False)
        table = con.sql(
            "SELECT cell, zone FROM grouped WHERE nz = 1 ORDER BY cell"
        ).to_arrow_table()
        return table, fam["cell"], report
    finally:
        con.close()


def _table_checks(
    con: duckdb.DuckDBPyConnection,
    report: TableReport,
    keycol: str,
    zones: tuple[str, ...] | None,
    *,
    pseudonymous: bool,
    key: bytes | None = None,
) -> None:
    """Checks shared by the cell and billing tables, on a temp table ``raw(key, zone, rn, f)``."""

    def show(value: Any) -> Any:
        if pseudonymous and value is not None and key is not None:
            return f"pseudonym:{int(pseudonymise([value], key)[0])}"
        return value

    missing = con.execute(
        f"SELECT count(*) FROM raw WHERE {keycol} IS NULL OR zone IS NULL"
    ).fetchall()[0][0]  # type: ignore[index]
    if missing:
        ex = con.execute(
            f"SELECT f, rn, {keycol}, zone FROM raw WHERE {keycol} IS NULL OR zone IS NULL ORDER BY f, rn LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        report.add(
            "missing_value",
            missing,
            [{"file": r[0], "row": r[1], keycol: show(r[2]), "zone": r[3]} for r in ex],
        )
    con.execute(
        f"CREATE TEMP TABLE grouped AS SELECT {keycol}, count(*) AS n, CASE WHEN min(zone) = max(zone) THEN 1 ELSE 2 END AS nz, "
        f"min(zone) AS zone FROM raw WHERE {keycol} IS NOT NULL AND zone IS NOT NULL GROUP BY {keycol}"
    )
    conflicting, dup = con.execute(
        "SELECT coalesce(sum(n) FILTER (WHERE nz > 1), 0), coalesce(sum(n - 1) FILTER (WHERE nz = 1), 0) FROM grouped"
    ).fetchall()[0]  # type: ignore[misc]
    if conflicting:
        ex = con.execute(
            f"SELECT g.{keycol}, list(DISTINCT r.zone ORDER BY r.zone) FROM grouped g JOIN raw r USING ({keycol}) "
            f"WHERE g.nz > 1 GROUP BY g.{keycol} ORDER BY g.{keycol} LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        report.add(
            "conflicting_duplicate", conflicting, [{keycol: show(r[0]), "zones": r[1]} for r in ex]
        )
    if dup:
        ex = con.execute(
            f"SELECT {keycol}, zone, n FROM grouped WHERE nz = 1 AND n > 1 ORDER BY {keycol} LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        report.add(
            "duplicate_row", dup, [{keycol: show(r[0]), "zone": r[1], "rows": r[2]} for r in ex]
        )
    if zones is not None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE given_zones AS SELECT unnest(?::VARCHAR[]) AS zone",
            [list(zones)],
        )
        unknown = con.execute(
            "SELECT coalesce(sum(n), 0) FROM grouped WHERE nz = 1 AND zone NOT IN (SELECT zone FROM given_zones)"
        ).fetchall()[0][0]  # type: ignore[index]
        if unknown:
            ex = con.execute(
                f"SELECT {keycol}, zone FROM grouped WHERE nz = 1 AND zone NOT IN (SELECT zone FROM given_zones) "
                f"ORDER BY {keycol} LIMIT {MAX_EXAMPLES}"
            ).fetchall()
            report.add("unknown_zone", unknown, [{keycol: show(r[0]), "zone": r[1]} for r in ex])


def zone_universe(given: tuple[str, ...] | None, *found: list[str]) -> list[str]:
    """The zones of the output domain: the given ones, else every zone seen, sorted."""
    if given is not None:
        return list(given)
    return sorted({z for zs in found for z in zs})


def run(
    job: Job,
    *,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    threads: int | None = None,
    progress: Any = None,
    tally_budget: float | None = 2e9,
) -> EngineOutput:
    """Run the job with DuckDB. See :func:`sharingcity.planning.demand.aggregate_od_demand`.

    ``tally_budget`` (bytes) bounds the subscriber table of the compiled exact path (a power of
    two at least twice the subscribers, times 2 + ceil(zones x hours / 64) words of 8 bytes);
    above it the SQL grouping is used instead. ``None``: no bound, ``0``: always SQL.
    """
    cells_table, cell_family, cells_report = load_cells(job.cells, job.zones)
    tmp = temp_directory or tempfile.gettempdir()
    con = duckdb.connect(config={"temp_directory": tmp})
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demand-helper")
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {_q(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET TimeZone = {_q(job.timezone)}")
        rec_types = column_types(con, job.records)
        rec_cols = describe(con, job.records, rec_types)
        sub_cols = describe(con, job.subscribers)
        sub_key_type = (
            "BIGINT" if rec_cols["subscriber"] == sub_cols["subscriber"] == "integer" else "VARCHAR"
        )
        cell_key_type = "BIGINT" if rec_cols["cell"] == cell_family == "integer" else "VARCHAR"

        # --- billing table: check, pseudonymise (in Python: the key never enters SQL text)
        sub_report = TableReport("subscribers", list(job.subscribers.files))
        skey = _key_expr("subscriber", sub_cols["subscriber"], sub_key_type)
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT {skey} AS subscriber, NULLIF(trim(CAST(zone AS VARCHAR)), '') AS zone, "
            f"{'file_row_number' if job.subscribers.format == 'parquet' else 'NULL'} AS rn, filename AS f "
            f"FROM {reader_sql(job.subscribers, meta=True, rejects='sub_rejects')}"
        )
        malformed = _malformed(con, "sub_rejects", sub_report)
        sub_report.rows_read = con.execute("SELECT count(*) FROM raw").fetchall()[0][0] + malformed  # type: ignore[index]
        _table_checks(con, sub_report, "subscriber", job.zones, pseudonymous=True, key=job.key)
        billing_zones = [
            r[0] for r in con.execute("SELECT DISTINCT zone FROM grouped WHERE nz = 1").fetchall()
        ]
        zones = zone_universe(job.zones, cells_table.column("zone").to_pylist(), billing_zones)
        zone_at = {z: i for i, z in enumerate(zones)}
        con.execute(
            "CREATE TEMP TABLE zone_index AS SELECT unnest(?::VARCHAR[]) AS zone, unnest(?::INTEGER[]) AS zi",
            [zones, list(range(len(zones)))],
        )
        billing = con.execute(
            "SELECT g.subscriber AS s, coalesce(z.zi, -1)::BIGINT AS d FROM grouped g "
            "LEFT JOIN zone_index z USING (zone) WHERE g.nz = 1"
        ).fetchnumpy()
        sub_keys, sub_zone = billing["s"], np.asarray(billing["d"], dtype=np.int64)
        # needed only for the SQL path, examples and the report: worked out beside the tally
        pseudonyms_soon = background.submit(_pseudonyms, sub_keys, job.key)
        con.execute("DROP TABLE raw")
        con.execute("DROP TABLE grouped")

        # --- cell table with zone indices (-1: zone not among the given ones)
        n_z = max(len(zones), 1)
        cell_zone = np.array(
            [zone_at.get(z, -1) for z in cells_table.column("zone").to_pylist()], dtype=np.int64
        )
        con.register("cells_in", cells_table)
        con.execute(
            f"CREATE TEMP TABLE cells_k AS SELECT CAST(c.cell AS {cell_key_type}) AS c, coalesce(z.zi, -1) AS zi "
            "FROM cells_in c LEFT JOIN zone_index z USING (zone)"
        )

        # --- one pass over the records
        rec_report = TableReport("records", list(job.records.files))
        ts_expr, ts_missing = _ts_exprs(rec_cols["timestamp"], job.timezone)
        rkey = _key_expr("subscriber", rec_cols["subscriber"], sub_key_type)
        ckey = _key_expr("cell", rec_cols["cell"], cell_key_type)
        sod = "(hour(r.t) * 3600 + minute(r.t) * 60 + second(r.t))"
        window_cond = window_sql(job.window, sod)
        n_hours = len(job.window.hours())
        subs_ready = False

        def need_subs() -> None:
            """The billing table in SQL, with a dense caller number ordered by pseudonym."""
            nonlocal subs_ready
            if not subs_ready:
                con.register(
                    "billing_in",
                    pa.table({"s": sub_keys, "p": pseudonyms_soon.result()[0], "d": sub_zone}),
                )
                con.execute(
                    "CREATE TEMP TABLE subs AS SELECT s, p, d, "
                    "(row_number() OVER (ORDER BY p, s) - 1)::BIGINT AS sid FROM billing_in"
                )
                con.unregister("billing_in")
                subs_ready = True

        def classify(extra: str, extra_in: str, reader: str) -> str:
            return f"""
            SELECT CASE
                WHEN r.s IS NULL OR r.c IS NULL OR r.tmiss THEN 1
                WHEN r.t IS NULL THEN 2
                WHEN cz.zi IS NULL THEN 3
                WHEN sb.p IS NULL THEN 4
                WHEN cz.zi < 0 OR sb.d < 0 THEN 5
                WHEN NOT {window_cond} THEN 6
                ELSE 0 END AS status,
              sb.sid AS sid, sb.d AS d, cz.zi AS o, hour(r.t) AS h{extra}
            FROM (SELECT {rkey} AS s, {ckey} AS c, {ts_expr} AS t, {ts_missing} AS tmiss{extra_in}
                  FROM {reader}) r
            LEFT JOIN cells_k cz ON r.c = cz.c
            LEFT JOIN subs sb ON r.s = sb.s
            """

        if progress:
            progress("aggregating records with DuckDB")
        reader = reader_sql(job.records, rejects="rec_rejects")
        words = 2 + (n_z * n_hours + 63) // 64
        table_bits = max(4, int(np.ceil(np.log2(max(2 * len(sub_keys), 2)))))
        use_tally = (
            job.bounds is None
            and sub_key_type == cell_key_type == "BIGINT"
            and (tally_budget is None or (1 << table_bits) * words * 8 <= tally_budget)
            # one id in 2**64 cannot be stored (``_kernels.storable``): it takes the SQL path
            and _kernels.storable(sub_keys)
            and _kernels.storable(cells_table.column("cell").to_numpy())
        )
        first_hour = job.window.start // 3600
        if use_tally:
            text_time = rec_cols["timestamp"] == "text"
            # columns DuckDB hands over as they are read, when the loop can take them so:
            # casts and epoch_us() would cost DuckDB about a third of its scan
            s_sql = "subscriber" if rec_types["subscriber"] == "BIGINT" else rkey
            c_sql = "cell" if rec_types["cell"] in ("INTEGER", "BIGINT") else ckey
            us_sql = (
                "timestamp" if rec_types["timestamp"] == "TIMESTAMP" else f"epoch_us({ts_expr})"
            )
            trips_flat, callers_flat, status_counts = _tally(
                con,
                f"SELECT {s_sql} AS s, {c_sql} AS c, {us_sql} AS us"
                + (f", {ts_missing} AS tmiss" if text_time else "")
                + f" FROM {reader}",
                job.window,
                np.asarray(sub_keys, dtype=np.int64),
                sub_zone,
                table_bits,
                words,
                np.asarray(cells_table.column("cell").to_numpy(), dtype=np.int64),
                cell_zone,
                n_z,
                n_hours,
                background,
            )
        else:
            need_subs()
            con.execute(
                f"CREATE TEMP TABLE stage AS SELECT CASE WHEN status = 0 THEN (sid * {n_z} + o) * 24 + h "
                f"ELSE -status END AS key, count(*) AS n FROM ({classify('', '', reader)}) GROUP BY key"
            )
            status_counts = dict(
                con.execute(
                    "SELECT CASE WHEN key < 0 THEN -key ELSE 0 END, sum(n)::BIGINT FROM stage GROUP BY 1"
                ).fetchall()
            )
        malformed = _malformed(con, "rec_rejects", rec_report)
        bad = {c: int(status_counts.get(c, 0)) for c in range(1, 6)}
        if any(bad.values()):
            need_subs()
            meta_cols = (
                ", r.f AS f, r.rn AS rn, r.s_raw AS s_raw, r.c_raw AS c_raw, r.ts_raw AS ts_raw"
            )
            rn = "file_row_number" if job.records.format == "parquet" else "NULL"
            extra_in = (
                f", filename AS f, {rn} AS rn, CAST(subscriber AS VARCHAR) AS s_raw, "
                "CAST(cell AS VARCHAR) AS c_raw, CAST(timestamp AS VARCHAR) AS ts_raw"
            )
            ex_rows = con.execute(
                "SELECT status, f, rn, s_raw, c_raw, ts_raw FROM ("
                + classify(
                    extra=meta_cols, extra_in=extra_in, reader=reader_sql(job.records, meta=True)
                )
                + ") WHERE status BETWEEN 1 AND 5 "
                f"QUALIFY row_number() OVER (PARTITION BY status ORDER BY f, rn) <= {MAX_EXAMPLES}"
            ).fetchall()
            for code in range(1, 6):
                examples = [_record_example(r, job.key) for r in ex_rows if r[0] == code]
                rec_report.add(STATUS_CODES[code], bad[code], examples)
        rec_report.rows_read = int(sum(status_counts.values())) + malformed

        # --- counts per (origin, destination, hour)
        if use_tally:
            cell = np.flatnonzero(trips_flat)
            res = {
                "o": cell // (n_z * n_hours),
                "d": (cell // n_hours) % n_z,
                "h": (first_hour + cell % n_hours) % 24,
                "trips": trips_flat[cell],
                "callers": callers_flat[cell],
            }
        else:
            hpos = hour_position_sql(job.window, "h")
            con.execute(
                f"CREATE TEMP VIEW used AS SELECT st.key // {24 * n_z} AS sid, (st.key // 24) % {n_z} AS o, "
                "st.key % 24 AS h, st.n AS n, sb.d AS d FROM stage st JOIN subs sb ON sb.sid = st.key // "
                f"{24 * n_z} WHERE st.key >= 0"
            )
            if job.bounds is None:
                sql = (
                    "SELECT o, d, h, sum(n)::BIGINT AS trips, count(*)::BIGINT AS callers FROM used "
                    "GROUP BY o, d, h"
                )
            else:
                m, c = job.bounds
                sql = (
                    f"SELECT o, d, h, sum(least(n, {c}))::BIGINT AS trips, count(*)::BIGINT AS callers FROM ("
                    f"SELECT o, d, h, n, row_number() OVER (PARTITION BY sid ORDER BY n DESC, {hpos}, o) AS rk "
                    f"FROM used) WHERE rk <= {m} GROUP BY o, d, h"
                )
            res = con.execute(sql + f" ORDER BY o, d, {hpos}").fetchnumpy()
        report = InputReport(
            records=rec_report,
            subscribers=sub_report,
            cells=cells_report,
            records_outside_window=int(status_counts.get(6, 0)),
            records_used=int(status_counts.get(0, 0)),
            hash_collisions=pseudonyms_soon.result()[1],
        )
        return EngineOutput(
            zones=zones,
            origin=np.asarray(res["o"], dtype=np.int64),
            destination=np.asarray(res["d"], dtype=np.int64),
            hour=np.asarray(res["h"], dtype=np.int64),
            trips=np.asarray(res["trips"], dtype=np.int64),
            callers=np.asarray(res["callers"], dtype=np.int64),
            report=report,
        )
    finally:
        background.shutdown(cancel_futures=True)
        con.close()


def _tally(
    con: duckdb.DuckDBPyConnection,
    records_sql: str,
    window: Window,
    sub_keys: np.ndarray,
    sub_zone: np.ndarray,
    table_bits: int,
    words: int,
    cell_keys: np.ndarray,
    cell_zone: np.ndarray,
    n_z: int,
    n_hours: int,
    background: ThreadPoolExecutor,
) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Stream ``records_sql`` through the compiled tally: columns s and c (integer ids), us
    (the local time, a TIMESTAMP or microseconds since 1970; NULL when missing or unreadable)
    and, for text timestamps, tmiss (the text was empty). Time of day and hour are worked out
    in the loop: DuckDB's hour()/minute()/second() on every record cost more than the rest of
    its work. ``background`` builds the subscriber table while the first batches are filed.

    Returns trips and distinct callers per (origin, destination, hour position), flattened,
    and the record count per status code."""
    # the first pass needs only the cells: the subscriber table is built while it runs
    subs_soon = background.submit(_kernels.build_table, sub_keys, sub_zone, table_bits, words)
    cell_bits = max(4, int(np.ceil(np.log2(max(2 * len(cell_keys), 2)))))
    cells = _kernels.build_table(cell_keys, cell_zone, cell_bits, 2)
    # compact cell ids (the usual numbering) are looked up by offset instead of hashing
    low = int(cell_keys.min()) if len(cell_keys) else 0
    span = int(cell_keys.max()) - low + 1 if len(cell_keys) else 0
    cell_zones = np.zeros(0, dtype=np.int64)
    if 0 < span <= max(4 * len(cell_keys), 1 << 16):
        cell_zones = np.full(span, -2, dtype=np.int64)
        cell_zones[cell_keys - low] = cell_zone
    # Buckets (see ``_kernels``): 2**radix stretches of the table of at most about 512 KiB,
    # and enough of them that a filed record's code fits in radix bits; all buckets together
    # hold about four records per table slot (within BUCKET_BYTES) before they are settled,
    # so that a stretch's entries are each met several times while in cache.
    radix = max(
        min(table_bits, max(1, table_bits + (words * 8).bit_length() - 1 - 19)),
        (n_z * n_hours + 1).bit_length(),
    )
    per_bucket = min((4 << table_bits) >> radix, BUCKET_BYTES // (8 << radix))
    low_bits, high_bits = BUCKET_BITS
    capacity = 1 << min(high_bits, max(low_bits, per_bucket.bit_length() - 1))
    buckets = np.empty((1 << radix, capacity), dtype=np.uint64)
    fill = np.zeros(1 << radix, dtype=np.int64)
    trips = np.zeros(n_z * n_z * n_hours, dtype=np.int64)
    status = np.zeros(7, dtype=np.int64)
    batches: queue.Queue[Any] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def read() -> None:
        try:
            for batch in con.sql(records_sql).to_arrow_reader(1 << 18):
                batches.put(batch)
        except BaseException as exc:  # handed to the consumer, which raises it
            failure.append(exc)
        finally:
            batches.put(None)

    no_flags = np.zeros(0, dtype=np.int8)

    def columns(batch: pa.RecordBatch) -> tuple[np.ndarray, ...]:
        """The batch as NumPy arrays, NULLs replaced, with the records' problem flags."""
        s, c, us = batch.column(0), batch.column(1), batch.column(2)
        if pa.types.is_timestamp(us.type):  # DuckDB TIMESTAMP: microseconds since 1970
            us = us.view(pa.int64())
        if not (s.null_count or c.null_count or us.null_count):
            return s.to_numpy(), c.to_numpy(), us.to_numpy(), no_flags
        missing = pc.or_(pc.or_(pc.is_null(s), pc.is_null(c)), pc.is_null(us))
        bad = pa.array(np.zeros(len(batch), dtype=bool))
        if batch.num_columns > 3:  # text timestamps: NULL time but non-empty text is "bad"
            tmiss = batch.column(3)
            bad = pc.and_(pc.is_null(us), pc.invert(tmiss))
            missing = pc.or_(pc.or_(pc.is_null(s), pc.is_null(c)), tmiss)
        missing_np = missing.to_numpy(zero_copy_only=False)
        bad_np = bad.to_numpy(zero_copy_only=False)
        flags = np.where(missing_np, 1, np.where(bad_np, 2, 0)).astype(np.int8)
        return (
            pc.fill_null(s, 0).to_numpy(),
            pc.fill_null(c, 0).to_numpy(),
            pc.fill_null(us, 0).to_numpy(),
            flags,
        )

    def settle() -> None:
        _kernels.settle(
            buckets, fill, radix, subs_soon.result(), table_bits, words, n_z, n_hours, trips, status
        )

    # One thread files and settles while DuckDB reads the next batches on its own threads:
    # with two cores, more threads of ours only took turns with DuckDB's.
    reader = threading.Thread(target=read, name="records-reader", daemon=True)
    reader.start()
    while (batch := batches.get()) is not None:
        subscribers, cells_of_calls, micros, flags = columns(batch)
        done, n = 0, len(subscribers)
        while True:
            done += _kernels.partition(
                subscribers[done:],
                cells_of_calls[done:],
                micros[done:],
                flags[done:],
                window.start,
                window.end,
                window.start // 3600,
                cells,
                cell_bits,
                cell_zones,
                low,
                n_z,
                n_hours,
                radix,
                buckets,
                fill,
                status,
            )
            if done == n:
                break
            settle()  # a bucket is full: empty them all
    settle()
    reader.join()
    if failure:
        raise failure[0]
    # (destination, origin, hour) as the kernels count -> (origin, destination, hour)
    shape = (n_z, n_z, n_hours)
    trips_od = trips.reshape(shape).transpose(1, 0, 2).ravel()
    callers = _kernels.callers_per_cell(subs_soon.result(), words, n_z, n_hours)
    callers_od = callers.reshape(shape).transpose(1, 0, 2).ravel()
    return trips_od, callers_od, {code: int(n) for code, n in enumerate(status) if n}


def _pseudonyms(keys: np.ndarray, key: bytes) -> tuple[np.ndarray, int]:
    """The billing file's subscribers' pseudonyms, and how many of them collide."""
    pseudonyms = pseudonymise(keys, key)
    ordered = np.sort(pseudonyms)
    return pseudonyms, int(np.count_nonzero(ordered[1:] == ordered[:-1]))


def _record_example(row: tuple[Any, ...], key: bytes) -> dict[str, Any]:
    _, f, rn, s_raw, c_raw, ts_raw = row
    ex: dict[str, Any] = {"file": f}
    if rn is not None:
        ex["row"] = int(rn)
    ex["subscriber"] = None if s_raw is None else f"pseudonym:{int(pseudonymise([s_raw], key)[0])}"
    ex["cell"] = c_raw
    ex["timestamp"] = ts_raw
    return ex
