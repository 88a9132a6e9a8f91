"""The Spark engine gives exactly the DuckDB output (one local session, small data)."""

from __future__ import annotations

import pytest

from sharingcity.planning.demand import aggregate_od_demand

from .conftest import SECRET
from .test_bad_input import EXPECTED, ZONES, _write


def _counts(report):
    return {
        t.name: (t.rows_read, {k: p.count for k, p in t.problems.items()})
        for t in (report.records, report.subscribers, report.cells)
    } | {"used": report.records_used, "outside": report.records_outside_window}


@pytest.mark.parametrize(
    "options",
    [
        {"k": 10},
        {"k": 5, "window": ("23:00", "03:00"), "epsilon": 1.0, "delta": 1e-6, "seed": 4},
    ],
    ids=["exact", "noisy-across-midnight"],
)
def test_spark_and_duckdb_outputs_are_identical(small_city, spark_session, options):
    args = (small_city.records, small_city.subscribers, small_city.cells)
    duck = aggregate_od_demand(*args, secret=SECRET, **options)
    spark = aggregate_od_demand(
        *args, secret=SECRET, engine="spark", spark=spark_session, **options
    )
    assert duck.table.num_rows > 0
    assert spark.table.equals(duck.table)
    assert spark.suppressed == duck.suppressed
    assert _counts(spark.report) == _counts(duck.report)
    if "epsilon" in options:
        assert spark.margins.equals(duck.margins)


def test_spark_reports_bad_input_like_duckdb(tmp_path, spark_session):
    files = _write(tmp_path)
    duck = aggregate_od_demand(*files, zones=ZONES, secret=SECRET, k=1)
    spark = aggregate_od_demand(
        *files, zones=ZONES, secret=SECRET, k=1, engine="spark", spark=spark_session
    )
    assert {k: p.count for k, p in spark.report.records.problems.items()} == EXPECTED
    assert _counts(spark.report) == _counts(duck.report)
    assert spark.table.equals(duck.table)
    for p in spark.report.records.problems.values():
        assert p.examples
    assert spark_session.conf.get("spark.sql.session.timeZone")  # restored, still usable
