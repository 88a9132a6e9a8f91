"""Dispatch policies beside the manual baseline on the Seoul demo city, over several seeds.

Each seed draws one weekday of demand and a fleet; every policy runs on the same day and fleet,
so the comparison is paired. Prints per-policy means, the mean-wait reduction against the baseline
with a 95% confidence interval (t distribution over seeds) and the time of one simulated day.

    python bench/dispatch_policies.py [--vehicles 600] [--requests 5000] [--seeds 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table  # noqa: E402
from scipy import stats  # noqa: E402

from sharingcity.planning.dispatch.city import seoul_demo_city  # noqa: E402
from sharingcity.planning.dispatch.demand import (
    forecast_from_history,
    generate_requests,
    make_fleet,
)  # noqa: E402
from sharingcity.planning.dispatch.metrics import check_run, service_metrics  # noqa: E402
from sharingcity.planning.dispatch.model import SpeedProfileTravel  # noqa: E402
from sharingcity.planning.dispatch.policies import POLICIES, make_policy  # noqa: E402
from sharingcity.planning.dispatch.simulator import simulate  # noqa: E402


def _ci(values: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, float("nan")
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return mean, half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=600)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--policies", nargs="*", default=list(POLICIES))
    args = parser.parse_args()
    if "baseline" not in args.policies:
        args.policies = ["baseline", *args.policies]
    city = seoul_demo_city()
    travel = SpeedProfileTravel()
    results: dict[str, list] = {p: [] for p in args.policies}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        requests = generate_requests(city, args.requests, seed=seed)
        fleet = make_fleet(city, args.vehicles, seed=seed)
        past = [
            generate_requests(city, args.requests, seed=10_000 + 10 * seed + k) for k in range(3)
        ]
        forecast = forecast_from_history(past, len(city.names))
        for name in args.policies:
            started = time.perf_counter()
            run = simulate(
                fleet,
                requests,
                travel,
                make_policy(name, forecast=forecast, centres=city.centres),
                seed=seed,
            )
            seconds = time.perf_counter() - started
            problems = check_run(run)
            if problems:
                sys.exit(f"seed {seed}, policy {name}: invariants broken: {problems[:3]}")
            m = service_metrics(run)
            results[name].append((m, seconds))
            print(
                f"seed {seed} {name:<10} wait {m.wait_mean:6.1f} p90 {m.wait_p90:6.1f} refused {m.refused:4d} "
                f"empty {m.empty_share:.3f} {seconds:5.1f} s",
                file=sys.stderr,
                flush=True,
            )
    base = [m.wait_mean for m, _ in results["baseline"]]
    rows = []
    for name in args.policies:
        ms = [m for m, _ in results[name]]
        secs = [s for _, s in results[name]]
        red = [100.0 * (b - m.wait_mean) / b for b, m in zip(base, ms, strict=True)]
        mean_red, half = _ci(red)
        rows.append(
            (
                name,
                f"{statistics.fmean(m.wait_mean for m in ms):.1f}",
                f"{statistics.fmean(m.wait_median for m in ms):.1f}",
                f"{statistics.fmean(m.wait_p90 for m in ms):.1f}",
                f"{statistics.fmean(m.wait_max for m in ms):.0f}",
                "—" if name == "baseline" else f"{mean_red:.1f}% ± {half:.1f}",
                f"{statistics.fmean(m.refused / m.requests for m in ms):.1%}",
                f"{statistics.fmean(m.empty_share for m in ms):.1%}",
                f"{statistics.fmean(m.utilisation for m in ms):.1%}",
                f"{statistics.fmean(m.district_wait_spread for m in ms):.1f}",
                f"{statistics.fmean(secs):.1f} / {max(secs):.1f}",
            )
        )
    print(
        f"\n{args.vehicles} vehicles, {args.requests} requests a day, seeds {args.first_seed}..{args.first_seed + args.seeds - 1}\n"
    )
    print_table(
        [
            "policy",
            "mean wait",
            "median",
            "p90",
            "max",
            "mean-wait reduction vs baseline (95% CI)",
            "refused",
            "empty km",
            "utilisation",
            "district spread",
            "s per day (mean / max)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
