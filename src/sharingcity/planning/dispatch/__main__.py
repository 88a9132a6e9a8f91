"""Command line: solve a dial-a-ride file, or simulate a day of call-taxi service.

Examples
--------
    python -m sharingcity.planning.dispatch solve a2-16.txt --time-limit 10 --seed 1
    python -m sharingcity.planning.dispatch simulate --vehicles 600 --requests 5000 --policy batch --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys

from sharingcity.planning.dispatch.checker import check_darp_solution, route_cost
from sharingcity.planning.dispatch.city import seoul_demo_city
from sharingcity.planning.dispatch.darp import read_cordeau
from sharingcity.planning.dispatch.darp_solver import solve_darp
from sharingcity.planning.dispatch.demand import (
    HOUR_PROFILES,
    forecast_from_history,
    generate_requests,
    make_fleet,
)
from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.metrics import check_run, service_metrics
from sharingcity.planning.dispatch.model import SpeedProfileTravel
from sharingcity.planning.dispatch.policies import POLICIES, make_policy
from sharingcity.planning.dispatch.simulator import simulate


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be non-negative, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.dispatch", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve a Cordeau-format dial-a-ride file")
    solve.add_argument(
        "file", help="instance file (Cordeau format: 'K n T Q L' then 2n+2 node lines)"
    )
    solve.add_argument(
        "--time-limit", type=_positive_float, default=10.0, help="seconds of search (default 10)"
    )
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--json", action="store_true", help="print the solution as JSON")
    sim = sub.add_parser(
        "simulate", help="simulate one day of call-taxi service in the Seoul demo city"
    )
    sim.add_argument("--vehicles", type=_count, default=600)
    sim.add_argument("--requests", type=_count, default=5000)
    sim.add_argument("--policy", choices=POLICIES, default="baseline")
    sim.add_argument("--seed", type=int, default=0, help="seed of the demand and the fleet")
    sim.add_argument("--day", choices=sorted(HOUR_PROFILES), default="weekday")
    sim.add_argument(
        "--advance-share", type=float, default=0.3, help="share booked the day before (default 0.3)"
    )
    sim.add_argument("--json", action="store_true", help="print the metrics as JSON")
    return parser


def _solve(args: argparse.Namespace) -> int:
    inst = read_cordeau(args.file)
    sol = solve_darp(inst, time_limit=args.time_limit, seed=args.seed)
    problems = check_darp_solution(inst, sol.routes, sol.times, allow_unserved=True)
    cost = route_cost(inst, sol.routes)
    if args.json:
        print(
            json.dumps(
                {
                    "instance": inst.name,
                    "cost": round(cost, 4),
                    "routes": sol.routes,
                    "times": sol.times,
                    "unserved": sol.unserved,
                    "violations": problems,
                    "iterations": sol.iterations,
                }
            )
        )
    else:
        print(f"instance {inst.name}: {inst.n_requests} requests, {inst.n_vehicles} vehicles")
        for k, route in enumerate(sol.routes):
            times = sol.times[k]
            stops = " ".join(
                f"{v}@{b:.1f}" for v, b in zip([0, *route, inst.end_depot], times, strict=True)
            )
            print(f"vehicle {k}: {stops}" if route else f"vehicle {k}: unused")
        print(f"cost {cost:.2f}")
        print("refused requests: " + (" ".join(map(str, sol.unserved)) if sol.unserved else "none"))
        print(f"independent check: {'feasible' if not problems else '; '.join(problems)}")
        print(f"{sol.iterations} iterations in {sol.seconds:.1f} s (seed {args.seed})")
    return 0 if not problems and not sol.unserved else 2


def _simulate(args: argparse.Namespace) -> int:
    if not 0.0 <= args.advance_share <= 1.0:
        raise DispatchError(f"--advance-share must be in [0, 1], got {args.advance_share}")
    city = seoul_demo_city()
    requests = generate_requests(
        city, args.requests, seed=args.seed, day=args.day, advance_share=args.advance_share
    )
    fleet = make_fleet(city, args.vehicles, seed=args.seed)
    forecast = None
    if args.policy == "reposition":
        past = [
            generate_requests(city, args.requests, seed=args.seed + 1000 + k, day=args.day)
            for k in range(3)
        ]
        forecast = forecast_from_history(past, len(city.names))
    policy = make_policy(args.policy, forecast=forecast, centres=city.centres)
    run = simulate(fleet, requests, SpeedProfileTravel(), policy, seed=args.seed)
    m = service_metrics(run)
    problems = check_run(run)
    if args.json:
        data = m.as_dict()
        data["wait_by_district"] = {
            city.names[d]: round(w, 2) for d, w in m.wait_by_district.items()
        }
        data.update(
            policy=args.policy, seconds=round(run.seconds, 2), invariant_violations=problems
        )
        print(json.dumps(data))
        return 0 if not problems else 2
    print(
        f"policy {args.policy}: {args.vehicles} vehicles, {args.requests} requests, seed {args.seed} ({run.seconds:.1f} s)"
    )
    print(f"served {m.served}, refused {m.refused}")
    for reason, count in m.refused_by_reason.items():
        print(f"  refused: {reason}: {count}")
    print(
        f"wait (min): mean {m.wait_mean:.1f}  median {m.wait_median:.1f}  p90 {m.wait_p90:.1f}  max {m.wait_max:.1f}"
    )
    print(f"ride / direct: mean {m.ride_ratio_mean:.2f}  max {m.ride_ratio_max:.2f}")
    print(f"km {m.km_total:,.0f}, empty share {m.empty_share:.1%}, utilisation {m.utilisation:.1%}")
    print("mean wait by district (min):")
    for d, w in sorted(m.wait_by_district.items(), key=lambda item: -item[1]):
        print(f"  {city.names[d]:<16} {w:6.1f}")
    print(f"invariants: {'all hold' if not problems else '; '.join(problems[:10])}")
    return 0 if not problems else 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _solve(args) if args.command == "solve" else _simulate(args)
    except DispatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
