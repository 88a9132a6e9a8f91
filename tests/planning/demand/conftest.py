"""Fixtures of the demand tests: a small demo city, a plain-pandas oracle, one Spark session."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sharingcity.planning.demand import generate_demo_city

SECRET = "test-secret-of-the-telecom-0123456789"


@pytest.fixture(scope="session")
def small_city(tmp_path_factory):
    """30,000 calls of 600 subscribers: enough for cells both above and below k = 10."""
    out = tmp_path_factory.mktemp("city")
    return generate_demo_city(
        out, rows=30_000, seed=7, subscribers=600, n_cells=200, days=5, chunk_rows=7_000
    )


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole run (starting one takes tens of seconds)."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the Spark engine cannot run here")
    pytest.importorskip("pyspark")
    from sharingcity.planning.demand.engine_spark import local_spark

    session = local_spark(cores=2, memory="1g", app="sharingcity-demand-tests")
    yield session
    session.stop()


def reference_counts(
    records: pd.DataFrame, subscribers: pd.DataFrame, cells: pd.DataFrame, window: tuple[int, int]
) -> pd.DataFrame:
    """The exact answer by the most direct pandas route (inner joins, nunique): the oracle.

    ``window`` is (start, end) in seconds after midnight; end <= start crosses midnight.
    """
    df = records.merge(cells.rename(columns={"zone": "origin"}), on="cell").merge(
        subscribers.rename(columns={"zone": "destination"}), on="subscriber"
    )
    ts = pd.to_datetime(df["timestamp"])
    sod = ts.dt.hour * 3600 + ts.dt.minute * 60 + ts.dt.second
    start, end = window
    inside = (sod >= start) | (sod < end) if end <= start else (sod >= start) & (sod < end)
    df = df[inside.to_numpy()].assign(hour=ts[inside.to_numpy()].dt.hour.astype(np.int64))
    out = (
        df.groupby(["origin", "destination", "hour"])
        .agg(trips=("subscriber", "size"), callers=("subscriber", "nunique"))
        .reset_index()
    )
    return out


def read_city(city) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    records = pd.read_parquet(city.records)
    subscribers = pd.read_parquet(city.subscribers)
    subscribers["zone"] = subscribers["zone"].astype(str)
    cells = pd.read_parquet(city.cells)[["cell", "zone"]]
    return records, subscribers, cells


def as_frame(table) -> pd.DataFrame:
    df = table.to_pandas()
    df["hour"] = df["hour"].astype(np.int64)
    return df.sort_values(["origin", "destination", "hour"]).reset_index(drop=True)


def files_under(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]
