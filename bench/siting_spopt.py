"""Siting beside PySAL spopt (PuLP + HiGHS) on the same instances in the same run.

Parts
-----
1. OR-Library pmed1-10 (shared data): p-median, our time vs spopt's (model build + solve), both
   objectives printed so "same optimum" is checked, not assumed.
2. Synthetic cities (1,000 x 100, p = 10 and 2,000 x 200, p = 20): p-median and maximal
   covering (3 km standard).
3. ``--big``: 10,000 demand points x 500 candidate sites, p = 20, ours only, each model in its own
   child process so its peak memory (ru_maxrss) is measured alone; ``--spopt-big SECONDS`` also
   runs spopt's maximal covering there with that time limit (its p-median would need ~5 M
   variables; see docs/research/planning.md for the memory estimate, it is not run).

spopt reports PuLP's status, which says "Optimal" even after a time limit: the table therefore
compares objectives and our proven gap, never spopt's status string.

Usage::

    python bench/siting_spopt.py                 # parts 1 and 2
    python bench/siting_spopt.py --big           # part 3 as well (up to 2 x 10 minutes)
    python bench/siting_spopt.py --big --only-big --spopt-big 900
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._shared import print_table, shared_data_dir  # noqa: E402

STANDARD_M = 3000.0


def ours_pmedian(w, d, p, time_limit=None):
    from sharingcity.planning.siting import p_median

    return p_median(w, d, p, time_limit=time_limit)


def ours_mclp(w, d, p, time_limit=None):
    from sharingcity.planning.siting import maximal_covering

    return maximal_covering(w, d, p, STANDARD_M, time_limit=time_limit)


def spopt_run(kind, w, d, p, time_limit=None):
    """Build and solve with spopt + PuLP's HiGHS; returns (objective, seconds, status)."""
    import pulp
    from spopt.locate import MCLP, PMedian

    t0 = time.perf_counter()
    if kind == "pmedian":
        model = PMedian.from_cost_matrix(d, w, p_facilities=p)
    else:
        model = MCLP.from_cost_matrix(d, w, service_radius=STANDARD_M, p_facilities=p)
    solver = pulp.HiGHS(msg=False, timeLimit=time_limit)
    model.solve(solver)
    elapsed = time.perf_counter() - t0
    return float(model.problem.objective.value()), elapsed, pulp.LpStatus[model.problem.status]


def part_orlib(rows):
    from sharingcity.planning.siting import read_orlib_pmedian

    folder = shared_data_dir() / "pmedian"
    if not folder.is_dir():
        print(f"(skipping OR-Library part: {folder} is absent)")
        return
    import csv

    with (folder / "optima.csv").open() as fh:
        known = {r["instance"]: float(r["optimal_value"]) for r in csv.DictReader(fh)}
    for k in range(1, 11):
        name = f"pmed{k}"
        inst = read_orlib_pmedian(folder / f"{name}.txt")
        t0 = time.perf_counter()
        r = ours_pmedian(inst.demand, inst.travel, inst.p)
        ours_t = time.perf_counter() - t0
        s_obj, s_t, s_status = spopt_run("pmedian", inst.demand, inst.travel, inst.p)
        rows.append(
            [
                name,
                f"{inst.n_vertices}x{inst.n_vertices}, p={inst.p}",
                "p-median",
                known[name],
                r.objective,
                f"{100 * r.gap:.2f}",
                f"{ours_t:.2f}",
                s_obj,
                s_status,
                f"{s_t:.2f}",
                f"{s_t / ours_t:.1f}x",
            ]
        )
        print(rows[-1], flush=True)


def part_synthetic(rows, models):
    from sharingcity.planning.siting import synthetic_city

    for n, m, p in ((1000, 100, 10), (2000, 200, 20)):
        city = synthetic_city(n, m, seed=12345)
        for kind, ours in (("pmedian", ours_pmedian), ("mclp", ours_mclp)):
            if kind not in models:
                continue
            t0 = time.perf_counter()
            r = ours(city.demand, city.travel, p)
            ours_t = time.perf_counter() - t0
            s_obj, s_t, s_status = spopt_run(kind, city.demand, city.travel, p)
            rows.append(
                [
                    f"city {n}x{m}",
                    f"seed 12345, p={p}",
                    "p-median" if kind == "pmedian" else "max covering 3 km",
                    "-",
                    r.objective,
                    f"{100 * r.gap:.2f}",
                    f"{ours_t:.2f}",
                    s_obj,
                    s_status,
                    f"{s_t:.2f}",
                    f"{s_t / ours_t:.1f}x",
                ]
            )
            print(rows[-1], flush=True)


def child(kind, time_limit, who):
    """One big solve in this process; prints a JSON line with the result and peak memory."""
    from sharingcity.planning.siting import synthetic_city

    t0 = time.perf_counter()
    city = synthetic_city(10_000, 500, seed=12345)
    gen = time.perf_counter() - t0
    out: dict[str, object] = {"kind": kind, "who": who, "generate_s": gen}
    if who == "ours":
        fn = ours_pmedian if kind == "pmedian" else ours_mclp
        r = fn(city.demand, city.travel, 20, time_limit=time_limit)
        out.update(
            objective=r.objective,
            bound=r.bound,
            gap=r.gap,
            status=r.status,
            time_s=r.time_s,
            method=r.method,
            details={k: v for k, v in r.details.items() if isinstance(v, (int, float, str))},
        )
        if kind == "mclp":
            out["covered_share"] = r.objective / float(city.demand.sum())
    else:
        obj, t, status = spopt_run(kind, city.demand, city.travel, 20, time_limit=time_limit)
        out.update(objective=obj, time_s=t, status=status)
    out["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(out))


def run_child(kind, time_limit, who):
    cmd = [sys.executable, __file__, "--child", kind, "--who", who, "--time-limit", str(time_limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"kind": kind, "who": who, "error": (proc.stderr or proc.stdout)[-800:]}
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--big", action="store_true", help="run the 10,000 x 500, p = 20 instance")
    ap.add_argument("--only-big", action="store_true", help="skip parts 1 and 2")
    ap.add_argument("--big-time-limit", type=float, default=600.0)
    ap.add_argument(
        "--spopt-big",
        type=float,
        default=0.0,
        help="also run spopt's maximal covering on the big instance with this limit",
    )
    ap.add_argument("--parts", default="orlib,synthetic", help="comma list: orlib, synthetic")
    ap.add_argument("--models", default="pmedian,mclp", help="synthetic part: pmedian, mclp")
    ap.add_argument("--child", choices=("pmedian", "mclp"), help=argparse.SUPPRESS)
    ap.add_argument("--who", choices=("ours", "spopt"), default="ours", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.time_limit, args.who)
        return
    if not args.only_big:
        # warm both code paths (imports, HiGHS load) so timings are of the solves
        from sharingcity.planning.siting import synthetic_city

        warm = synthetic_city(30, 8, seed=1)
        ours_pmedian(warm.demand, warm.travel, 2)
        ours_mclp(warm.demand, warm.travel, 2)
        spopt_run("pmedian", warm.demand, warm.travel, 2)
        rows: list[list[object]] = []
        if "orlib" in args.parts:
            part_orlib(rows)
        if "synthetic" in args.parts:
            part_synthetic(rows, args.models.split(","))
        print()
        print_table(
            [
                "instance",
                "size",
                "model",
                "known optimum",
                "ours objective",
                "ours gap %",
                "ours s",
                "spopt objective",
                "spopt status",
                "spopt s",
                "spopt / ours",
            ],
            rows,
        )
    if args.big:
        big = []
        for kind in ("pmedian", "mclp"):
            big.append(run_child(kind, args.big_time_limit, "ours"))
            print(json.dumps(big[-1]), flush=True)
        if args.spopt_big > 0:
            big.append(run_child("mclp", args.spopt_big, "spopt"))
            print(json.dumps(big[-1]), flush=True)
        print()
        print_table(
            [
                "10,000 x 500, p = 20",
                "solver",
                "objective",
                "proven bound",
                "gap %",
                "status",
                "time s",
                "peak RSS GiB",
            ],
            [
                [
                    b["kind"],
                    b["who"],
                    b.get("objective", "-"),
                    b.get("bound", "-"),
                    f"{100 * b['gap']:.3f}" if "gap" in b else "unknown",
                    b.get("status", b.get("error", "")),
                    f"{b['time_s']:.1f}" if "time_s" in b else "-",
                    f"{b['peak_rss_gib']:.2f}" if "peak_rss_gib" in b else "-",
                ]
                for b in big
            ],
        )


if __name__ == "__main__":
    main()
