"""Night-bus coverage against fleet size on the demo city, beside the LP upper bound.

For each fleet size the planner chooses routes (at most ``--max-routes``) and headways from
demand-ranked candidate routes, and the exact share of night trips served (within
``--max-minutes`` and ``--max-transfers``) is printed beside the LP-relaxation bound for any plan
from the same candidates. The demo demand is the stand-in gravity model of
``sharingcity.planning.network.demo`` unless call-record counts are supplied by the platform::

    python bench/network_nightbus.py [--fleets 10 20 30 40 60] [--max-routes 9] [--seconds 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table  # noqa: E402

from sharingcity.planning.network.demo import demo_city_network  # noqa: E402
from sharingcity.planning.network.nightbus import (  # noqa: E402
    NightBusSettings,
    candidate_routes,
    coverage_curve,
)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--fleets", type=int, nargs="+", default=[10, 20, 30, 40, 60])
    p.add_argument("--max-routes", type=int, default=9)
    p.add_argument("--max-stops", type=int, default=12)
    p.add_argument("--max-minutes", type=float, default=60.0)
    p.add_argument("--max-transfers", type=int, default=1)
    p.add_argument("--candidates", type=int, default=40)
    p.add_argument("--seconds", type=float, default=20.0, help="search time per fleet size")
    args = p.parse_args()
    net = demo_city_network()
    s = NightBusSettings(
        fleet=0,
        max_routes=args.max_routes,
        min_stops=3,
        max_stops=args.max_stops,
        max_journey_minutes=args.max_minutes,
        max_transfers=args.max_transfers,
    )
    cands = candidate_routes(
        net, min_stops=3, max_stops=args.max_stops, n_candidates=args.candidates
    )
    t0 = time.perf_counter()
    points = coverage_curve(
        net, s, args.fleets, candidates=cands, time_limit_per_point=args.seconds
    )
    print(
        f"demo city: {net.n_stops} districts, {len(net.edges)} links, {len(cands)} candidate routes, "
        f"<= {args.max_routes} routes, trips within {args.max_minutes:g} min and "
        f"{args.max_transfers} transfer(s), headways {s.headways}; {time.perf_counter() - t0:.0f} s"
    )
    print_table(
        [
            "buses",
            "routes",
            "buses used",
            "share served (plan)",
            "upper bound (LP)",
            "gap (points)",
        ],
        [
            [
                q.fleet,
                q.routes,
                q.buses_used,
                f"{100 * q.served_share:.1f}%",
                f"{100 * q.bound_share:.1f}%",
                f"{100 * (q.bound_share - q.served_share):.1f}",
            ]
            for q in points
        ],
    )


if __name__ == "__main__":
    main()
