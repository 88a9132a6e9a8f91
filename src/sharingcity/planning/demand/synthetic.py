"""A synthetic night-call data set for the demo city (Seoul's 25 districts).

The generator streams call records to Parquet in chunks, so its memory does not grow with the
number of rows (1e9 rows take about as much memory as 1e6). Everything is drawn from one seeded
``numpy.random.Generator``: the same arguments give the same files.

Model (assumptions, stated so nobody mistakes them for data)
------------------------------------------------------------
* Cells: spread over districts in proportion to population (at least 4 each), scattered around
  the district centroid.
* Subscribers: billing district drawn in proportion to population; a night activity level from
  a Gamma(0.6) distribution (a few people call a lot); each has a favourite night district
  drawn by population x ``night_weight`` (nightlife in Mapo/Hongdae, Gangnam, Itaewon; markets
  in Jung-gu/Dongdaemun; hospitals).
* A call is made at home with probability ``home_share``, in the favourite night district with
  probability ``haunt_share``, else in any district drawn by the night weights; in a uniform
  cell of that district.
* Time: a uniform day of ``days`` days; ``window_share`` of calls fall in 00:00-05:00 with
  falling hourly weights (32, 25, 18, 14, 11 %), the rest in 20:00-24:00 or 05:00-07:00.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .districts import seoul_districts
from .errors import DemandInputError

NIGHT_HOUR_WEIGHTS = np.array([0.32, 0.25, 0.18, 0.14, 0.11])

RECORD_SCHEMA = pa.schema(
    [("subscriber", pa.int64()), ("timestamp", pa.timestamp("us")), ("cell", pa.int32())]
)


@dataclass(frozen=True)
class DemoCity:
    """Where the generated files are, and what they hold."""

    records: str
    subscribers: str
    cells: str
    rows: int
    n_subscribers: int
    n_cells: int
    seed: int
    record_files: int


def generate_demo_city(
    out: str | os.PathLike[str],
    *,
    rows: int,
    seed: int,
    subscribers: int | None = None,
    n_cells: int = 1200,
    days: int = 30,
    start_date: str = "2024-03-01",
    home_share: float = 0.25,
    haunt_share: float = 0.6,
    window_share: float = 0.9,
    chunk_rows: int = 2_000_000,
    rows_per_file: int = 50_000_000,
    progress: Callable[[int], None] | None = None,
) -> DemoCity:
    """Write ``cells.parquet``, ``subscribers.parquet`` and ``records/part-*.parquet`` to ``out``.

    Parameters
    ----------
    out : folder
    rows : int
        Call records to write (>= 1).
    seed : int
    subscribers : int or None
        Subscribers; default ``clip(rows // 50, 1000, 5_000_000)``.
    n_cells : int
        Cells in the city (>= 100).
    days : int
        Nights covered.
    start_date : str
        First day, ISO date.
    home_share, haunt_share, window_share : float
        See the module notes.
    chunk_rows : int
        Rows drawn and written at a time (the memory bound: about 40 bytes per row).
    rows_per_file : int
        Rows per Parquet part file.
    progress : callable or None
        Called with the number of rows written after each chunk.

    Returns
    -------
    DemoCity

    Notes
    -----
    Time O(rows); memory O(chunk_rows + subscribers).
    """
    if rows < 1:
        raise DemandInputError(f"rows must be at least 1, got {rows}")
    if n_cells < 100:
        raise DemandInputError("n_cells must be at least 100")
    if not (home_share >= 0 and haunt_share >= 0 and home_share + haunt_share <= 1):
        raise DemandInputError(
            "home_share and haunt_share must be non-negative and sum to at most 1"
        )
    if not 0 < window_share <= 1:
        raise DemandInputError("window_share must lie in (0, 1]")
    if days < 1 or chunk_rows < 1 or rows_per_file < 1:
        raise DemandInputError("days, chunk_rows and rows_per_file must be positive")
    n_subs = int(subscribers if subscribers is not None else min(max(rows // 50, 1000), 5_000_000))
    if n_subs < 1:
        raise DemandInputError("subscribers must be at least 1")
    rng = np.random.default_rng(seed)
    outdir = Path(out)
    (outdir / "records").mkdir(parents=True, exist_ok=True)
    for old in (outdir / "records").glob("part-*.parquet"):
        old.unlink()

    districts = seoul_districts()
    names = [d.name for d in districts]
    pop = np.array([d.population for d in districts], dtype=np.float64)
    pop_share = pop / pop.sum()
    night = pop_share * np.array([d.night_weight for d in districts])
    night_cum = np.cumsum(night / night.sum())
    n_z = len(districts)

    # cells, grouped by district so a district's cells are one contiguous id range
    per_zone = np.maximum(4, np.floor(pop_share * (n_cells - 4 * n_z)).astype(np.int64) + 4)
    per_zone[np.argmax(pop)] += n_cells - per_zone.sum()
    cell_start = np.concatenate([[0], np.cumsum(per_zone)[:-1]])
    cell_zone = np.repeat(np.arange(n_z), per_zone)
    spread_km = np.sqrt([d.area_km2 for d in districts]) / 4
    lat = (
        np.array([d.lat for d in districts])[cell_zone]
        + rng.normal(0, 1, n_cells) * spread_km[cell_zone] / 111.0
    )
    lon = (
        np.array([d.lon for d in districts])[cell_zone]
        + rng.normal(0, 1, n_cells) * spread_km[cell_zone] / 88.2
    )
    cell_ids = (100_000 + np.arange(n_cells)).astype(np.int32)
    pq.write_table(
        pa.table({"cell": cell_ids, "zone": [names[z] for z in cell_zone], "lat": lat, "lon": lon}),
        outdir / "cells.parquet",
    )

    # subscribers: keys look like opaque 10-digit numbers, unique
    sub_keys = (
        1_000_000_000 + rng.permutation(n_subs).astype(np.int64) * 7 + rng.integers(0, 7)
    ).astype(np.int64)
    home = np.searchsorted(np.cumsum(pop_share), rng.random(n_subs), side="right").clip(0, n_z - 1)
    haunt = np.searchsorted(night_cum, rng.random(n_subs), side="right").clip(0, n_z - 1)
    activity = np.cumsum(rng.gamma(0.6, 1.0, n_subs))
    activity /= activity[-1]
    pq.write_table(
        pa.table(
            {"subscriber": sub_keys, "zone": pa.array([names[z] for z in home]).dictionary_encode()}
        ),
        outdir / "subscribers.parquet",
    )

    base_us = int(
        dt.datetime.fromisoformat(start_date).replace(tzinfo=dt.UTC).timestamp() * 1_000_000
    )
    hour_cum = np.cumsum(NIGHT_HOUR_WEIGHTS)
    written = 0
    file_index = 0
    writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        while written < rows:
            n = min(chunk_rows, rows - written, rows_per_file - in_file)
            who = np.searchsorted(activity, rng.random(n), side="right").clip(0, n_subs - 1)
            u = rng.random(n)
            anywhere = np.searchsorted(night_cum, rng.random(n), side="right").clip(0, n_z - 1)
            zone = np.where(
                u < home_share,
                home[who],
                np.where(u < home_share + haunt_share, haunt[who], anywhere),
            )
            cell = cell_ids[cell_start[zone] + (rng.random(n) * per_zone[zone]).astype(np.int64)]
            in_win = rng.random(n) < window_share
            hr = np.searchsorted(hour_cum, rng.random(n) * hour_cum[-1], side="right").clip(0, 4)
            # outside the window: 20:00-24:00 (4 h) or 05:00-07:00 (2 h), uniform over those 6 h
            off = rng.random(n) * 6
            out_sec = np.where(off < 4, 20 * 3600 + off * 3600, 5 * 3600 + (off - 4) * 3600)
            sec = np.where(in_win, hr * 3600 + rng.random(n) * 3600, out_sec)
            day = rng.integers(0, days, n)
            ts = base_us + day * 86_400_000_000 + (sec * 1_000_000).astype(np.int64)
            chunk = pa.table(
                {
                    "subscriber": sub_keys[who],
                    "timestamp": pa.array(ts, pa.timestamp("us")),
                    "cell": cell,
                },
                schema=RECORD_SCHEMA,
            )
            if writer is None:
                writer = pq.ParquetWriter(
                    outdir / "records" / f"part-{file_index:05d}.parquet", RECORD_SCHEMA
                )
            writer.write_table(chunk, row_group_size=min(n, 1_000_000))
            written += n
            in_file += n
            if in_file >= rows_per_file:
                writer.close()
                writer = None
                file_index += 1
                in_file = 0
            if progress:
                progress(n)
    finally:
        if writer is not None:
            writer.close()
            file_index += 1
    city = DemoCity(
        records=str(outdir / "records"),
        subscribers=str(outdir / "subscribers.parquet"),
        cells=str(outdir / "cells.parquet"),
        rows=int(rows),
        n_subscribers=n_subs,
        n_cells=int(n_cells),
        seed=int(seed),
        record_files=file_index,
    )
    meta = asdict(city) | {
        "days": days,
        "start_date": start_date,
        "home_share": home_share,
        "haunt_share": haunt_share,
        "window_share": window_share,
        "zones": names,
        "note": "synthetic data from sharingcity.planning.demand.synthetic; not real calls",
    }
    (outdir / "demo_city.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return city
