"""LEXIMIN panel selection at city scale, beside sortition-algorithms' maximin with HiGHS in the same run.

Instances: the paper's ``example_large_200`` (2,000 volunteers, 200 seats; Flanigan et al. report
1,161.8 s for LEXIMIN with Gurobi) and a seeded synthetic pool of 5,000 volunteers with 5 features and
a 250-seat panel (the size of Seoul's randomly selected PB committee). sortition-algorithms (GPL-3.0,
benchmark-only oracle) runs in a subprocess with a time limit, because its maximin did not finish in
1,500 s on ``example_large_200`` in the research notes.

    python bench/sortition_leximin.py [--timeout 600] [--only large_200|synthetic_5000] [--no-oracle]

Our LEXIMIN prints its progress: the LP relaxation's levels, the decomposition into panels (see
``sharingcity.planning.sortition.relaxed``) and, only if that fails, the exact levels.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import print_table, require_shared  # noqa: E402

from sharingcity.planning.sortition import (  # noqa: E402
    PanelProblem,
    SelectionStats,
    find_leximin,
    find_maximin,
    read_pool_csv,
    read_quotas_csv,
)

# Volunteers over-represent older, more educated home owners; quotas follow the population.
FEATURES = {
    #            value: (volunteer share, population share)
    "gender": {"female": (0.55, 0.51), "male": (0.43, 0.47), "nonbinary": (0.02, 0.02)},
    "age": {
        "18-29": (0.12, 0.20),
        "30-44": (0.24, 0.26),
        "45-64": (0.38, 0.33),
        "65+": (0.26, 0.21),
    },
    "district": {
        "jongno": (0.10, 0.08),
        "mapo": (0.22, 0.18),
        "gangnam": (0.25, 0.20),
        "nowon": (0.15, 0.22),
        "gwanak": (0.16, 0.17),
        "eunpyeong": (0.12, 0.15),
    },
    "education": {"low": (0.15, 0.30), "mid": (0.40, 0.40), "high": (0.45, 0.30)},
    "housing": {"owner": (0.55, 0.43), "renter": (0.37, 0.45), "public": (0.08, 0.12)},
}


def write_synthetic_pool(
    folder: Path, *, volunteers: int = 5000, seats: int = 250, seed: int = 20260521
) -> tuple[Path, Path]:
    """Write ``people.csv`` and ``quotas.csv`` of a seeded synthetic pool (min = floor(share·k)−1, max = ceil(share·k)+1)."""
    rng = np.random.default_rng(seed)
    columns = {}
    for feature, values in FEATURES.items():
        names = list(values)
        shares = np.array([values[v][0] for v in names])
        columns[feature] = rng.choice(names, size=volunteers, p=shares / shares.sum())
    people = folder / "people.csv"
    with people.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *FEATURES])
        for i in range(volunteers):
            writer.writerow([f"v{i}", *(columns[f][i] for f in FEATURES)])
    quotas = folder / "quotas.csv"
    with quotas.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feature", "value", "min", "max"])
        for feature, values in FEATURES.items():
            for value, (_, share) in values.items():
                writer.writerow(
                    [
                        feature,
                        value,
                        max(0, int(np.floor(share * seats)) - 1),
                        int(np.ceil(share * seats)) + 1,
                    ]
                )
    return people, quotas


def oracle_maximin(features: str, people: str, seats: int, id_column: str) -> dict[str, float]:
    """sortition-algorithms' maximin with HiGHS (run in a child process)."""
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    started = time.perf_counter()
    with open(features, newline="") as handle:
        reader = csv.DictReader(handle)
        fc, _, _ = read_in_features(list(reader.fieldnames or []), list(reader), seats)
    with open(people, newline="") as handle:
        reader = csv.DictReader(handle)
        body = list(reader)
    settings = Settings(id_column=id_column, columns_to_keep=[])
    pool, _ = read_in_people(list(reader.fieldnames or []), body, fc, settings)
    panels, probabilities, _ = find_distribution_maximin(fc, pool, seats, [], "highspy")
    allocation = dict.fromkeys(pool, 0.0)
    for panel, probability in zip(panels, probabilities, strict=True):
        for member in panel:
            allocation[member] += probability
    return {
        "seconds": time.perf_counter() - started,
        "minimum": min(allocation.values()),
        "panels": len(panels),
    }


def run_oracle(
    features: Path, people: Path, seats: int, id_column: str, timeout: float
) -> dict[str, float] | None:
    command = [
        sys.executable,
        __file__,
        "--oracle",
        str(features),
        str(people),
        str(seats),
        id_column,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _levels(probabilities: np.ndarray, tolerance: float = 1e-6) -> list[float]:
    """Distinct probability levels, merging values closer than ``tolerance``."""
    out: list[float] = []
    for value in np.sort(probabilities):
        if not out or value > out[-1] + tolerance:
            out.append(float(value))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds allowed to sortition-algorithms per instance",
    )
    parser.add_argument("--only", choices=["large_200", "synthetic_5000"], help="run one instance")
    parser.add_argument(
        "--leximin-limit", type=float, default=600.0, help="time limit of our LEXIMIN (seconds)"
    )
    parser.add_argument("--no-oracle", action="store_true", help="skip sortition-algorithms")
    parser.add_argument("--oracle", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.oracle:
        features, people, seats, id_column = args.oracle
        print(json.dumps(oracle_maximin(features, people, int(seats), id_column)))
        return

    work = Path(tempfile.mkdtemp(prefix="sortition_bench_"))
    instances = []
    if args.only in (None, "large_200"):
        folder = require_shared("sortition") / "flanigan2021_replication" / "example_large_200"
        instances.append(("example_large_200 (n=2000, k=200)", folder / "categories.csv", folder / "respondents.csv", 200,
                          folder / "features_sortition_algorithms_format.csv", folder / "people_sortition_algorithms_format.csv", "1,161.8 s (paper, Gurobi)"))  # fmt: skip
    if args.only in (None, "synthetic_5000"):
        people, quotas = write_synthetic_pool(work)
        instances.append(
            (
                "synthetic 5,000 volunteers, 5 features (k=250)",
                quotas,
                people,
                250,
                quotas,
                people,
                "–",
            )
        )

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    rows = []
    for name, quota_file, pool_file, seats, oracle_features, oracle_people, paper in instances:
        quotas = read_quotas_csv(quota_file)
        problem = PanelProblem(read_pool_csv(pool_file, quotas), quotas, seats)
        lex_stats, max_stats = SelectionStats(), SelectionStats()
        started = time.perf_counter()
        leximin = find_leximin(
            problem,
            stats=lex_stats,
            time_limit=args.leximin_limit,
            progress=lambda message, started=started: print(
                f"  [{time.perf_counter() - started:6.1f} s] {message}", flush=True
            ),
        )
        find_maximin(problem, stats=max_stats)
        oracle = (
            None
            if args.no_oracle
            else run_oracle(oracle_features, oracle_people, seats, "id", args.timeout)
        )
        if args.no_oracle:
            oracle_time, oracle_min, agree = "not run", "–", "–"
        elif oracle is None:
            oracle_time, oracle_min, agree = f"> {args.timeout:.0f} s (stopped)", "–", "–"
        else:
            oracle_time, oracle_min = f"{oracle['seconds']:.1f} s", f"{oracle['minimum']:.6f}"
            agree = f"{abs(oracle['minimum'] - leximin.minimum_probability):.1e}"
        second = _levels(leximin.group_probabilities)
        rows.append([
            name, lex_stats.groups, f"{lex_stats.seconds:.1f} s", f"{leximin.minimum_probability:.6f}",
            f"{second[1]:.6f}" if len(second) > 1 else "–",
            f"{lex_stats.levels}" + ("" if lex_stats.complete else " (time limit)"), len(leximin.panels),
            f"{max_stats.seconds:.1f} s", oracle_time, oracle_min, agree, paper,
        ])  # fmt: skip
        print(" | ".join(str(c) for c in rows[-1]), f"| load {os.getloadavg()[0]:.1f}", flush=True)
    print_table(
        ["instance", "groups", "our LEXIMIN", "min prob.", "2nd level", "levels", "panels", "our maximin",
         "sortition-algorithms maximin (HiGHS)", "its min prob.", "|difference|", "paper LEXIMIN"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main()
