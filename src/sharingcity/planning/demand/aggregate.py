"""The aggregation job a telecom runs on its own side, handing the city only counts."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import DemandInputError, NothingValidError
from .inputs import Window, parse_window, resolve_source
from .job import EngineOutput, Job
from .privacy import NoiseSpec, derive_key, noisy_release
from .report import InputReport

Location = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

OUTPUT_SCHEMA = pa.schema(
    [
        ("origin", pa.string()),
        ("destination", pa.string()),
        ("hour", pa.int8()),
        ("trips", pa.int64()),
        ("callers", pa.int64()),
    ]
)

MARGIN_SCHEMA = pa.schema(
    [
        ("margin", pa.string()),
        ("zone", pa.string()),
        ("hour", pa.int8()),
        ("trips", pa.int64()),
        ("callers", pa.int64()),
    ]
)


@dataclass
class DemandResult:
    """What the job releases, and the account of what it read.

    Attributes
    ----------
    table : pyarrow.Table
        Released cells: origin, destination (zone names), hour (0-23), trips, callers;
        every row has ``callers >= k``. Sorted by origin, destination and hour of the night.
    suppressed : dict
        ``cells`` withheld, and their ``trips`` and ``callers`` totals — reported only when the
        withheld callers reach k themselves (else None), so the total cannot expose a small cell.
    report : InputReport
    manifest : dict
        Every parameter of the run (never the secret, the derived key or the noise seed).
    margins : pyarrow.Table or None
        With noise only: the released (origin, hour), (destination, hour) and hour totals,
        which the cells (suppressed ones included) add up to exactly.
    files : dict
        Paths written (when ``out`` was given).
    """

    table: pa.Table
    suppressed: dict[str, int | None]
    report: InputReport
    manifest: dict[str, Any]
    margins: pa.Table | None = None
    files: dict[str, str] = field(default_factory=dict)


def aggregate_od_demand(
    records: Location,
    subscribers: Location,
    cells: Location,
    *,
    engine: str = "duckdb",
    window: tuple[str, str] = ("00:00", "05:00"),
    k: int = 10,
    epsilon: float | None = None,
    delta: float | None = None,
    secret: str | bytes | None = None,
    out: str | os.PathLike[str] | None = None,
    zones: Sequence[str] | None = None,
    max_cells_per_caller: int = 3,
    max_calls_per_cell: int = 5,
    timezone: str = "UTC",
    seed: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    threads: int | None = None,
    spark: Any = None,
    progress: Callable[[str], None] | None = None,
) -> DemandResult:
    """Origin-destination night demand from call records, with privacy protection.

    For every call inside the daily ``window``, the origin is the zone of the cell that carried
    it and the destination is the caller's billing zone (taken as home). The job counts
    ``trips`` (calls) and ``callers`` (distinct subscribers) per (origin, destination, hour),
    withholds cells with fewer than ``k`` callers, and optionally adds differential-privacy
    noise first (see :mod:`sharingcity.planning.demand.privacy` for the mechanisms, the
    sensitivity argument and the post-processing).

    Parameters
    ----------
    records : path, folder, glob or list of them
        Call records, Parquet or CSV, columns ``subscriber``, ``timestamp``, ``cell``.
        Timestamps: a timestamp type, or ISO 8601 text ``YYYY-MM-DD HH:MM[:SS[.ffffff]]``
        (a ``T`` separator is accepted), read as local wall-clock time.
    subscribers : location
        Billing table: ``subscriber``, ``zone``.
    cells : location
        Cell table: ``cell``, ``zone``.
    engine : {"duckdb", "spark"}
        DuckDB (one machine, out of core) or PySpark (a cluster; ``spark`` may pass a session,
        else a local one is started). Without noise both give identical output.
    window : (str, str)
        Daily window ``[start, end)`` as ``"HH:MM"``; may run across midnight, e.g.
        ``("22:00", "05:00")``; ``"24:00"`` is allowed as an end.
    k : int
        Minimum distinct callers for a cell to be released (default 10).
    epsilon, delta : float or None
        Differential privacy: None for none; ``epsilon`` alone for pure epsilon-DP
        (discrete Laplace); with ``delta`` for (epsilon, delta)-DP (discrete Gaussian).
    secret : str or bytes or None
        The telecom's pseudonymisation secret (at least 16 bytes). None draws a fresh random
        one, so pseudonyms cannot be linked across runs. Never written anywhere.
    out : folder or None
        Where to write ``od_demand.parquet``, ``manifest.json`` (and ``od_margins.parquet``
        with noise). None writes nothing.
    zones : list of str or None
        The zones of the city. When given, cells or billing areas outside them are reported
        as ``unknown_zone``; else the domain is every zone of the two tables.
    max_cells_per_caller, max_calls_per_cell : int
        Per-subscriber contribution bounds, applied only with noise (they set the sensitivity).
    timezone : str
        Zone in which timezone-aware timestamps are read as local time (naive ones and text
        are taken as already local).
    seed : int or None
        Seed of the noise (tests only: a known seed lets anyone remove the noise; it is never
        written to the manifest).
    memory_limit, temp_directory, threads : DuckDB settings (e.g. ``"4GB"``); spills go to
        ``temp_directory`` (default: the system's temporary folder).
    spark : pyspark.sql.SparkSession or None
    progress : callable or None
        Called with a short message at each stage.

    Returns
    -------
    DemandResult

    Raises
    ------
    DemandInputError
        Missing files, missing columns, unusable column types, bad arguments.
    NothingValidError
        When no record is usable; ``err.report`` tells why.

    Notes
    -----
    Cost: one scan of the records with two hash joins against the (small) cell and billing
    tables and one hash aggregation keyed by (pseudonym, origin, hour); memory is bounded by
    the number of those groups, spilled to disk beyond ``memory_limit``. The noise and
    post-processing work on the dense Z x Z x H table (Z zones, H hours).
    """
    win = parse_window(window)
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise DemandInputError(f"k must be a positive integer, got {k!r}")
    if engine not in ("duckdb", "spark"):
        raise DemandInputError(f"engine must be 'duckdb' or 'spark', got {engine!r}")
    if epsilon is None and delta is not None:
        raise DemandInputError("delta was given without epsilon")
    spec = (
        NoiseSpec(
            epsilon,
            delta,
            max_cells_per_caller=max_cells_per_caller,
            max_calls_per_cell=max_calls_per_cell,
        )
        if epsilon is not None
        else None
    )
    zone_list: tuple[str, ...] | None = None
    if zones is not None:
        zone_list = tuple(str(z) for z in zones)
        if len(set(zone_list)) != len(zone_list) or not zone_list:
            raise DemandInputError("zones must be a non-empty list without repeats")
    secret_value = secret if secret is not None else _secrets.token_bytes(32)
    job = Job(
        records=resolve_source("records", records),
        subscribers=resolve_source("subscribers", subscribers),
        cells=resolve_source("cells", cells),
        zones=zone_list,
        window=win,
        key=derive_key(secret_value),
        bounds=None if spec is None else (spec.max_cells_per_caller, spec.max_calls_per_cell),
        timezone=timezone,
    )
    del secret_value

    if engine == "duckdb":
        from . import engine_duckdb

        raw = engine_duckdb.run(
            job,
            memory_limit=memory_limit,
            temp_directory=temp_directory,
            threads=threads,
            progress=progress,
        )
    else:
        from . import engine_spark

        raw = engine_spark.run(job, spark=spark, progress=progress)
    raw.report.check_accounting()
    if raw.report.records_used == 0:
        raise NothingValidError(
            "no usable call record in the window:\n" + raw.report.summary(), report=raw.report
        )
    if progress:
        progress("privacy protection and output")
    hours = win.hours()
    if spec is None:
        table, suppressed, margins = _exact_release(raw, hours, k)
    else:
        table, suppressed, margins = _noisy_release(
            raw, hours, k, spec, np.random.default_rng(seed)
        )
    manifest = _manifest(job, engine, k, spec, seed, hours, raw, table, suppressed, margins)
    result = DemandResult(
        table=table, suppressed=suppressed, report=raw.report, manifest=manifest, margins=margins
    )
    if out is not None:
        result.files = _write(Path(out), result)
    return result


def _hour_order(hours: list[int]) -> dict[int, int]:
    return {h: i for i, h in enumerate(hours)}


def _cells_table(
    zones: list[str],
    o: np.ndarray,
    d: np.ndarray,
    h: np.ndarray,
    trips: np.ndarray,
    callers: np.ndarray,
    hours: list[int],
) -> pa.Table:
    pos = _hour_order(hours)
    hp = np.array([pos[int(x)] for x in h], dtype=np.int64)
    order = np.lexsort((hp, d, o))
    names = np.array(zones, dtype=object)
    return pa.table(
        {
            "origin": pa.array(names[o[order]].tolist(), pa.string()),
            "destination": pa.array(names[d[order]].tolist(), pa.string()),
            "hour": pa.array(h[order], pa.int8()),
            "trips": pa.array(trips[order], pa.int64()),
            "callers": pa.array(callers[order], pa.int64()),
        },
        schema=OUTPUT_SCHEMA,
    )


def _suppressed(cells: int, trips: int, callers: int, k: int) -> dict[str, int | None]:
    # The withheld total is itself released only when it is as safe as a released cell.
    safe = callers >= k
    return {
        "cells": int(cells),
        "trips": int(trips) if safe else None,
        "callers": int(callers) if safe else None,
    }


def _exact_release(
    raw: EngineOutput, hours: list[int], k: int
) -> tuple[pa.Table, dict[str, int | None], None]:
    keep = raw.callers >= k
    table = _cells_table(
        raw.zones,
        raw.origin[keep],
        raw.destination[keep],
        raw.hour[keep],
        raw.trips[keep],
        raw.callers[keep],
        hours,
    )
    drop = ~keep
    return (
        table,
        _suppressed(int(drop.sum()), int(raw.trips[drop].sum()), int(raw.callers[drop].sum()), k),
        None,
    )


def _noisy_release(
    raw: EngineOutput, hours: list[int], k: int, spec: NoiseSpec, rng: np.random.Generator
) -> tuple[pa.Table, dict[str, int | None], pa.Table]:
    n_z, n_h = len(raw.zones), len(hours)
    pos = _hour_order(hours)
    hp = np.array([pos[int(x)] for x in raw.hour], dtype=np.int64)
    cube = {c: np.zeros((n_z, n_z, n_h), dtype=np.int64) for c in ("callers", "trips")}
    cube["callers"][raw.origin, raw.destination, hp] = raw.callers
    cube["trips"][raw.origin, raw.destination, hp] = raw.trips
    rel = noisy_release(cube, spec, rng)
    callers, trips = rel.cells["callers"], rel.cells["trips"]
    keep = callers >= k
    o, d, hi = np.nonzero(keep)
    hour_arr = np.array(hours, dtype=np.int64)
    table = _cells_table(raw.zones, o, d, hour_arr[hi], trips[keep], callers[keep], hours)
    drop = ~keep
    suppressed = _suppressed(int(drop.sum()), int(trips[drop].sum()), int(callers[drop].sum()), k)
    rows: dict[str, list[Any]] = {"margin": [], "zone": [], "hour": [], "trips": [], "callers": []}
    for name, arr_c, arr_t in (
        ("origin_hour", rel.origin_hour["callers"], rel.origin_hour["trips"]),
        ("destination_hour", rel.destination_hour["callers"], rel.destination_hour["trips"]),
    ):
        for z in range(n_z):
            for j, h in enumerate(hours):
                rows["margin"].append(name)
                rows["zone"].append(raw.zones[z])
                rows["hour"].append(h)
                rows["callers"].append(int(arr_c[z, j]))
                rows["trips"].append(int(arr_t[z, j]))
    for j, h in enumerate(hours):
        rows["margin"].append("hour")
        rows["zone"].append(None)
        rows["hour"].append(h)
        rows["callers"].append(int(rel.hour["callers"][j]))
        rows["trips"].append(int(rel.hour["trips"][j]))
    return table, suppressed, pa.table(rows, schema=MARGIN_SCHEMA)


def _file_info(files: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for f in files:
        st = os.stat(f)
        out.append(
            {
                "path": os.path.abspath(f),
                "bytes": st.st_size,
                "modified": dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).isoformat(),
            }
        )
    return out


def _manifest(
    job: Job,
    engine: str,
    k: int,
    spec: NoiseSpec | None,
    seed: int | None,
    hours: list[int],
    raw: EngineOutput,
    table: pa.Table,
    suppressed: dict[str, int | None],
    margins: pa.Table | None,
) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("sharingcity")
    except PackageNotFoundError:  # running from a source tree
        ver = "unknown"
    privacy: dict[str, Any] = {
        "unit": "subscriber",
        "pseudonymisation": "SipHash-2-4 of the subscriber key under a 128-bit key derived (HMAC-SHA256) from "
        "the telecom's secret, cut to 63 bits; neither the secret nor the derived key is recorded",
        "k_min_callers": k,
        "suppression": "cells with fewer than k distinct callers are withheld"
        + (" (decided on the noisy, post-processed callers)" if spec else " (on exact counts)"),
        "differential_privacy": None,
    }
    if spec is not None:
        privacy["differential_privacy"] = {
            "accounting": spec.accounting(),
            "contribution_bounds": {
                "max_cells_per_caller": spec.max_cells_per_caller,
                "max_calls_per_cell": spec.max_calls_per_cell,
                "rule": "per subscriber, keep the (origin, hour) cells with the most calls (ties: "
                "earlier hour of the night, then origin) and cap calls per cell",
            },
            "measurements": spec.mechanisms(),
            "post_processing": "hour totals clipped at 0; margins projected onto the simplex of that "
            "total and rounded by largest remainder; cells fitted to both margins as a transportation problem "
            "(closest non-negative integer table in L1)",
            "noise_seed": "withheld" if seed is not None else "fresh entropy",
        }
    return {
        "format": "sharingcity.planning.demand/od-demand/v1",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "software": {"sharingcity": ver},
        "engine": engine,
        "inputs": {
            "records": {"format": job.records.format, "files": _file_info(job.records.files)},
            "subscribers": {
                "format": job.subscribers.format,
                "files": _file_info(job.subscribers.files),
            },
            "cells": {"format": job.cells.format, "files": _file_info(job.cells.files)},
        },
        "window": {
            "start": job.window.text[0],
            "end": job.window.text[1],
            "crosses_midnight": job.window.crosses_midnight,
            "hours": hours,
        },
        "timezone": job.timezone,
        "zones": raw.zones,
        "zones_given": job.zones is not None,
        "definitions": {
            "origin": "zone of the cell that carried the call",
            "destination": "billing zone of the caller",
            "trips": "calls in the window" + (" (after contribution bounds)" if spec else ""),
            "callers": "distinct subscribers" + (" (after contribution bounds)" if spec else ""),
        },
        "privacy": privacy,
        "released": {"cells": table.num_rows, "trips": int(pc.sum(table["trips"]).as_py() or 0)},
        "suppressed": suppressed,
        "input_report": raw.report.to_dict(),
    }


def _write(out: Path, result: DemandResult) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    files = {"od_demand": str(out / "od_demand.parquet"), "manifest": str(out / "manifest.json")}
    pq.write_table(result.table, files["od_demand"])
    if result.margins is not None:
        files["od_margins"] = str(out / "od_margins.parquet")
        pq.write_table(result.margins, files["od_margins"])
    result.manifest["outputs"] = {
        k: os.path.basename(v) for k, v in files.items() if k != "manifest"
    }
    with open(files["manifest"], "w", encoding="utf-8") as fh:
        json.dump(result.manifest, fh, indent=2, ensure_ascii=False, default=_json_default)
        fh.write("\n")
    return files


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


__all__ = ["DemandResult", "Window", "aggregate_od_demand"]
