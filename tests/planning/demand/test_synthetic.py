"""The demo city: districts table and the streaming generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sharingcity.planning.demand import DemandInputError, generate_demo_city, seoul_districts


def test_districts_table():
    d = seoul_districts()
    assert len(d) == 25
    assert len({x.name for x in d}) == 25 and len({x.code for x in d}) == 25
    assert sum(x.population for x in d) == 10_143_645
    assert sum(x.area_km2 for x in d) == pytest.approx(605.2, abs=0.1)
    assert all(37.4 < x.lat < 37.7 and 126.7 < x.lon < 127.2 for x in d)
    by_name = {x.name: x for x in d}
    assert by_name["Mapo-gu"].name_ko == "마포구"
    assert max(d, key=lambda x: x.population).name == "Songpa-gu"


def test_generator_is_seeded_and_streams_in_chunks(tmp_path):
    a = generate_demo_city(
        tmp_path / "a", rows=25_000, seed=3, chunk_rows=4_000, rows_per_file=10_000
    )
    b = generate_demo_city(
        tmp_path / "b", rows=25_000, seed=3, chunk_rows=4_000, rows_per_file=10_000
    )
    assert a.record_files == 3
    files = sorted((tmp_path / "a" / "records").glob("*.parquet"))
    assert [pq.ParquetFile(f).metadata.num_rows for f in files] == [10_000, 10_000, 5_000]
    assert (
        pq.ParquetFile(files[0]).metadata.num_row_groups == 3
    )  # chunks of 4000 written as they come
    ra, rb = pd.read_parquet(a.records), pd.read_parquet(b.records)
    pd.testing.assert_frame_equal(ra, rb)
    c = generate_demo_city(tmp_path / "c", rows=25_000, seed=4)
    assert not ra.equals(pd.read_parquet(c.records))
    # re-generating into the same folder replaces the old parts
    generate_demo_city(tmp_path / "a", rows=1_000, seed=3)
    assert len(pd.read_parquet(tmp_path / "a" / "records")) == 1_000


def test_residents_follow_population_and_nights_go_to_hotspots(tmp_path):
    city = generate_demo_city(tmp_path, rows=200_000, seed=9, subscribers=50_000, days=3)
    d = seoul_districts()
    pop = pd.Series({x.name: x.population for x in d})
    share = pop / pop.sum()
    subs = pd.read_parquet(city.subscribers)
    got = subs.zone.astype(str).value_counts(normalize=True).reindex(share.index, fill_value=0)
    sd = np.sqrt(share * (1 - share) / len(subs))
    assert (np.abs(got - share) < 4 * sd + 1e-4).all()
    rec = pd.read_parquet(city.records)
    cells = pd.read_parquet(city.cells)
    zone_of = rec.cell.map(cells.set_index("cell").zone)
    calls_per_resident = zone_of.value_counts() / subs.zone.astype(str).value_counts()
    for hotspot in ("Mapo-gu", "Gangnam-gu", "Jung-gu"):
        assert calls_per_resident[hotspot] > 2 * calls_per_resident["Dobong-gu"]
    hours = pd.to_datetime(rec.timestamp).dt.hour
    assert (hours < 5).mean() == pytest.approx(0.9, abs=0.01)
    assert set(cells.zone) == set(pop.index)
    assert rec.subscriber.isin(subs.subscriber).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rows": 0},
        {"n_cells": 10},
        {"home_share": 0.8, "haunt_share": 0.5},
        {"window_share": 0.0},
        {"days": 0},
    ],
)
def test_generator_rejects_bad_arguments(tmp_path, kwargs):
    args = {"rows": 10, "seed": 1} | kwargs
    with pytest.raises(DemandInputError):
        generate_demo_city(tmp_path, **args)
