"""Bad input of every kind is counted and reported with examples, never dropped silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sharingcity.planning.demand import (
    DemandInputError,
    DemandSchemaError,
    NothingValidError,
    _kernels,
    aggregate_od_demand,
)
from sharingcity.planning.demand.report import RECORD_PROBLEMS

from .conftest import SECRET

GOOD = "2024-03-01 01:10:00"

#: One CSV of records with every kind of problem, and the count expected for each.
RECORDS_CSV = "\n".join(
    [
        "subscriber,timestamp,cell",
        *[f"{s},{GOOD},10" for s in range(100, 112)],  # 12 good: 12 callers Mapo -> Gangnam
        f"100,{GOOD},10,99",  # malformed_line (too many fields)
        "101",  # malformed_line (too few)
        f",{GOOD},10",  # missing_value: subscriber
        "102,,10",  # missing_value: timestamp
        f"103,{GOOD},",  # missing_value: cell
        "104,2024-02-30 01:00:00,10",  # bad_timestamp: no such day
        "105,yesterday night,10",  # bad_timestamp: not ISO 8601
        "106,2024-03-01 1:5,10",  # bad_timestamp: not zero-padded
        f"107,{GOOD},999",  # unknown_cell
        f"999,{GOOD},10",  # unknown_subscriber
        f"500,{GOOD},10",  # unknown_subscriber: billed to two zones
        f"600,{GOOD},10",  # unknown_zone: billing zone outside the city
        f"108,{GOOD},20",  # unknown_zone: cell in a zone outside the city
        "109,2024-03-01 12:00:00,10",  # outside the window (not a problem)
    ]
)
EXPECTED = {
    "malformed_line": 2,
    "missing_value": 3,
    "bad_timestamp": 3,
    "unknown_cell": 1,
    "unknown_subscriber": 2,
    "unknown_zone": 2,
}
SUBSCRIBERS_CSV = "\n".join(
    [
        "subscriber,zone",
        *[f"{s},Gangnam-gu" for s in range(100, 112)],
        "100,Gangnam-gu",  # duplicate_row (kept once)
        "500,Mapo-gu",  # conflicting_duplicate (both rows unusable)
        "500,Jung-gu",
        "600,Atlantis",  # unknown_zone
        ",Mapo-gu",  # missing_value
        "601,",  # missing_value
        "602,Mapo-gu,extra",  # malformed_line
    ]
)
CELLS_CSV = "\n".join(["cell,zone", "10,Mapo-gu", "20,Narnia", "30,", "10,Mapo-gu"])
ZONES = ["Mapo-gu", "Gangnam-gu", "Jung-gu"]


def _write(tmp_path, records=RECORDS_CSV, subscribers=SUBSCRIBERS_CSV, cells=CELLS_CSV):
    for name, text in (("records", records), ("subscribers", subscribers), ("cells", cells)):
        (tmp_path / f"{name}.csv").write_text(text + "\n")
    return tmp_path / "records.csv", tmp_path / "subscribers.csv", tmp_path / "cells.csv"


@pytest.fixture
def bad_files(tmp_path):
    return _write(tmp_path)


def test_every_record_problem_is_counted_with_examples(bad_files):
    result = aggregate_od_demand(*bad_files, zones=ZONES, secret=SECRET, k=10)
    rep = result.report
    got = {kind: p.count for kind, p in rep.records.problems.items()}
    assert got == EXPECTED
    assert set(EXPECTED) == set(RECORD_PROBLEMS)
    for p in rep.records.problems.values():
        assert p.examples and all("file" in e for e in p.examples)
    lines = sorted(e["line"] for e in rep.records.problems["malformed_line"].examples)
    assert lines == [14, 15]
    stamps = {e["timestamp"] for e in rep.records.problems["bad_timestamp"].examples}
    assert stamps == {"2024-02-30 01:00:00", "yesterday night", "2024-03-01 1:5"}
    assert rep.records_outside_window == 1
    assert rep.records_used == 12
    rep.check_accounting()
    assert not rep.ok
    assert result.table.to_pylist() == [
        {"origin": "Mapo-gu", "destination": "Gangnam-gu", "hour": 1, "trips": 12, "callers": 12}
    ]


def test_lookup_table_problems_are_counted(bad_files):
    rep = aggregate_od_demand(*bad_files, zones=ZONES, secret=SECRET).report
    subs = {k: p.count for k, p in rep.subscribers.problems.items()}
    assert subs == {
        "duplicate_row": 1,
        "conflicting_duplicate": 2,
        "unknown_zone": 1,
        "missing_value": 2,
        "malformed_line": 1,
    }
    assert rep.subscribers.rows_read == 12 + 1 + 2 + 1 + 2 + 1
    cells = {k: p.count for k, p in rep.cells.problems.items()}
    assert cells == {"missing_value": 1, "duplicate_row": 1, "unknown_zone": 1}
    assert rep.subscribers.problems["conflicting_duplicate"].examples[0]["zones"] == [
        "Jung-gu",
        "Mapo-gu",
    ]


def test_examples_never_show_raw_subscriber_keys(bad_files):
    rep = aggregate_od_demand(*bad_files, zones=ZONES, secret=SECRET).report
    for table in (rep.records, rep.subscribers):
        for p in table.problems.values():
            for e in p.examples:
                value = e.get("subscriber")
                assert value is None or str(value).startswith("pseudonym:"), e


def test_report_goes_into_the_manifest(bad_files, tmp_path):
    out = tmp_path / "out"
    result = aggregate_od_demand(*bad_files, zones=ZONES, secret=SECRET, out=out)
    rep = result.manifest["input_report"]
    assert rep["records"]["problems"]["bad_timestamp"]["count"] == 3
    assert rep["records"]["rows_rejected"] == sum(EXPECTED.values())
    assert (out / "manifest.json").read_text().count('"bad_timestamp"') >= 1


def test_without_zones_unknown_zone_is_not_a_problem(bad_files):
    rep = aggregate_od_demand(*bad_files, secret=SECRET).report
    assert "unknown_zone" not in rep.records.problems
    assert rep.records_used == 14  # 600 (Atlantis) and 108 (Narnia) now count


def test_nothing_valid_raises_with_the_report(tmp_path):
    files = _write(
        tmp_path, records="subscriber,timestamp,cell\n1,not a time,10\n2,2024-13-01 00:00,10"
    )
    with pytest.raises(NothingValidError) as err:
        aggregate_od_demand(*files)
    assert err.value.report.records.problems["bad_timestamp"].count == 2
    assert "bad_timestamp" in str(err.value)


def test_all_outside_the_window_is_nothing_valid(tmp_path):
    files = _write(tmp_path, records=f"subscriber,timestamp,cell\n100,{GOOD},10")
    with pytest.raises(NothingValidError, match="outside the window 1"):
        aggregate_od_demand(*files, window=("02:00", "03:00"))


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ("subscriber,time,cell\n1,2024-03-01 01:00:00,10", r"missing column\(s\) \['timestamp'\]"),
        (
            "caller,timestamp\n1,2024-03-01 01:00:00",
            r"missing column\(s\) \['subscriber', 'cell'\]",
        ),
    ],
)
def test_missing_columns_are_schema_errors(tmp_path, records, message):
    files = _write(tmp_path, records=records)
    with pytest.raises(DemandSchemaError, match=message):
        aggregate_od_demand(*files)


def test_wrong_column_types_are_schema_errors(tmp_path):
    pq.write_table(
        pa.table({"subscriber": [1], "timestamp": [1.5], "cell": [10]}), tmp_path / "r.parquet"
    )
    _, subs, cells = _write(tmp_path)
    with pytest.raises(DemandSchemaError, match="'timestamp' has type other"):
        aggregate_od_demand(tmp_path / "r.parquet", subs, cells)
    pq.write_table(
        pa.table({"subscriber": [1.0], "timestamp": ["2024-03-01 01:00:00"], "cell": [10]}),
        tmp_path / "r.parquet",
    )
    with pytest.raises(DemandSchemaError, match="'subscriber' has type other"):
        aggregate_od_demand(tmp_path / "r.parquet", subs, cells)


def test_missing_and_odd_files(tmp_path):
    records, subs, cells = _write(tmp_path)
    with pytest.raises(DemandInputError, match="does not exist"):
        aggregate_od_demand(tmp_path / "nope.parquet", subs, cells)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DemandInputError, match="neither .parquet nor .csv"):
        aggregate_od_demand(tmp_path / "x.json", subs, cells)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DemandInputError, match="holds no"):
        aggregate_od_demand(tmp_path / "empty", subs, cells)
    with pytest.raises(DemandInputError, match="no file matches"):
        aggregate_od_demand(str(tmp_path / "*.nothing"), subs, cells)
    pd.DataFrame({"subscriber": [1], "timestamp": [GOOD], "cell": [10]}).to_parquet(
        tmp_path / "r.parquet"
    )
    with pytest.raises(DemandInputError, match="mix Parquet and CSV"):
        aggregate_od_demand([tmp_path / "r.parquet", records], subs, cells)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DemandInputError, match="cannot read"):
        aggregate_od_demand(tmp_path / "broken.parquet", subs, cells)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be a positive integer"),
        ({"k": 2.5}, "k must be a positive integer"),
        ({"window": ("01:00", "01:00")}, "empty"),
        ({"window": ("1am", "05:00")}, "not HH:MM"),
        ({"window": ("00:00", "25:00")}, "not a time of day"),
        ({"window": ("00:00",)}, "pair"),
        ({"delta": 1e-6}, "delta was given without epsilon"),
        ({"epsilon": 0.0}, "epsilon must be a positive number"),
        ({"epsilon": 1.0, "delta": 1.5}, "delta must lie strictly between 0 and 1"),
        ({"epsilon": 1.0, "max_cells_per_caller": 0}, "at least 1"),
        ({"secret": "short"}, "at least 16 bytes"),
        ({"engine": "pandas"}, "engine must be"),
        ({"zones": ["A", "A"]}, "without repeats"),
    ],
)
def test_bad_arguments(bad_files, kwargs, message):
    with pytest.raises(DemandInputError, match=message):
        aggregate_od_demand(*bad_files, **kwargs)


def test_text_keys_and_integer_keys_join(tmp_path):
    # Records with text keys, lookup tables with integer keys: compared as text.
    pq.write_table(
        pa.table({"subscriber": ["100", "101"], "timestamp": [GOOD, GOOD], "cell": ["10", "10"]}),
        tmp_path / "r.parquet",
    )
    _, subs, cells = _write(tmp_path)
    result = aggregate_od_demand(tmp_path / "r.parquet", subs, cells, k=1)
    assert result.report.records_used == 2


def _tally_and_sql(tmp_path, records, subscribers, cells, window, threads=None):
    """Write the three tables as Parquet and run the job by the compiled tally and by SQL."""
    from sharingcity.planning.demand.engine_duckdb import run
    from sharingcity.planning.demand.inputs import parse_window, resolve_source
    from sharingcity.planning.demand.job import Job
    from sharingcity.planning.demand.privacy import derive_key

    for name, table in (("r", records), ("s", subscribers), ("c", cells)):
        pq.write_table(table, tmp_path / f"{name}.parquet")
    job = Job(
        records=resolve_source("records", tmp_path / "r.parquet"),
        subscribers=resolve_source("subscribers", tmp_path / "s.parquet"),
        cells=resolve_source("cells", tmp_path / "c.parquet"),
        zones=tuple(ZONES),
        window=parse_window(window),
        key=derive_key(SECRET),
        bounds=None,
        timezone="UTC",
    )
    return run(job, tally_budget=None, threads=threads), run(job, tally_budget=0)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_tally_agrees_with_sql_when_its_buckets_fill_again_and_again(
    tmp_path, monkeypatch, seed, threads
):
    """With buckets of two records the tally files and settles hundreds of times within each
    batch, with DuckDB reading on one or two threads; every count still matches the SQL path."""
    import datetime as dt

    from sharingcity.planning.demand import engine_duckdb

    monkeypatch.setattr(engine_duckdb, "BUCKET_BITS", (1, 1))
    rng = np.random.default_rng(seed)
    n = 3000
    start = dt.datetime(2024, 3, 1, 22)
    seconds = rng.integers(0, 9 * 3600, n)
    records = pa.table(
        {
            "subscriber": pa.array(rng.integers(1000, 1300, n), pa.int64()),
            "timestamp": pa.array(
                [start + dt.timedelta(seconds=int(x)) for x in seconds],
                pa.timestamp("us"),
            ),
            "cell": pa.array(rng.integers(0, 12, n), pa.int32()),  # 10 and 11 are unknown
        }
    )
    subscribers = pa.table(
        {
            "subscriber": pa.array(range(1000, 1290), pa.int64()),  # the last ten are unknown
            "zone": ["Atlantis" if i % 37 == 0 else ZONES[i % 3] for i in range(290)],
        }
    )
    cells = pa.table(
        {
            "cell": pa.array(range(10), pa.int64()),
            "zone": [*(ZONES[i % 3] for i in range(9)), "Narnia"],
        }
    )
    tally, sql = _tally_and_sql(
        tmp_path, records, subscribers, cells, ("23:00", "04:00"), threads=threads
    )
    assert tally.report.to_dict() == sql.report.to_dict()
    problems = tally.report.records.problems
    assert problems["unknown_cell"].count and problems["unknown_zone"].count
    assert problems["unknown_subscriber"].count and tally.report.records_outside_window

    def cells_of(o):
        return sorted(zip(o.origin, o.destination, o.hour, o.trips, o.callers, strict=True))

    assert cells_of(tally) == cells_of(sql)
    assert sum(tally.trips) == tally.report.records_used > 1000


@pytest.mark.parametrize("far_cell", [None, 10**12], ids=["compact-cells", "sparse-cells"])
def test_integer_parquet_problems_are_counted_alike_by_the_compiled_tally_and_sql(
    tmp_path, far_cell
):
    """The compiled exact path (integer ids) and the SQL path count every problem alike, with
    compact cell ids (looked up by offset) and sparse ones (hashed)."""
    import datetime as dt

    good = dt.datetime(2024, 3, 1, 1, 10)
    rows = [(s, good, 10) for s in range(100, 112)] + [
        (None, good, 10),  # missing_value: subscriber
        (102, None, 10),  # missing_value: timestamp
        (103, good, None),  # missing_value: cell
        (107, good, 999),  # unknown_cell
        (999, good, 10),  # unknown_subscriber
        (500, good, 10),  # unknown_subscriber: billed to two zones
        (
            int(_kernels.KEY_OF_EMPTY),
            good,
            10,
        ),  # unknown_subscriber: the id whose mix marks an empty slot
        (600, good, 10),  # unknown_zone: billing zone outside the city
        (108, good, 20),  # unknown_zone: cell in a zone outside the city
        (109, dt.datetime(2024, 3, 1, 12), 10),  # outside the window
    ]
    records = pa.table(
        {
            "subscriber": pa.array([r[0] for r in rows], pa.int64()),
            "timestamp": pa.array([r[1] for r in rows], pa.timestamp("us")),
            "cell": pa.array([r[2] for r in rows], pa.int32()),
        }
    )
    subs = [(s, "Gangnam-gu") for s in range(100, 112)]
    subs += [(500, "Mapo-gu"), (500, "Jung-gu"), (600, "Atlantis")]
    subscribers = pa.table(
        {"subscriber": pa.array([s for s, _ in subs], pa.int64()), "zone": [z for _, z in subs]}
    )
    cell_ids, cell_zones = [10, 20], ["Mapo-gu", "Narnia"]
    if far_cell is not None:
        cell_ids.append(far_cell)
        cell_zones.append("Jung-gu")
    cells = pa.table({"cell": pa.array(cell_ids, pa.int64()), "zone": cell_zones})
    tally, sql = _tally_and_sql(tmp_path, records, subscribers, cells, ("00:00", "05:00"))
    got = {kind: p.count for kind, p in tally.report.records.problems.items()}
    assert got == {
        "missing_value": 3,
        "unknown_cell": 1,
        "unknown_subscriber": 3,
        "unknown_zone": 2,
    }
    assert tally.report.to_dict() == sql.report.to_dict()
    assert tally.report.records_used == 12 and tally.report.records_outside_window == 1
    for out in (tally, sql):
        cells = zip(out.origin, out.destination, out.hour, out.trips, out.callers, strict=True)
        assert list(cells) == [(0, 1, 1, 12, 12)]


def test_text_timestamps_with_integer_ids_are_read_alike_by_the_tally_and_sql(tmp_path):

    stamps = [GOOD] * 12 + ["", "yesterday night", "2024-02-30 01:00:00", "1969-12-31 23:30:00"]
    records = pa.table(
        {
            "subscriber": pa.array(list(range(100, 112)) + [100, 101, 102, 103], pa.int64()),
            "timestamp": pa.array(stamps, pa.string()),
            "cell": pa.array([10] * 16, pa.int64()),
        }
    )
    subscribers = pa.table(
        {"subscriber": pa.array(range(100, 112), pa.int64()), "zone": ["Gangnam-gu"] * 12}
    )
    cells = pa.table({"cell": pa.array([10], pa.int64()), "zone": ["Mapo-gu"]})
    tally, sql = _tally_and_sql(tmp_path, records, subscribers, cells, ("22:00", "05:00"))
    got = {kind: p.count for kind, p in tally.report.records.problems.items()}
    assert got == {"missing_value": 1, "bad_timestamp": 2}
    assert tally.report.to_dict() == sql.report.to_dict()

    def cells_of(o):
        return sorted(zip(o.origin, o.destination, o.hour, o.trips, o.callers, strict=True))

    # the 1969 call (before the epoch) is at 23:00, inside the window
    assert cells_of(tally) == cells_of(sql) == [(0, 1, 1, 12, 12), (0, 1, 23, 1, 1)]
