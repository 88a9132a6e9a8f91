"""Command line: select a citizens' panel from pool and quota CSV files.

    python -m sharingcity.planning.sortition --people people.csv --features quotas.csv --size 20 \\
        [--algorithm leximin|maximin|legacy] [--seed "published lottery numbers"] [--households]

Prints the minimum selection probability (estimated from repeated draws for ``legacy``) and, with
``--seed``, the drawn panel and its audit. Exit status: 0 on success, 1 on bad input, 3 when the quotas
cannot be met (the explanation is printed).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .audit import audit_draw
from .errors import InfeasibleQuotasError, SortitionError
from .io import read_pool_csv, read_quotas_csv
from .legacy import draw_legacy, estimate_legacy_probabilities
from .leximin import SelectionStats, find_leximin, find_maximin
from .lottery import draw_panel
from .model import PanelProblem


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.sortition",
        description="Select a citizens' panel by stratified lottery (LEXIMIN, maximin or the legacy greedy draw).",
    )
    parser.add_argument(
        "--people",
        required=True,
        type=Path,
        help="pool CSV: one row per volunteer, one column per feature",
    )
    parser.add_argument(
        "--features",
        required=True,
        type=Path,
        help="quota CSV: feature,value,min,max (also category,name,min,max and category,feature,min,max)",
    )
    parser.add_argument("--size", required=True, type=int, help="number of seats on the panel")
    parser.add_argument("--algorithm", choices=["leximin", "maximin", "legacy"], default="leximin")
    parser.add_argument(
        "--seed", help="public seed for the draw (e.g. lottery numbers); prints the drawn panel"
    )
    parser.add_argument(
        "--households", action="store_true", help="at most one volunteer per household"
    )
    parser.add_argument(
        "--household-columns",
        help="comma-separated columns identifying a household (default with --households: 'household' or 'address')",
    )
    parser.add_argument(
        "--id-column",
        help="column with volunteer ids (default: 'id', else r0, r1, ... in file order)",
    )
    parser.add_argument(
        "--legacy-draws", type=int, default=1000, help="draws used to estimate legacy probabilities"
    )
    parser.add_argument(
        "--lottery-out",
        type=Path,
        help="write the lottery (JSON, to publish before the seed is known)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the audit report as JSON (with --seed)"
    )
    return parser


def _household_columns(args: argparse.Namespace) -> list[str]:
    if args.household_columns:
        return [c.strip() for c in args.household_columns.split(",") if c.strip()]
    if not args.households:
        return []
    with args.people.open(newline="", encoding="utf-8-sig") as handle:
        header = [h.strip() for h in next(csv.reader(handle), [])]
    for name in ("household", "address"):
        if name in header:
            return [name]
    raise SortitionError(
        "--households needs --household-columns (no column named 'household' or 'address')"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.size < 1:
            raise SortitionError(f"--size must be a positive number of seats, got {args.size}")
        if args.legacy_draws < 1:
            raise SortitionError("--legacy-draws must be at least 1")
        quotas = read_quotas_csv(args.features)
        columns = _household_columns(args)
        pool = read_pool_csv(
            args.people, quotas, id_column=args.id_column, household_columns=columns
        )
        problem = PanelProblem(
            pool, quotas, args.size, one_per_household=args.households or bool(columns)
        )
        print(
            f"pool: {len(pool)} volunteers; panel: {args.size} seats; algorithm: {args.algorithm}",
            file=out,
        )
        if args.algorithm == "legacy":
            estimate = estimate_legacy_probabilities(problem, draws=args.legacy_draws, seed=0)
            print(
                f"minimum selection probability: {min(estimate.values()):.6f} (estimated from {args.legacy_draws} legacy draws)",
                file=out,
            )
            if args.seed is not None:
                number = int.from_bytes(
                    hashlib.sha256(args.seed.encode("utf-8")).digest()[:8], "big"
                )
                panel = draw_legacy(problem, seed=number)
                print(
                    "drawn panel (legacy draw, seeded by SHA-256 of the seed): " + ", ".join(panel),
                    file=out,
                )
            return 0
        stats = SelectionStats()
        lottery = (find_leximin if args.algorithm == "leximin" else find_maximin)(
            problem, stats=stats
        )
        print(f"minimum selection probability: {lottery.minimum_probability:.6f}", file=out)
        print(
            f"lottery: {len(lottery.panels)} panels over {stats.groups} groups of interchangeable volunteers, "
            f"{stats.levels} level(s), {stats.seconds:.2f} s; digest {lottery.digest}",
            file=out,
        )
        if args.lottery_out:
            args.lottery_out.write_text(lottery.canonical_json() + "\n", encoding="utf-8")
            print(f"lottery written to {args.lottery_out}", file=out)
        if args.seed is not None:
            report = audit_draw(lottery, draw_panel(lottery, args.seed))
            print(
                json.dumps(report.to_dict(), indent=1, ensure_ascii=False)
                if args.json
                else report.to_text(),
                file=out,
            )
    except InfeasibleQuotasError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except (SortitionError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
