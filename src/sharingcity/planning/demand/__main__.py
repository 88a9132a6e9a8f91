"""Command line: ``python -m sharingcity.planning.demand {generate,aggregate,districts} ...``.

Exit status: 0 on success (problems found in the input are reported on stderr and in the
manifest), 1 on bad input or when no usable record remains, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import DemandInputError, NothingValidError

SECRET_ENV = "SHARINGCITY_DEMAND_SECRET"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.demand",
        description="Private origin-destination night demand from call records (Seoul's night-bus method).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate", help="write a synthetic demo city (Seoul's 25 districts) as Parquet"
    )
    g.add_argument("--rows", type=_count, required=True, help="call records to write, e.g. 1e8")
    g.add_argument("--out", required=True, help="output folder")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument(
        "--subscribers", type=_count, default=None, help="default: rows/50 within [1000, 5e6]"
    )
    g.add_argument("--cells", type=_count, default=1200, help="cells in the city (default 1200)")
    g.add_argument("--days", type=int, default=30, help="nights covered (default 30)")
    g.add_argument(
        "--chunk-rows", type=_count, default=2_000_000, help="rows per chunk (memory bound)"
    )
    g.add_argument("--rows-per-file", type=_count, default=50_000_000)
    g.add_argument("--quiet", action="store_true", help="no progress bar")

    a = sub.add_parser(
        "aggregate",
        help="count trips and callers per (origin, destination, hour), with suppression and optional DP",
        description="The secret is read from --secret-file or the environment variable "
        f"{SECRET_ENV} (never from the command line, which other users can see); without one a "
        "fresh random secret is used, so pseudonyms cannot be linked across runs.",
    )
    a.add_argument(
        "--records", required=True, nargs="+", help="file(s), folder or glob (Parquet or CSV)"
    )
    a.add_argument(
        "--subscribers", required=True, nargs="+", help="billing table: subscriber, zone"
    )
    a.add_argument("--cells", required=True, nargs="+", help="cell table: cell, zone")
    a.add_argument("--out", required=True, help="output folder (od_demand.parquet, manifest.json)")
    a.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    a.add_argument(
        "--window",
        nargs=2,
        metavar=("START", "END"),
        default=("00:00", "05:00"),
        help="daily window HH:MM HH:MM (may cross midnight; default 00:00 05:00)",
    )
    a.add_argument(
        "--k", type=int, default=10, help="minimum distinct callers per released cell (default 10)"
    )
    a.add_argument(
        "--epsilon",
        type=float,
        default=None,
        help="differential privacy budget (default: no noise)",
    )
    a.add_argument(
        "--delta",
        type=float,
        default=None,
        help="with --epsilon: (epsilon, delta)-DP, discrete Gaussian",
    )
    a.add_argument("--max-cells-per-caller", type=int, default=3)
    a.add_argument("--max-calls-per-cell", type=int, default=5)
    a.add_argument(
        "--zones", default=None, help="'seoul' or a file with one zone per line: the city's zones"
    )
    a.add_argument(
        "--timezone", default="UTC", help="zone for timezone-aware timestamps (default UTC)"
    )
    a.add_argument(
        "--secret-file", default=None, help=f"file holding the secret (else ${SECRET_ENV})"
    )
    a.add_argument(
        "--seed", type=int, default=None, help="noise seed: for tests only, never for a release"
    )
    a.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 4GB")
    a.add_argument("--temp-directory", default=None, help="DuckDB spill folder")
    a.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    a.add_argument("--quiet", action="store_true", help="no progress output")

    sub.add_parser("districts", help="print the demo city's districts as CSV")
    return p


def _count(text: str) -> int:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(value)


def _secret(args: argparse.Namespace) -> bytes | None:
    if args.secret_file:
        try:
            data = Path(args.secret_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise DemandInputError(
                f"cannot read the secret file {args.secret_file}: {exc.strerror}"
            ) from exc
        return data
    env = os.environ.get(SECRET_ENV)
    return env.encode() if env else None


def _zones(spec: str | None) -> list[str] | None:
    if spec is None:
        return None
    if spec.lower() == "seoul":
        from .districts import seoul_districts

        return [d.name for d in seoul_districts()]
    try:
        lines = Path(spec).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DemandInputError(f"cannot read the zones file {spec}: {exc.strerror}") from exc
    zones = [ln.strip() for ln in lines if ln.strip()]
    if zones and zones[0].lower() in ("zone", "name"):
        zones = zones[1:]
    return zones


def _generate(args: argparse.Namespace) -> int:
    from .progress import Progress
    from .synthetic import generate_demo_city

    with Progress(args.rows, "generating call records", enabled=not args.quiet) as bar:
        city = generate_demo_city(
            args.out,
            rows=args.rows,
            seed=args.seed,
            subscribers=args.subscribers,
            n_cells=args.cells,
            days=args.days,
            chunk_rows=args.chunk_rows,
            rows_per_file=args.rows_per_file,
            progress=bar.update,
        )
    print(
        json.dumps(
            {
                "records": city.records,
                "subscribers": city.subscribers,
                "cells": city.cells,
                "rows": city.rows,
                "n_subscribers": city.n_subscribers,
                "n_cells": city.n_cells,
            },
            indent=2,
        )
    )
    return 0


def _aggregate(args: argparse.Namespace) -> int:
    from .aggregate import aggregate_od_demand
    from .progress import stage_printer

    def one(values: list[str]) -> str | list[str]:
        return values[0] if len(values) == 1 else values

    result = aggregate_od_demand(
        one(args.records),
        one(args.subscribers),
        one(args.cells),
        engine=args.engine,
        window=tuple(args.window),
        k=args.k,
        epsilon=args.epsilon,
        delta=args.delta,
        secret=_secret(args),
        out=args.out,
        zones=_zones(args.zones),
        max_cells_per_caller=args.max_cells_per_caller,
        max_calls_per_cell=args.max_calls_per_cell,
        timezone=args.timezone,
        seed=args.seed,
        memory_limit=args.memory_limit,
        temp_directory=args.temp_directory,
        threads=args.threads,
        progress=stage_printer(not args.quiet),
    )
    print(result.report.summary(), file=sys.stderr)
    s = result.suppressed
    print(
        f"released {result.table.num_rows:,} cells; suppressed {s['cells']:,} cells "
        f"(trips {'< k callers, withheld' if s['trips'] is None else format(s['trips'], ',')})",
        file=sys.stderr,
    )
    for name, path in result.files.items():
        print(f"{name}: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "aggregate":
            return _aggregate(args)
        from .districts import seoul_districts

        print("code,name,name_ko,population,area_km2,lat,lon")
        for d in seoul_districts():
            print(f"{d.code},{d.name},{d.name_ko},{d.population},{d.area_km2},{d.lat},{d.lon}")
        return 0
    except NothingValidError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DemandInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
