"""The PySpark engine: the same job as the DuckDB engine, for a cluster.

The plan mirrors :mod:`.engine_duckdb` step by step (same checks in the same order, same
grouping by (pseudonym, origin, hour), same tie-breaks), so both give identical counts. The
pseudonyms are computed by the same Python function inside ``mapInArrow``: the derived key
travels in the pickled closure to the executors and never appears in a query plan or log.

Local mode (``local_spark()``) is for tests and one-machine runs; on a cluster pass the
session of the cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from .engine_duckdb import load_cells, zone_universe
from .errors import DemandInputError
from .inputs import REQUIRED_COLUMNS, TIMESTAMP_PATTERN, Source, check_columns
from .job import STATUS_CODES, EngineOutput, Job
from .privacy import pseudonymise
from .report import MAX_EXAMPLES, InputReport, TableReport

_CORRUPT = "_corrupt_record"


def local_spark(cores: int = 2, memory: str = "2g", app: str = "sharingcity-demand") -> Any:
    """A local-mode SparkSession tuned for one small machine (few shuffle partitions, no UI)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    # Python workers must be this interpreter (the venv with pyarrow), not whatever is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(4, 2 * cores)))
        .config("spark.driver.memory", memory)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def pseudonym_batches(key: bytes) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function adding pseudonyms to (key, zone) batches.

    It calls :func:`..privacy.pseudonymise`, so the executors need this package (a pure-Python
    wheel plus NumPy, PyArrow and Numba) installed, as for any PySpark job shipping Python code.
    """

    def with_pseudonyms(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numpy as _np
        import pyarrow as _pa

        from sharingcity.planning.demand.privacy import pseudonymise as _pseudonymise

        for b in batches:
            s = b.column(0)
            keys = (
                s.to_numpy(zero_copy_only=False)
                if _pa.types.is_integer(s.type) and s.null_count == 0
                else _np.array(s.to_pylist(), dtype=object)
            )
            yield _pa.RecordBatch.from_arrays(
                [s, _pa.array(_pseudonymise(keys, key), _pa.int64()), b.column(1)],
                names=["s", "p", "zone"],
            )

    return with_pseudonyms


def _family(dtype: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(dtype, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
        return "integer"
    if isinstance(dtype, T.StringType):
        return "text"
    if isinstance(dtype, T.TimestampNTZType):
        return "timestamp"
    if isinstance(dtype, T.TimestampType):
        return "timestamptz"
    return "other"


def _read(spark: Any, src: Source, *, meta: bool = False) -> Any:
    """Read a source; CSV as text with a corrupt-record column for malformed lines."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if src.format == "parquet":
        try:
            df = spark.read.parquet(*src.files)
        except Exception as exc:  # Spark raises AnalysisException and friends
            raise DemandInputError(f"{src.name}: cannot read {list(src.files)[:3]}: {exc}") from exc
        if meta:
            df = df.select(
                "*",
                F.col("_metadata.file_path").alias("_f"),
                F.col("_metadata.row_index").alias("_rn"),
            )
        return df
    header = src.csv_header()
    for i in range(1, len(src.files)):
        if src.csv_header(i) != header:
            raise DemandInputError(
                f"{src.name}: {src.files[i]} has a different header from {src.files[0]}"
            )
    schema = T.StructType(
        [T.StructField(c, T.StringType()) for c in header]
        + [T.StructField(_CORRUPT, T.StringType())]
    )
    df = spark.read.csv(
        list(src.files),
        header=True,
        schema=schema,
        mode="PERMISSIVE",
        columnNameOfCorruptRecord=_CORRUPT,
        sep=",",
        quote='"',
    )
    if meta:
        df = df.select(
            "*", F.col("_metadata.file_path").alias("_f"), F.lit(None).cast("long").alias("_rn")
        )
    return df


def _columns(df: Any, src: Source) -> dict[str, str]:
    cols = {f.name: _family(f.dataType) for f in df.schema.fields if f.name != _CORRUPT}
    check_columns(src, cols)
    return cols


def _key(column: str, family: str, key_type: str) -> Any:
    from pyspark.sql import functions as F

    if key_type == "bigint":
        return F.col(column).cast("bigint")
    if family == "text":
        return F.expr(f"nullif(trim(`{column}`), '')")
    return F.col(column).cast("string")


def _corrupt_flag(df: Any) -> Any:
    from pyspark.sql import functions as F

    return F.col(_CORRUPT).isNotNull() if _CORRUPT in df.columns else F.lit(False)


def _strip_file(path: str | None) -> str | None:
    return path[5:] if isinstance(path, str) and path.startswith("file:") else path


def run(job: Job, *, spark: Any = None, progress: Any = None) -> EngineOutput:
    """Run the job with PySpark. See :func:`sharingcity.planning.demand.aggregate_od_demand`."""
    from pyspark import StorageLevel
    from pyspark.sql import Window as W
    from pyspark.sql import functions as F

    cells_table, cell_family, cells_report = load_cells(job.cells, job.zones)
    if spark is None:
        if progress:
            progress("starting a local Spark session")
        spark = local_spark()
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", job.timezone)
    cached: list[Any] = []
    try:
        rec = _read(spark, job.records)
        subs_in = _read(spark, job.subscribers, meta=True)
        rec_cols = _columns(rec, job.records)
        sub_cols = _columns(subs_in, job.subscribers)
        sub_key_type = (
            "bigint" if rec_cols["subscriber"] == sub_cols["subscriber"] == "integer" else "string"
        )
        cell_key_type = "bigint" if rec_cols["cell"] == cell_family == "integer" else "string"
        key = job.key

        def show(value: Any) -> Any:
            return None if value is None else f"pseudonym:{int(pseudonymise([value], key)[0])}"

        # --- billing table
        sub_report = TableReport("subscribers", list(job.subscribers.files))
        raw = subs_in.select(
            _key("subscriber", sub_cols["subscriber"], sub_key_type).alias("subscriber"),
            F.expr("nullif(trim(cast(zone as string)), '')").alias("zone"),
            _corrupt_flag(subs_in).alias("bad"),
            F.col("_f"),
            F.col("_rn"),
            (F.col(_CORRUPT) if _CORRUPT in subs_in.columns else F.lit(None).cast("string")).alias(
                "line"
            ),
        ).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(raw)
        counts = raw.agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(F.col("bad").cast("long")).alias("bad"),
            F.sum(
                (~F.col("bad") & (F.col("subscriber").isNull() | F.col("zone").isNull())).cast(
                    "long"
                )
            ).alias("miss"),
        ).collect()[0]
        sub_report.rows_read = int(counts["n"])
        if counts["bad"]:
            ex = raw.filter("bad").orderBy("_f").limit(MAX_EXAMPLES).collect()
            sub_report.add(
                "malformed_line",
                int(counts["bad"]),
                [{"file": _strip_file(r["_f"]), "text": r["line"]} for r in ex],
            )
        if counts["miss"]:
            ex = (
                raw.filter(~F.col("bad") & (F.col("subscriber").isNull() | F.col("zone").isNull()))
                .orderBy("_f", "_rn")
                .limit(MAX_EXAMPLES)
                .collect()
            )
            sub_report.add(
                "missing_value",
                int(counts["miss"]),
                [
                    {
                        "file": _strip_file(r["_f"]),
                        "row": r["_rn"],
                        "subscriber": show(r["subscriber"]),
                        "zone": r["zone"],
                    }
                    for r in ex
                ],
            )
        valid = raw.filter(
            ~F.col("bad") & F.col("subscriber").isNotNull() & F.col("zone").isNotNull()
        )
        grouped = (
            valid.groupBy("subscriber")
            .agg(
                F.count(F.lit(1)).alias("n"),
                F.countDistinct("zone").alias("nz"),
                F.min("zone").alias("zone"),
            )
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        cached.append(grouped)
        g = grouped.agg(
            F.coalesce(F.sum(F.when(F.col("nz") > 1, F.col("n"))), F.lit(0)).alias("conf"),
            F.coalesce(F.sum(F.when(F.col("nz") == 1, F.col("n") - 1)), F.lit(0)).alias("dup"),
        ).collect()[0]
        if g["conf"]:
            ex = (
                grouped.filter("nz > 1")
                .select("subscriber")
                .join(valid.select("subscriber", "zone"), "subscriber")
                .groupBy("subscriber")
                .agg(F.array_sort(F.collect_set("zone")).alias("zones"))
                .orderBy("subscriber")
                .limit(MAX_EXAMPLES)
                .collect()
            )
            sub_report.add(
                "conflicting_duplicate",
                int(g["conf"]),
                [{"subscriber": show(r["subscriber"]), "zones": list(r["zones"])} for r in ex],
            )
        if g["dup"]:
            ex = (
                grouped.filter("nz = 1 AND n > 1")
                .orderBy("subscriber")
                .limit(MAX_EXAMPLES)
                .collect()
            )
            sub_report.add(
                "duplicate_row",
                int(g["dup"]),
                [
                    {"subscriber": show(r["subscriber"]), "zone": r["zone"], "rows": r["n"]}
                    for r in ex
                ],
            )
        if job.zones is not None:
            unknown = grouped.filter((F.col("nz") == 1) & ~F.col("zone").isin(list(job.zones)))
            n_unknown = unknown.agg(F.coalesce(F.sum("n"), F.lit(0))).collect()[0][0]
            if n_unknown:
                ex = unknown.orderBy("subscriber").limit(MAX_EXAMPLES).collect()
                sub_report.add(
                    "unknown_zone",
                    int(n_unknown),
                    [{"subscriber": show(r["subscriber"]), "zone": r["zone"]} for r in ex],
                )
        billing_zones = [r[0] for r in grouped.filter("nz = 1").select("zone").distinct().collect()]
        zones = zone_universe(job.zones, cells_table.column("zone").to_pylist(), billing_zones)
        zone_index = spark.createDataFrame(
            [(z, i) for i, z in enumerate(zones)], "zone string, zi int"
        )

        out_schema = f"s {sub_key_type}, p bigint, zone string"

        with_pseudonyms = pseudonym_batches(key)

        subs = (
            grouped.filter("nz = 1")
            .select("subscriber", "zone")
            .mapInArrow(with_pseudonyms, out_schema)
            .join(F.broadcast(zone_index), "zone", "left")
            .select("s", "p", F.coalesce(F.col("zi"), F.lit(-1)).alias("d"))
        ).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(subs)
        collisions = subs.agg(F.count(F.lit(1)) - F.countDistinct("p")).collect()[0][0]

        # --- cells with zone indices
        cells_pd = cells_table.to_pandas()
        cells_df = spark.createDataFrame(
            cells_pd,
            "cell " + ("bigint" if cell_family == "integer" else "string") + ", zone string",
        )
        cells_k = cells_df.join(F.broadcast(zone_index), "zone", "left").select(
            F.col("cell").cast(cell_key_type).alias("c"),
            F.coalesce(F.col("zi"), F.lit(-1)).alias("zi"),
        )

        # --- one pass over the records
        if progress:
            progress("aggregating records with Spark")
        rec_report = TableReport("records", list(job.records.files))
        fam = rec_cols["timestamp"]
        if fam == "text":
            ts = F.when(
                F.col("timestamp").rlike(TIMESTAMP_PATTERN),
                F.expr("try_cast(replace(timestamp, 'T', ' ') as timestamp_ntz)"),
            )
            tmiss = F.col("timestamp").isNull() | (F.trim(F.col("timestamp")) == "")
        else:  # timestamp_ntz as is; instants become local time in the session zone
            ts = F.col("timestamp").cast("timestamp_ntz")
            tmiss = F.col("timestamp").isNull()

        def classified(df: Any, extra: list[Any]) -> Any:
            r = df.select(
                _key("subscriber", rec_cols["subscriber"], sub_key_type).alias("s"),
                _key("cell", rec_cols["cell"], cell_key_type).alias("c"),
                ts.alias("t"),
                tmiss.alias("tmiss"),
                _corrupt_flag(df).alias("bad"),
                *extra,
            )
            j = r.join(F.broadcast(cells_k), "c", "left").join(subs, "s", "left")
            sod = F.hour("t") * 3600 + F.minute("t") * 60 + F.second("t")
            win = job.window
            inside = (
                ((sod >= win.start) | (sod < win.end))
                if win.crosses_midnight
                else ((sod >= win.start) & (sod < win.end))
            )
            status = (
                F.when(F.col("bad"), F.lit(7))
                .when(F.col("s").isNull() | F.col("c").isNull() | F.col("tmiss"), F.lit(1))
                .when(F.col("t").isNull(), F.lit(2))
                .when(F.col("zi").isNull(), F.lit(3))
                .when(F.col("p").isNull(), F.lit(4))
                .when((F.col("zi") < 0) | (F.col("d") < 0), F.lit(5))
                .when(~inside, F.lit(6))
                .otherwise(F.lit(0))
            )
            return j.withColumn("status", status)

        cl = classified(rec, [])
        used = F.col("status") == 0
        stage = (
            cl.select(
                "status",
                F.when(used, F.col("p")).alias("p"),
                F.when(used, F.col("zi")).alias("o"),
                F.when(used, F.col("d")).alias("d"),
                F.when(used, F.hour("t")).alias("h"),
            )
            .groupBy("status", "p", "o", "d", "h")
            .agg(F.count(F.lit(1)).alias("n"))
        ).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(stage)
        status_counts = {
            int(r[0]): int(r[1]) for r in stage.groupBy("status").agg(F.sum("n")).collect()
        }
        bad = {c: status_counts.get(c, 0) for c in (1, 2, 3, 4, 5, 7)}
        if any(bad.values()):
            rec_meta = _read(spark, job.records, meta=True)
            extra = [
                F.col("_f"),
                F.col("_rn"),
                F.col("subscriber").cast("string").alias("s_raw"),
                F.col("cell").cast("string").alias("c_raw"),
                F.col("timestamp").cast("string").alias("ts_raw"),
                (
                    F.col(_CORRUPT) if _CORRUPT in rec_meta.columns else F.lit(None).cast("string")
                ).alias("line"),
            ]
            w = W.partitionBy("status").orderBy("_f", "_rn")
            ex_rows = (
                classified(rec_meta, extra)
                .filter(F.col("status").isin(1, 2, 3, 4, 5, 7))
                .withColumn("k", F.row_number().over(w))
                .filter(F.col("k") <= MAX_EXAMPLES)
                .select("status", "_f", "_rn", "s_raw", "c_raw", "ts_raw", "line")
                .collect()
            )
            if bad[7]:
                rec_report.add(
                    "malformed_line",
                    bad[7],
                    [
                        {"file": _strip_file(r["_f"]), "text": r["line"]}
                        for r in ex_rows
                        if r["status"] == 7
                    ],
                )
            for code in range(1, 6):
                examples = []
                for r in ex_rows:
                    if r["status"] != code:
                        continue
                    e: dict[str, Any] = {"file": _strip_file(r["_f"])}
                    if r["_rn"] is not None:
                        e["row"] = int(r["_rn"])
                    e |= {
                        "subscriber": show(r["s_raw"]),
                        "cell": r["c_raw"],
                        "timestamp": r["ts_raw"],
                    }
                    examples.append(e)
                rec_report.add(STATUS_CODES[code], bad[code], examples)
        rec_report.rows_read = sum(status_counts.values())

        first = job.window.start // 3600
        hpos = (F.col("h") - first + 24) % 24
        used_stage = stage.filter("status = 0")
        if job.bounds is None:
            final = used_stage.groupBy("o", "d", "h").agg(
                F.sum("n").alias("trips"), F.count(F.lit(1)).alias("callers")
            )
        else:
            m, c = job.bounds
            w = W.partitionBy("p").orderBy(F.col("n").desc(), hpos, F.col("o"))
            final = (
                used_stage.withColumn("rk", F.row_number().over(w))
                .filter(F.col("rk") <= m)
                .groupBy("o", "d", "h")
                .agg(
                    F.sum(F.least(F.col("n"), F.lit(c))).alias("trips"),
                    F.count(F.lit(1)).alias("callers"),
                )
            )
        rows = final.collect()
        report = InputReport(
            records=rec_report,
            subscribers=sub_report,
            cells=cells_report,
            records_outside_window=status_counts.get(6, 0),
            records_used=status_counts.get(0, 0),
            hash_collisions=int(collisions),
        )

        def col(name: str) -> np.ndarray:
            return np.array([int(r[name]) for r in rows], dtype=np.int64)

        return EngineOutput(
            zones=zones,
            origin=col("o"),
            destination=col("d"),
            hour=col("h"),
            trips=col("trips"),
            callers=col("callers"),
            report=report,
        )
    finally:
        for df in cached:
            df.unpersist()
        spark.conf.set("spark.sql.session.timeZone", old_tz)


__all__ = ["REQUIRED_COLUMNS", "local_spark", "run"]
