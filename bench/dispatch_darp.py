"""Dial-a-ride: our ALNS solver on the Cordeau instances beside their best-known costs.

Every solution is re-checked by the independent checker (given schedule and exact schedule test)
before its cost is reported. Usage::

    python bench/dispatch_darp.py [--time-limit 60] [--seed 1] [--only a2-16 b3-30 ...]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table, require_shared  # noqa: E402

from sharingcity.planning.dispatch import check_darp_solution, read_cordeau, route_cost, solve_darp  # noqa: E402


def _reference(folder: Path) -> dict[str, tuple[float | None, float | None]]:
    out: dict[str, tuple[float | None, float | None]] = {}
    with open(folder / "reference_values.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            pub = row["published_value"].split()[0] if row["published_value"].strip() else ""
            ort = row["ortools_cost"].strip()
            out[row["instance"]] = (float(pub) if pub else None, float(ort) if ort else None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per instance (default 60)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="instance names (default: all in the folder)")
    args = parser.parse_args()
    folder = require_shared("darp")
    refs = _reference(folder)
    names = args.only or sorted(p.stem for p in folder.glob("*.txt"))
    rows = []
    gaps = []
    for name in names:
        inst = read_cordeau(folder / f"{name}.txt")
        started = time.perf_counter()
        cpu_started = time.process_time()
        sol = solve_darp(inst, time_limit=args.time_limit, seed=args.seed)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        problems = check_darp_solution(inst, sol.routes, sol.times, allow_unserved=True)
        problems += check_darp_solution(inst, sol.routes, allow_unserved=True)
        cost = route_cost(inst, sol.routes)
        pub, ort = refs.get(name, (None, None))
        gap = 100.0 * (cost - pub) / pub if pub and not sol.unserved else None
        if gap is not None:
            gaps.append(gap)
        rows.append(
            (
                name,
                f"{cost:.2f}",
                len(sol.unserved),
                "ok" if not problems else f"{len(problems)} violations",
                f"{pub:.2f}" if pub else "—",
                f"{gap:+.2f}%" if gap is not None else "—",
                f"{ort:.2f}" if ort else "dropped 1",
                f"{seconds:.1f}",
                f"{cpu:.1f}",
                sol.iterations,
            )
        )
        print(
            f"{name}: {cost:.2f} unserved={len(sol.unserved)} check={'ok' if not problems else problems[:3]}",
            file=sys.stderr,
            flush=True,
        )
    print(f"\ntime limit {args.time_limit:g} s per instance, seed {args.seed}\n")
    print_table(
        [
            "instance",
            "our cost",
            "unserved",
            "independent check",
            "best known",
            "gap",
            "OR-Tools (README)",
            "wall s",
            "CPU s",
            "iterations",
        ],
        rows,
    )
    if gaps:
        print(
            f"\naverage gap over {len(gaps)} instances with a published value: {sum(gaps) / len(gaps):+.3f}%"
        )
        print(
            f"instances within 0.01 of the best known: {sum(1 for g in gaps if g < 0.005)} of {len(gaps)}"
        )


if __name__ == "__main__":
    main()
