"""The DuckDB job against a plain-pandas oracle: counts, window, suppression, outputs, secrecy."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sharingcity.planning.demand import (
    DemandInputError,
    aggregate_od_demand,
    seoul_districts,
)
from sharingcity.planning.demand.privacy import derive_key

from .conftest import SECRET, as_frame, files_under, read_city, reference_counts


def _run(city, **kw):
    kw.setdefault("secret", SECRET)
    return aggregate_od_demand(city.records, city.subscribers, city.cells, **kw)


@pytest.mark.parametrize("window", [("00:00", "05:00"), ("22:00", "02:30"), ("01:15", "03:45")])
def test_counts_match_the_pandas_oracle(small_city, window):
    result = _run(small_city, window=window, k=1)
    records, subscribers, cells = read_city(small_city)
    start, end = (int(t[:2]) * 3600 + int(t[3:]) * 60 for t in window)
    expected = reference_counts(records, subscribers, cells, (start, end))
    got = as_frame(result.table)
    exp = expected.sort_values(["origin", "destination", "hour"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[exp.columns], exp, check_dtype=False)
    assert result.report.records_used == int(exp["trips"].sum())
    assert result.report.records_used + result.report.records_outside_window == len(records)


def test_hours_follow_the_night_order_across_midnight(small_city):
    result = _run(small_city, window=("22:00", "02:00"), k=1)
    first = result.table.slice(0, 100).to_pandas()
    one_pair = first[
        (first.origin == first.origin[0]) & (first.destination == first.destination[0])
    ]
    order = [22, 23, 0, 1]
    assert [order.index(h) for h in one_pair.hour] == sorted(order.index(h) for h in one_pair.hour)
    assert result.manifest["window"]["hours"] == [22, 23, 0, 1]


def test_no_released_cell_under_k_and_suppressed_totals(small_city):
    k = 10
    result = _run(small_city, k=k)
    records, subscribers, cells = read_city(small_city)
    full = reference_counts(records, subscribers, cells, (0, 5 * 3600))
    assert result.table.num_rows > 0
    assert min(result.table["callers"].to_pylist()) >= k
    small = full[full.callers < k]
    assert len(small) > 0, "fixture should have cells under k"
    assert result.suppressed["cells"] == len(small)
    assert result.suppressed["trips"] == int(small.trips.sum())
    assert result.suppressed["callers"] == int(small.callers.sum())
    assert result.table.num_rows + len(small) == len(full)
    assert result.manifest["suppressed"] == result.suppressed


def test_suppressed_total_is_withheld_when_itself_small(tmp_path):
    recs = pd.DataFrame(
        {
            "subscriber": [1] * 3 + list(range(10, 22)),
            "timestamp": ["2024-01-01 01:00:00"] * 15,
            "cell": [5] * 3 + [6] * 12,
        }
    )
    subs = pd.DataFrame({"subscriber": [1] + list(range(10, 22)), "zone": ["A"] + ["B"] * 12})
    cells = pd.DataFrame({"cell": [5, 6], "zone": ["A", "B"]})
    for name, df in (("r", recs), ("s", subs), ("c", cells)):
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    result = aggregate_od_demand(tmp_path / "r.csv", tmp_path / "s.csv", tmp_path / "c.csv", k=10)
    assert result.table.num_rows == 1  # B -> B with 12 callers
    assert result.suppressed == {"cells": 1, "trips": None, "callers": None}


def test_csv_and_parquet_inputs_give_the_same_output(small_city, tmp_path):
    records, subscribers, cells = read_city(small_city)
    records = records.assign(timestamp=records.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    records.to_csv(tmp_path / "records.csv", index=False)
    subscribers.to_csv(tmp_path / "subscribers.csv", index=False)
    cells.to_csv(tmp_path / "cells.csv", index=False)
    a = _run(small_city, k=5)
    b = aggregate_od_demand(
        tmp_path / "records.csv",
        tmp_path / "subscribers.csv",
        tmp_path / "cells.csv",
        secret=SECRET,
        k=5,
    )
    assert a.table.equals(b.table)


def test_timezone_aware_instants_are_read_in_the_given_zone(tmp_path):
    # 16:30 UTC is 01:30 in Seoul (UTC+9): inside the night window only when read in Seoul time.
    inst = pa.array(
        [dt.datetime(2024, 1, 1, 16, 30, tzinfo=dt.UTC)] * 12, pa.timestamp("us", tz="UTC")
    )
    pq.write_table(
        pa.table(
            {
                "subscriber": pa.array(range(12), pa.int64()),
                "timestamp": inst,
                "cell": pa.array([1] * 12, pa.int64()),
            }
        ),
        tmp_path / "r.parquet",
    )
    pq.write_table(
        pa.table({"subscriber": pa.array(range(12), pa.int64()), "zone": ["Mapo-gu"] * 12}),
        tmp_path / "s.parquet",
    )
    pq.write_table(
        pa.table({"cell": pa.array([1], pa.int64()), "zone": ["Gangnam-gu"]}),
        tmp_path / "c.parquet",
    )
    args = (tmp_path / "r.parquet", tmp_path / "s.parquet", tmp_path / "c.parquet")
    seoul = aggregate_od_demand(*args, timezone="Asia/Seoul")
    assert seoul.table.to_pylist() == [
        {"origin": "Gangnam-gu", "destination": "Mapo-gu", "hour": 1, "trips": 12, "callers": 12}
    ]
    with pytest.raises(DemandInputError, match="no usable call record"):
        aggregate_od_demand(*args, timezone="UTC")


def test_outputs_and_manifest_record_every_parameter(small_city, tmp_path):
    result = _run(
        small_city,
        out=tmp_path,
        k=7,
        window=("23:30", "04:00"),
        zones=[d.name for d in seoul_districts()],
    )
    assert set(result.files) == {"od_demand", "manifest"}
    table = pq.read_table(result.files["od_demand"])
    assert table.equals(result.table)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["privacy"]["k_min_callers"] == 7
    assert manifest["window"] == {
        "start": "23:30",
        "end": "04:00",
        "crosses_midnight": True,
        "hours": [23, 0, 1, 2, 3],
    }
    assert manifest["engine"] == "duckdb"
    assert manifest["zones"] == [d.name for d in seoul_districts()]
    assert manifest["input_report"]["records"]["rows_read"] == small_city.rows
    assert manifest["privacy"]["differential_privacy"] is None
    assert manifest["outputs"] == {"od_demand": "od_demand.parquet"}


def _secret_forms(secret: str) -> list[bytes]:
    key = derive_key(secret)
    raw = secret.encode()
    return [
        raw,
        raw.hex().encode(),
        key,
        key.hex().encode(),
        hashlib.sha256(raw).hexdigest().encode(),
    ]


@pytest.mark.parametrize("noise", [{}, {"epsilon": 1.0}, {"epsilon": 1.0, "delta": 1e-6}])
def test_secret_never_appears_in_outputs_or_manifest(small_city, tmp_path, noise):
    secret = "S3cr3t-" + "q" * 20
    result = _run(small_city, out=tmp_path, secret=secret, seed=11, **noise)
    blobs = [p.read_bytes() for p in files_under(tmp_path)]
    blobs.append(json.dumps(result.manifest).encode())
    blobs.append(json.dumps(result.report.to_dict()).encode())
    for form in _secret_forms(secret):
        assert all(form not in blob for blob in blobs)
    # the noise seed is withheld too: knowing it would let anyone subtract the noise
    if noise:
        assert result.manifest["privacy"]["differential_privacy"]["noise_seed"] == "withheld"
        assert '"seed": 11' not in json.dumps(result.manifest)


def test_counts_do_not_depend_on_the_secret(small_city):
    a = _run(small_city, secret="a" * 16)
    b = _run(small_city, secret="b" * 16)
    c = _run(small_city, secret=None)
    assert a.table.equals(b.table) and a.table.equals(c.table)


def test_duckdb_settings_and_spill_folder(small_city, tmp_path):
    spill = tmp_path / "spill"
    result = _run(small_city, memory_limit="200MB", temp_directory=str(spill), threads=1)
    assert result.table.equals(_run(small_city).table)


def test_noisy_release_is_consistent_and_above_k(small_city, tmp_path):
    result = _run(small_city, epsilon=2.0, delta=1e-6, seed=3, out=tmp_path)
    t = result.table.to_pandas()
    assert (t.callers >= 10).all()
    assert (t.trips >= 0).all()
    m = result.margins.to_pandas()
    hours = m[m.margin == "hour"].set_index("hour")
    for name in ("origin_hour", "destination_hour"):
        sums = m[m.margin == name].groupby("hour")[["trips", "callers"]].sum()
        pd.testing.assert_frame_equal(
            sums,
            hours.loc[sums.index, ["trips", "callers"]],
            check_names=False,
            check_index_type=False,
        )
    # released + suppressed cells add up to the hour totals
    for count in ("trips", "callers"):
        if result.suppressed[count] is not None:
            assert int(t[count].sum()) + result.suppressed[count] == int(hours[count].sum())
    assert set(result.files) == {"od_demand", "od_margins", "manifest"}
    dp = result.manifest["privacy"]["differential_privacy"]
    assert dp["accounting"]["epsilon"] == 2.0 and dp["accounting"]["delta"] == 1e-6
    assert dp["measurements"]["callers"]["cells"]["mechanism"] == "discrete_gaussian"


def test_noise_is_seeded_and_changes_with_the_seed(small_city):
    a = _run(small_city, epsilon=1.0, seed=1)
    b = _run(small_city, epsilon=1.0, seed=1)
    c = _run(small_city, epsilon=1.0, seed=2)
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)


def test_contribution_bounds_limit_each_subscriber(tmp_path):
    # One subscriber calls 40 times from 8 cells in 8 zones; with m = 2, c = 3 only two cells
    # (the busiest) keep them, each with at most 3 calls.
    zones = [f"Z{i}" for i in range(8)]
    rows = []
    for i in range(len(zones)):
        for j in range(2 + i):  # Z7 busiest, then Z6
            rows.append({"subscriber": 1, "timestamp": f"2024-01-01 01:{j:02d}:00", "cell": i})
    pd.DataFrame(rows).to_csv(tmp_path / "r.csv", index=False)
    pd.DataFrame({"subscriber": [1], "zone": ["Z0"]}).to_csv(tmp_path / "s.csv", index=False)
    pd.DataFrame({"cell": range(8), "zone": zones}).to_csv(tmp_path / "c.csv", index=False)
    from sharingcity.planning.demand.engine_duckdb import run
    from sharingcity.planning.demand.inputs import parse_window, resolve_source
    from sharingcity.planning.demand.job import Job

    job = Job(
        records=resolve_source("records", tmp_path / "r.csv"),
        subscribers=resolve_source("subscribers", tmp_path / "s.csv"),
        cells=resolve_source("cells", tmp_path / "c.csv"),
        zones=None,
        window=parse_window(("00:00", "05:00")),
        key=derive_key(SECRET),
        bounds=(2, 3),
        timezone="UTC",
    )
    out = run(job)
    got = sorted(
        zip(
            [out.zones[o] for o in out.origin],
            out.trips.tolist(),
            out.callers.tolist(),
            strict=True,
        )
    )
    assert got == [("Z6", 3, 1), ("Z7", 3, 1)]


def test_input_report_accounts_for_every_record(small_city):
    result = _run(small_city)
    rep = result.report
    rep.check_accounting()
    assert rep.ok
    assert rep.hash_collisions == 0
    assert rep.records.rows_read == small_city.rows
    assert rep.subscribers.rows_read == small_city.n_subscribers
    assert rep.cells.rows_read == small_city.n_cells


def test_generated_city_zones_are_the_districts(small_city):
    result = _run(small_city, k=1)
    names = {d.name for d in seoul_districts()}
    assert set(result.manifest["zones"]) == names
    assert set(np.unique(result.table["origin"].to_numpy(zero_copy_only=False))) <= names


@pytest.mark.parametrize("window", [("00:00", "05:00"), ("22:00", "01:00")])
def test_compiled_tally_and_sql_grouping_agree(small_city, window):
    from sharingcity.planning.demand.engine_duckdb import run
    from sharingcity.planning.demand.inputs import parse_window, resolve_source
    from sharingcity.planning.demand.job import Job

    job = Job(
        records=resolve_source("records", small_city.records),
        subscribers=resolve_source("subscribers", small_city.subscribers),
        cells=resolve_source("cells", small_city.cells),
        zones=None,
        window=parse_window(window),
        key=derive_key(SECRET),
        bounds=None,
        timezone="UTC",
    )
    a, b = run(job, tally_budget=None), run(job, tally_budget=0)
    one_thread = run(job, tally_budget=None, threads=1)
    key = lambda o: sorted(zip(o.origin, o.destination, o.hour, o.trips, o.callers, strict=True))  # noqa: E731
    assert key(a) == key(b) == key(one_thread) and len(key(a)) > 100
    assert a.report.to_dict() == b.report.to_dict() == one_thread.report.to_dict()
