"""Privacy-preserving origin-destination demand from call records (Seoul's night-bus method).

A telecom runs :func:`aggregate_od_demand` on its own side: call records are joined to the
caller's billing zone and to the zone of the cell that carried the call, identifiers become
keyed pseudonyms, and only counts per (origin, destination, hour) leave — cells with fewer than
``k`` callers withheld, optionally with differential-privacy noise made consistent afterwards.
Two engines run the same job: DuckDB (one machine, out of core) and PySpark (a cluster).

Public API
----------
aggregate_od_demand   the job; returns a :class:`DemandResult` and writes Parquet + manifest
generate_demo_city    synthetic records for Seoul's 25 districts, streamed to Parquet
seoul_districts       the demo city's zones (names, populations, areas, centroids)
InputReport           the account of every input row (problems counted, with examples)
NoiseSpec             differential-privacy settings and their sensitivity reasoning

Command line: ``python -m sharingcity.planning.demand --help``.
"""

from .aggregate import DemandResult, aggregate_od_demand
from .districts import District, seoul_districts
from .errors import DemandInputError, DemandSchemaError, NothingValidError
from .privacy import NoiseSpec
from .report import InputReport, Problem, TableReport
from .synthetic import DemoCity, generate_demo_city

__all__ = [
    "DemandInputError",
    "DemandResult",
    "DemandSchemaError",
    "DemoCity",
    "District",
    "InputReport",
    "NoiseSpec",
    "NothingValidError",
    "Problem",
    "TableReport",
    "aggregate_od_demand",
    "generate_demo_city",
    "seoul_districts",
]
