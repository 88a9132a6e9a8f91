"""Command line: design or evaluate UTRP route sets on a Mandl/Mumford-format instance.

Design::

    python -m sharingcity.planning.network INSTANCE_DIR NAME --routes 6 --min-stops 2 \\
        --max-stops 8 --seed 1 --time-limit 60 [--objective passenger|operator|pareto]

Evaluate a route set in the ``Results_data.csv`` notation::

    python -m sharingcity.planning.network evaluate INSTANCE_DIR NAME "0-1-2*3-4*" \\
        [--routes 6 --min-stops 2 --max-stops 8]

Both print the route set with ATT, d0, d1, d2, dun and TRT; ``--json`` prints one JSON object.
Bad input exits with status 2 and a message naming the file, line or rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .errors import InfeasibleRouteSetError, NetworkError
from .evaluate import Evaluation, RouteSetEvaluator
from .instance import format_route_set, parse_route_set, read_mumford_instance
from .optimise import DesignProgress, design_pareto_front, design_routes


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _instance_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance_dir", metavar="INSTANCE_DIR", help="folder with the instance files")
    p.add_argument(
        "name", metavar="NAME", help="instance name, e.g. Mandl (reads NAMECoords.txt ...)"
    )


def _report(routes, ev: Evaluation, header: dict[str, object], as_json: bool) -> str:
    route_set = format_route_set(routes)
    if as_json:
        return json.dumps({**header, "route_set": route_set, **ev.summary()})
    lines = [f"{k:<12}{v}" for k, v in header.items()]
    lines.append(f"{'route_set':<12}{route_set}")
    lines.append(f"{'ATT':<12}{ev.att:.8f}")
    for key in ("d0", "d1", "d2", "dun"):
        lines.append(f"{key:<12}{getattr(ev, key):.4f}")
    lines.append(f"{'TRT':<12}{ev.trt:g}")
    return "\n".join(lines)


def _progress_printer(quiet: bool):
    if quiet:
        return None

    def show(p: DesignProgress) -> None:
        bar = "#" * int(30 * p.fraction)
        sys.stderr.write(
            f"\r[{bar:<30}] {100 * p.fraction:5.1f}%  {p.elapsed:7.1f}s  "
            f"evals {p.evaluations:>8}  best ATT {p.best_att:.4f}"
            + (f"  TRT {p.best_trt:g}" if p.best_trt == p.best_trt else "")
        )
        sys.stderr.flush()

    return show


def _design(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.network",
        description="Design a transit route set (UTRP) for a Mandl/Mumford-format instance. "
        "Use the 'evaluate' subcommand to score a given route set.",
    )
    _instance_args(p)
    p.add_argument("--routes", type=_positive_int, required=True, help="number of routes")
    p.add_argument("--min-stops", type=_positive_int, required=True, help="fewest stops per route")
    p.add_argument("--max-stops", type=_positive_int, required=True, help="most stops per route")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--time-limit", type=_seconds, default=60.0, help="seconds of search (default 60)"
    )
    p.add_argument(
        "--objective",
        choices=("passenger", "operator", "pareto"),
        default="passenger",
        help="minimise ATT (passenger), TRT (operator), or approximate the Pareto front",
    )
    p.add_argument("--json", action="store_true", help="print JSON (one object per route set)")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    args = p.parse_args(argv)
    try:
        net = read_mumford_instance(args.instance_dir, args.name)
        common = dict(
            n_routes=args.routes,
            min_stops=args.min_stops,
            max_stops=args.max_stops,
            seed=args.seed,
            time_limit=args.time_limit,
            progress=_progress_printer(args.quiet),
        )
        if args.objective == "pareto":
            designs = design_pareto_front(net, **common)  # type: ignore[arg-type]
        else:
            designs = [design_routes(net, objective=args.objective, **common)]  # type: ignore[arg-type]
    except NetworkError as exc:
        if not args.quiet:
            sys.stderr.write("\n")
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        sys.stderr.write("\n")
    for k, d in enumerate(designs):
        header: dict[str, object] = {
            "instance": f"{args.name} ({net.n_stops} stops)",
            "routes": f"{args.routes} of {args.min_stops}-{args.max_stops} stops",
            "objective": args.objective,
            "seed": args.seed,
            "seconds": round(d.elapsed, 1),
            "evaluations": d.evaluations,
        }
        if k:
            print("" if not args.json else "", end="\n" if not args.json else "")
        print(_report(d.routes, d.evaluation, header, args.json))
    return 0


def _evaluate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.network evaluate",
        description="Score a route set under the UTRP rules (Mumford 2017 evaluator).",
    )
    _instance_args(p)
    p.add_argument(
        "route_set", metavar="ROUTES", help="route set like '0-1-2*3-4*', or @FILE holding one"
    )
    p.add_argument(
        "--routes", type=_positive_int, help="required number of routes (checked if given)"
    )
    p.add_argument(
        "--min-stops", type=_positive_int, help="fewest stops per route (checked if given)"
    )
    p.add_argument(
        "--max-stops", type=_positive_int, help="most stops per route (checked if given)"
    )
    p.add_argument(
        "--transfer-penalty", type=float, default=5.0, help="minutes per transfer (default 5)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args(argv)
    text = args.route_set
    try:
        if text.startswith("@"):
            try:
                with open(text[1:], encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise NetworkError(
                    f"cannot read route-set file {text[1:]}: {exc.strerror}"
                ) from None
        net = read_mumford_instance(args.instance_dir, args.name)
        routes = parse_route_set(text)
        ev = RouteSetEvaluator(net, transfer_penalty=args.transfer_penalty).evaluate(
            routes, n_routes=args.routes, min_stops=args.min_stops, max_stops=args.max_stops
        )
    except InfeasibleRouteSetError as exc:
        print("error: infeasible route set:", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    header: dict[str, object] = {"instance": f"{args.name} ({net.n_stops} stops)"}
    print(_report(routes, ev, header, args.json))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "evaluate":
        return _evaluate(argv[1:])
    return _design(argv)


if __name__ == "__main__":
    sys.exit(main())
