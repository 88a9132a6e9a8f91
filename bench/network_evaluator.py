"""Evaluator speed: our UTRP evaluator beside a plain-Python Dijkstra evaluator, same run.

Both score the John (2016) Mumford1 route sets (70 stops, 15 routes of 10-30 stops) under
Mumford's rules; the script checks they agree (ATT to 1e-9, d0-dun, TRT) and prints the time
per route set and the ratio. "ours, full" is :meth:`RouteSetEvaluator.evaluate` (rule checks,
transfer shares, journey matrices); "ours, ATT only" is :meth:`passenger_cost`, the call the
optimiser makes at every step. Times are medians over repeats, in CPU and wall-clock time
(the machine is shared, so quote the ratios)::

    python bench/network_evaluator.py [--instance Mumford1] [--reference-sets 20] [--repeats 5]
        [--designed runs.jsonl]

The John (2016) sets span a whole front, most of it short routes for operators; the sets a
passenger-cost search produces are longer and harder for a Dijkstra over (route, position)
states. ``--designed`` adds the route sets of a ``bench/network_utrp.py --jsonl`` file (those of
this instance), timed with both evaluators on exactly the same sets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table, require_shared  # noqa: E402

from sharingcity.planning.network import (  # noqa: E402
    RouteSetEvaluator,
    parse_route_set,
    read_mumford_instance,
    read_results_data,
)
from sharingcity.planning.network.reference import reference_scores  # noqa: E402


def per_set(fn, sets, repeats: int) -> tuple[float, float]:
    """Median CPU and wall seconds per route set over ``repeats`` passes."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        for routes in sets:
            fn(routes)
        cpu.append((time.process_time() - c0) / len(sets))
        wall.append((time.perf_counter() - w0) / len(sets))
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--instance", default="Mumford1", choices=("Mandl", "Mumford0", "Mumford1"))
    p.add_argument(
        "--reference-sets", type=int, default=20, help="route sets for the slow evaluator"
    )
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--designed", type=Path, help="JSON-lines runs of bench/network_utrp.py")
    args = p.parse_args()
    folder = require_shared("tndp")
    net = read_mumford_instance(folder, args.instance)
    front = read_results_data(
        folder / "solutions" / "john2016" / args.instance / "Results_data.csv"
    )
    sets = [row.routes for row in front]
    step = max(1, len(sets) // args.reference_sets)
    sample = sets[::step][: args.reference_sets]
    ev = RouteSetEvaluator(net)

    # agreement first: a fast wrong answer is worth nothing
    worst = 0.0
    for row in front:
        got = ev.evaluate(row.routes)
        worst = max(worst, abs(got.att - row.att))
        assert got.trt == row.trt
    for routes in sample:
        fast = ev.evaluate(routes).summary()
        slow = reference_scores(net, routes)
        for key, value in slow.items():
            assert abs(fast[key] - value) < 1e-9, (key, fast[key], value)

    ref = per_set(lambda r: reference_scores(net, r), sample, max(1, args.repeats // 2))

    # nothing is cached between calls: every call builds the single-ride matrix anew
    full = per_set(ev.evaluate, sets, args.repeats)
    att_only = per_set(ev.passenger_cost, sets, args.repeats)

    def row(label: str, count: int, timing: tuple[float, float], anchor=ref) -> list:  # noqa: ANN001
        """A table row: ms per set (CPU, wall) and the speed-up over ``anchor`` (CPU, wall)."""
        cpu, wall = timing
        return [label, count, cpu * 1e3, wall * 1e3, anchor[0] / cpu, anchor[1] / wall]

    same = per_set(ev.evaluate, sample, args.repeats)
    rows = [
        row("plain-Python Dijkstra (reference)", len(sample), ref),
        row("ours, full evaluate", len(sets), full),
        row("ours, full evaluate, the reference's sets", len(sample), same),
        row("ours, ATT only", len(sets), att_only),
    ]
    if args.designed:
        runs = [json.loads(line) for line in args.designed.read_text().splitlines() if line]
        designed = [
            parse_route_set(str(r["route_set"])) for r in runs if r["instance"] == args.instance
        ]
        for routes in designed:
            fast = ev.evaluate(routes).summary()
            slow = reference_scores(net, routes)
            for key, value in slow.items():
                assert abs(fast[key] - value) < 1e-9, (key, fast[key], value)
        d_ref = per_set(lambda r: reference_scores(net, r), designed, max(1, args.repeats // 2))
        rows.append(row("designed sets: plain-Python Dijkstra", len(designed), d_ref, d_ref))
        for label, method in (
            ("full evaluate", ev.evaluate),
            ("ATT only", ev.passenger_cost),
        ):
            got = per_set(method, designed, args.repeats)
            rows.append(row(f"designed sets: ours, {label}", len(designed), got, d_ref))
    print(
        f"{args.instance}: {net.n_stops} stops, {len(sets)} John (2016) route sets; "
        f"all agree with the published ATT (max error {worst:.1e}) and TRT, and with the "
        f"reference on {len(sample)} sets"
    )
    print_table(
        [
            "evaluator",
            "route sets",
            "CPU ms / set",
            "wall ms / set",
            "speed-up (CPU)",
            "speed-up (wall)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
