"""Command line: ``python -m sharingcity.planning.siting {pmedian,mclp,lscp} FILE ...``.

Examples
--------
Solve an OR-Library p-median file (chosen medians are printed 1-based, as in the file)::

    python -m sharingcity.planning.siting pmedian pmed1.txt --time-limit 60

Maximal and set covering on a CSV travel matrix (``zone,demand,site...``)::

    python -m sharingcity.planning.siting mclp matrix.csv --p 3 --standard 15
    python -m sharingcity.planning.siting lscp matrix.csv --standard 15
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .covering import maximal_covering, set_covering
from .errors import SitingError
from .matrix_csv import read_travel_csv
from .orlib import read_orlib_pmedian
from .pmedian import p_median
from .problem import SitingResult


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be non-negative, got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _summary(r: SitingResult) -> list[str]:
    return [
        f"objective: {r.objective:.10g}",
        f"bound: {r.bound:.10g}",
        f"gap: {100 * r.gap:.4f} %",
        f"status: {r.status}",
        f"method: {r.method}",
        f"time: {r.time_s:.2f} s",
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.siting",
        description="Facility siting: p-median, maximal covering and set covering.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    pm = sub.add_parser(
        "pmedian",
        help="p-median on an OR-Library file (pmed format) or a CSV travel matrix",
        description="Least demand-weighted travel with p sites. FILE is an OR-Library p-median "
        "file (n m p header and edges; the last duplicate edge wins) or, if it ends in .csv, a "
        "travel matrix 'zone,demand,site...' (then --p is required).",
    )
    pm.add_argument("file")
    pm.add_argument("--p", type=_positive_int, help="number of sites (default: the file's p)")
    pm.add_argument("--time-limit", type=_positive_float, default=None, help="seconds")
    pm.add_argument("--method", choices=("exact", "heuristic"), default="exact")
    pm.add_argument("--seed", type=int, default=0)
    for name, helptext in (("mclp", "maximal covering"), ("lscp", "set covering")):
        sp = sub.add_parser(
            name,
            help=f"{helptext} on a CSV travel matrix",
            description=f"{helptext.capitalize()} on a CSV travel matrix with header "
            "'zone,demand,site...'; an empty cell or 'inf' is an unreachable pair.",
        )
        sp.add_argument("file")
        sp.add_argument(
            "--standard",
            type=_non_negative_float,
            required=True,
            help="a zone is covered within this travel time or distance",
        )
        if name == "mclp":
            sp.add_argument("--p", type=_positive_int, required=True, help="number of sites")
        sp.add_argument("--time-limit", type=_positive_float, default=None, help="seconds")
        sp.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "pmedian":
            if args.file.lower().endswith(".csv"):
                tm = read_travel_csv(args.file)
                if args.p is None:
                    parser.error("--p is required with a CSV travel matrix")
                r = p_median(
                    tm.demand,
                    tm.travel,
                    args.p,
                    method=args.method,
                    time_limit=args.time_limit,
                    seed=args.seed,
                )
                names = [tm.sites[j] for j in r.sites]
            else:
                inst = read_orlib_pmedian(args.file)
                p = args.p if args.p is not None else inst.p
                r = p_median(
                    inst.demand,
                    inst.travel,
                    p,
                    method=args.method,
                    time_limit=args.time_limit,
                    seed=args.seed,
                )
                names = [str(j + 1) for j in r.sites]
            print("medians: " + " ".join(names))
        else:
            tm = read_travel_csv(args.file)
            if args.command == "mclp":
                r = maximal_covering(
                    tm.demand,
                    tm.travel,
                    args.p,
                    args.standard,
                    time_limit=args.time_limit,
                    seed=args.seed,
                )
            else:
                r = set_covering(
                    tm.demand, tm.travel, args.standard, time_limit=args.time_limit, seed=args.seed
                )
            print("sites: " + ", ".join(tm.sites[j] for j in r.sites))
            total = float(tm.demand.sum())
            covered = float(tm.demand[r.assignment >= 0].sum())
            print(f"covered demand: {covered:.10g} of {total:.10g}")
            uncovered = [tm.zones[i] for i in range(len(tm.zones)) if r.assignment[i] < 0]
            if uncovered:
                print(
                    f"zones not covered ({len(uncovered)}): "
                    + ", ".join(uncovered[:20])
                    + (" ..." if len(uncovered) > 20 else "")
                )
    except SitingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in _summary(r):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
