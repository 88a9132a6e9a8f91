"""Aggregation throughput of the private OD job beside a bare DuckDB GROUP BY, same run, same Parquet.

Usage::

    python bench/demand_aggregate.py [--rows 1e8] [--spark-rows 1e7 | --no-spark] [--data /tmp/...]

Generates the demo city's call records (Seoul, seeded) under ``--data`` (default under /tmp),
then times, each in its own child process so peak memory (max RSS, from ``wait4``) is per run:

* ``bare GROUP BY``: ``SELECT cell, hour(timestamp), count(*) ... GROUP BY ALL`` over the records
  — the anchor the issue names;
* ``bare join``: the joins the job cannot do without (each call's cell to its zone, each caller
  to the billing zone) and a GROUP BY (origin, destination, hour) counting trips only: what
  DuckDB itself takes for the part of our work that the anchor leaves out;
* ``bare same answer``: the exact non-private answer in plain SQL (joins, window, COUNT DISTINCT)
  — what our job computes minus pseudonyms, validation, suppression and output;
* ``ours (exact)`` and ``ours (DP)``: ``aggregate_od_demand`` with the DuckDB engine, timed
  after a first call on a 20,000-row city (imports, Numba loading its compiled loops: the
  "first call" time in the table; the anchor's child likewise imports DuckDB untimed);
* ``ours (Spark local)``: the same job on PySpark in local mode, at ``--spark-rows`` (Spark at
  1e8 rows is slow on a shared 2-core machine; the table says which size it ran at, beside
  DuckDB on that same data), session start-up timed separately.

It checks the outputs agree (total trips, released cells) and deletes the data afterwards
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._shared import print_table  # noqa: E402

SECRET = "benchmark-secret-not-for-production"


def _child(kind: str, data: str, opts: dict) -> dict:
    """Run one measurement inside this (child) process; return timings and peak memory."""
    out = _run_child(kind, data, opts)
    import resource

    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out["children_peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def _run_child(kind: str, data: str, opts: dict) -> dict:
    import duckdb

    from sharingcity.planning.demand import aggregate_od_demand

    records = os.path.join(data, "records", "*.parquet")
    subs = os.path.join(data, "subscribers.parquet")
    cells = os.path.join(data, "cells.parquet")
    out: dict = {}
    if kind in ("bare_groupby", "bare_join", "bare_answer"):
        con = duckdb.connect(config={"temp_directory": opts["temp"]})
        if opts.get("memory_limit"):
            con.execute(f"SET memory_limit = '{opts['memory_limit']}'")
        con.execute("SET preserve_insertion_order = false")
        if kind == "bare_groupby":
            sql = f"SELECT cell, hour(timestamp) AS h, count(*) AS n FROM read_parquet('{records}') GROUP BY ALL"
        elif kind == "bare_join":
            sql = (
                f"SELECT c.zone AS origin, s.zone AS destination, hour(r.timestamp) AS h, count(*) AS trips "
                f"FROM read_parquet('{records}') r "
                f"JOIN read_parquet('{cells}') c ON r.cell = c.cell "
                f"JOIN read_parquet('{subs}') s ON r.subscriber = s.subscriber "
                "WHERE hour(r.timestamp) < 5 GROUP BY ALL"
            )
        else:
            sql = (
                f"SELECT c.zone AS origin, s.zone AS destination, hour(r.timestamp) AS h, count(*) AS trips, "
                f"count(DISTINCT r.subscriber) AS callers FROM read_parquet('{records}') r "
                f"JOIN read_parquet('{cells}') c ON r.cell = c.cell "
                f"JOIN read_parquet('{subs}') s ON r.subscriber = s.subscriber "
                "WHERE hour(r.timestamp) < 5 GROUP BY ALL"
            )
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        out["seconds"] = time.perf_counter() - t
        out["groups"] = len(rows)
        if kind == "bare_answer":
            out["trips"] = sum(r[3] for r in rows)
            out["cells_k"] = sum(1 for r in rows if r[4] >= 10)
        return out
    kw: dict = {
        "secret": SECRET,
        "memory_limit": opts.get("memory_limit"),
        "temp_directory": opts["temp"],
    }
    if kind == "ours_dp":
        kw |= {"epsilon": 1.0, "delta": 1e-6, "seed": 1}
    if kind == "ours_spark":
        from sharingcity.planning.demand.engine_spark import local_spark

        t = time.perf_counter()
        spark = local_spark(cores=2, memory=opts.get("spark_memory", "4g"))
        out["startup_seconds"] = time.perf_counter() - t
        kw |= {"engine": "spark", "spark": spark}
        kw.pop("memory_limit")
        kw.pop("temp_directory")
    if kind != "ours_spark":
        # Like the anchor, which imports DuckDB before its clock starts, ours is timed once its
        # modules are imported and Numba has loaded its compiled loops: a first job on a small
        # city of the same schema does both (the time is reported beside the result).
        from sharingcity.planning.demand import generate_demo_city

        small = os.path.join(opts["temp"], "warm-up")
        generate_demo_city(small, rows=20_000, seed=1)
        t = time.perf_counter()
        aggregate_od_demand(
            os.path.join(small, "records", "*.parquet"),
            os.path.join(small, "subscribers.parquet"),
            os.path.join(small, "cells.parquet"),
            **kw,
        )
        out["warm_up_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    res = aggregate_od_demand(records, subs, cells, **kw)
    out["seconds"] = time.perf_counter() - t
    out["cells"] = res.table.num_rows
    out["trips"] = int(sum(res.table["trips"].to_pylist())) + int(res.suppressed["trips"] or 0)
    out["rows_read"] = res.report.records.rows_read
    if kind == "ours_spark":
        kw["spark"].stop()
    return out


def _measure(kind: str, data: Path, opts: dict) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--_child",
        kind,
        "--data",
        str(data),
        "--_opts",
        json.dumps(opts),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    text = proc.stdout.read()
    if proc.wait() != 0:
        sys.exit(f"{kind} failed (exit {proc.returncode}); run it alone to see why")
    return json.loads(text.strip().splitlines()[-1])


def _generate(data: Path, rows: int, seed: int) -> float:
    from sharingcity.planning.demand import generate_demo_city
    from sharingcity.planning.demand.progress import Progress

    t = time.perf_counter()
    with Progress(rows, f"generating {rows:,} rows") as bar:
        generate_demo_city(data, rows=rows, seed=seed, progress=bar.update)
    return time.perf_counter() - t


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=float, default=1e8)
    p.add_argument(
        "--spark-rows", type=float, default=None, help="rows for the Spark run (default: --rows)"
    )
    p.add_argument("--no-spark", action="store_true")
    p.add_argument("--data", default="/tmp/sharingcity_demand_bench")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--memory-limit", default=None, help="DuckDB memory limit for every DuckDB run")
    p.add_argument("--keep", action="store_true", help="keep the generated data")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="use the data a --keep run left under --data (same --rows and --seed) instead of generating it",
    )
    p.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["bare_join", "bare_answer", "ours_dp"],
        help="leave out these slow rows (the plain-SQL same answer, the noisy run)",
    )
    p.add_argument("--_child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--_opts", default="{}", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args._child:
        print(json.dumps(_child(args._child, args.data, json.loads(args._opts))))
        return 0

    rows = int(args.rows)
    data = Path(args.data)
    need = rows * 12 * 1.3  # about 11.3 bytes per row in Parquet, plus spill room
    free = shutil.disk_usage(data.parent if data.parent.exists() else "/tmp").free
    if free < need:
        sys.exit(f"not enough disk: need about {need / 2**30:.1f} GiB, {free / 2**30:.1f} GiB free")
    opts = {"temp": str(data / "spill"), "memory_limit": args.memory_limit}
    try:
        manifest = data / "main" / "demo_city.json"
        if args.reuse and manifest.exists():
            if json.loads(manifest.read_text())["rows"] != rows:
                sys.exit(f"--reuse: the data under {data} is not {rows:,} rows")
            gen_s = float("nan")
        else:
            gen_s = _generate(data / "main", rows, args.seed)
        size = _du(data / "main")
        print(
            f"generated {rows:,} rows in {gen_s:.1f} s ({rows / gen_s:,.0f} rows/s), {size / 2**20:,.0f} MiB",
            file=sys.stderr,
        )
        runs = {}
        for kind in ("bare_groupby", "bare_join", "bare_answer", "ours_exact", "ours_dp"):
            if kind in args.skip:
                continue
            print(f"running {kind} ...", file=sys.stderr, flush=True)
            runs[kind] = _measure(kind, data / "main", opts)
        assert runs["ours_exact"]["rows_read"] == rows
        if "bare_answer" in runs:
            assert runs["ours_exact"]["trips"] == runs["bare_answer"]["trips"], (
                "ours and plain SQL disagree"
            )
            assert runs["ours_exact"]["cells"] == runs["bare_answer"]["cells_k"], (
                "released cells disagree"
            )
        table = []
        base = runs["bare_groupby"]["seconds"]
        labels = {
            "bare_groupby": "bare DuckDB GROUP BY (cell, hour)",
            "bare_join": "bare DuckDB GROUP BY (origin, destination, hour): joins, trips only",
            "bare_answer": "bare DuckDB same answer (joins, COUNT DISTINCT)",
            "ours_exact": "ours, DuckDB, k = 10",
            "ours_dp": "ours, DuckDB, k = 10, (1, 1e-6)-DP",
        }
        for kind, label in labels.items():
            if kind not in runs:
                continue
            r = runs[kind]
            if "warm_up_seconds" in r:
                label += f" (+{r['warm_up_seconds']:.1f} s first call)"
            table.append(
                [
                    label,
                    f"{rows:,}",
                    f"{r['seconds']:.1f}",
                    f"{rows / r['seconds'] / 1e6:.2f}",
                    f"{base / r['seconds']:.2f}",
                    f"{r['peak_mib']:,.0f}",
                ]
            )
        if not args.no_spark:
            srows = int(args.spark_rows or rows)
            sdata = data / "main"
            if srows != rows:
                _generate(data / "spark", srows, args.seed)
                sdata = data / "spark"
                duck = _measure("ours_exact", sdata, opts)
                bare = _measure("bare_groupby", sdata, opts)
                table.append(
                    [
                        "bare DuckDB GROUP BY (at Spark size)",
                        f"{srows:,}",
                        f"{bare['seconds']:.1f}",
                        f"{srows / bare['seconds'] / 1e6:.2f}",
                        "",
                        f"{bare['peak_mib']:,.0f}",
                    ]
                )
                table.append(
                    [
                        "ours, DuckDB (at Spark size)",
                        f"{srows:,}",
                        f"{duck['seconds']:.1f}",
                        f"{srows / duck['seconds'] / 1e6:.2f}",
                        f"{bare['seconds'] / duck['seconds']:.2f}",
                        f"{duck['peak_mib']:,.0f}",
                    ]
                )
            print("running ours_spark ...", file=sys.stderr, flush=True)
            sp = _measure("ours_spark", sdata, opts)
            table.append(
                [
                    f"ours, Spark local[2] (+{sp['startup_seconds']:.0f} s start-up)",
                    f"{srows:,}",
                    f"{sp['seconds']:.1f}",
                    f"{srows / sp['seconds'] / 1e6:.2f}",
                    "",
                    f"{sp['peak_mib']:,.0f} Python driver; JVM "
                    + (
                        f"{sp['children_peak_mib']:,.0f}"
                        if sp["children_peak_mib"]
                        else "not measured (never reaped)"
                    ),
                ]
            )
        print_table(
            ["run", "rows", "seconds", "M rows/s", "rate vs bare GROUP BY", "peak RSS MiB"], table
        )
        print(
            f"\ndata: {size / 2**20:,.0f} MiB Parquet; generation {rows / gen_s / 1e6:.2f} M rows/s; "
            f"output {runs['ours_exact']['cells']} released cells, "
            + ("trips check OK" if "bare_answer" in runs else "plain-SQL check skipped")
        )
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
