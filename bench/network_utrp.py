"""UTRP benchmark: our route designer on Mandl, Mumford0 and Mumford1 beside the best published.

For each instance and seed it runs :func:`design_routes` with the standard parameters and a
time limit, then prints best and mean +- std of ATT and TRT, d0-dun of the best set and the
time spent, beside the best published result (Ahmed, Mumford & Kheiri 2019, as compiled in
GHuss7/UTRP_PhD_Code; see ../shared/docs/research/tndp.md) and the John (2016) front.

The full protocol is 10 seeds x 600 s per instance::

    python bench/network_utrp.py --seeds 10 --time-limit 600

Runs are sequential (one core each); ``--jobs 2`` runs two seeds at once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table, require_shared  # noqa: E402

from sharingcity.planning.network import (  # noqa: E402
    design_routes,
    format_route_set,
    read_mumford_instance,
    read_results_data,
)

PARAMETERS = {"Mandl": (6, 2, 8), "Mumford0": (12, 2, 15), "Mumford1": (15, 10, 30)}
# Best published (ATT, TRT): passenger and operator ends, Ahmed, Mumford & Kheiri (2019).
PUBLISHED = {
    "passenger": {"Mandl": (10.18, 212), "Mumford0": (14.09, 722), "Mumford1": (21.69, 1956)},
    "operator": {"Mandl": (14.28, 63), "Mumford0": (26.32, 94), "Mumford1": (39.45, 408)},
}


def one_run(task: tuple[str, str, int, float, str, str]) -> dict[str, object]:
    folder, name, seed, limit, objective, clock = task
    net = read_mumford_instance(folder, name)
    r, lo, hi = PARAMETERS[name]
    t0 = time.perf_counter()
    c0 = time.process_time()
    design = design_routes(
        net,
        n_routes=r,
        min_stops=lo,
        max_stops=hi,
        objective=objective,
        seed=seed,
        time_limit=limit,
        clock=clock,
    )
    return {
        "instance": name,
        "seed": seed,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "evaluations": design.evaluations,
        "time_limit": limit,
        "clock": clock,
        "route_set": format_route_set(design.routes),
        **design.evaluation.summary(),
    }


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--instances", nargs="+", default=list(PARAMETERS), choices=list(PARAMETERS))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=600.0, help="seconds per run")
    p.add_argument("--objective", choices=("passenger", "operator"), default="passenger")
    p.add_argument("--jobs", type=int, default=1, help="runs at once (processes)")
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="count the time limit in wall-clock or CPU seconds (cpu: fair on a shared machine)",
    )
    p.add_argument("--json", type=Path, help="also write every run to this JSON file")
    p.add_argument(
        "--jsonl", type=Path, help="append each run to this JSON-lines file as soon as it ends"
    )
    p.add_argument(
        "--summarise",
        type=Path,
        metavar="JSONL",
        help="print the tables for the runs already in this JSON-lines file and stop",
    )
    args = p.parse_args()
    folder = require_shared("tndp")
    if args.summarise:
        runs = [json.loads(line) for line in args.summarise.read_text().splitlines() if line]
        args.instances = [name for name in PARAMETERS if any(r["instance"] == name for r in runs)]
        report(args, folder, runs)
        return
    tasks = [
        (str(folder), name, seed, args.time_limit, args.objective, args.clock)
        for name in args.instances
        for seed in range(args.first_seed, args.first_seed + args.seeds)
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = []
        for run in pool.map(one_run, tasks):
            runs.append(run)
            if args.jsonl:
                with args.jsonl.open("a") as out:
                    out.write(json.dumps(run) + "\n")
            print(
                f"{run['instance']} seed {run['seed']}: ATT {run['ATT']:.4f} TRT {run['TRT']:g} "
                f"({run['seconds']:.0f} s wall, {run['cpu_seconds']:.0f} s CPU, "
                f"{run['evaluations']} evaluations)",
                file=sys.stderr,
                flush=True,
            )
    report(args, folder, runs)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))


def report(args: argparse.Namespace, folder: Path, runs: list[dict[str, object]]) -> None:
    rows = []
    key = "ATT" if args.objective == "passenger" else "TRT"

    def best_of(mine: list[dict[str, object]]) -> dict[str, object]:
        """The best run by the objective, ties broken by the other measure."""
        return min(mine, key=lambda r: (r[key], r["ATT"] if key == "TRT" else r["TRT"]))

    for name in args.instances:
        mine = [r for r in runs if r["instance"] == name]
        best = best_of(mine)
        atts = [float(r["ATT"]) for r in mine]
        trts = [float(r["TRT"]) for r in mine]
        john = read_results_data(folder / "solutions" / "john2016" / name / "Results_data.csv")
        john_best = min(john, key=lambda j: j.att if key == "ATT" else (j.trt, j.att))
        pub_att, pub_trt = PUBLISHED[args.objective][name]
        sd = statistics.stdev if len(mine) > 1 else (lambda _: 0.0)
        rows.append(
            [
                name,
                len(mine),
                "/".join(sorted({f"{r.get('time_limit', args.time_limit):g}" for r in mine})),
                f"{best['ATT']:.4f}",
                f"{best['TRT']:g}",
                " / ".join(f"{best[k]:.2f}" for k in ("d0", "d1", "d2", "dun")),
                f"{statistics.mean(atts):.4f} ± {sd(atts):.4f}",
                f"{statistics.mean(trts):.1f} ± {sd(trts):.1f}",
                f"{statistics.mean(float(r['seconds']) for r in mine):.0f} / "
                f"{statistics.mean(float(r['cpu_seconds']) for r in mine):.0f}",
                f"{statistics.mean(int(r['evaluations']) for r in mine):,.0f}",
                f"{pub_att} / {pub_trt}",
                f"{john_best.att:.4f} / {john_best.trt:g}",
            ]
        )
    if args.summarise:
        clocks = sorted({str(r.get("clock", "?")) for r in runs})
        seeds = sorted({int(r["seed"]) for r in runs})  # type: ignore[call-overload]
        print(
            f"objective: {args.objective}; {len(runs)} runs from {args.summarise}, seeds "
            f"{', '.join(map(str, seeds))}; {'/'.join(clocks)} clock"
        )
    else:
        print(
            f"objective: {args.objective}; seeds {args.first_seed}..{args.first_seed + args.seeds - 1}; "
            f"time limit {args.time_limit:g} s of {args.clock} clock per run; {args.jobs} at once"
        )
    print_table(
        [
            "instance",
            "runs",
            "limit s",
            "best ATT",
            "its TRT",
            "its d0/d1/d2/dun %",
            "ATT mean ± std",
            "TRT mean ± std",
            "wall / CPU s",
            "evaluations",
            "published best ATT / TRT (AMK 2019)",
            "John 2016 ATT / TRT",
        ],
        rows,
    )
    for name in args.instances:
        best = best_of([r for r in runs if r["instance"] == name])
        print(f"\n{name} best (seed {best['seed']}): {best['route_set']}")


if __name__ == "__main__":
    main()
