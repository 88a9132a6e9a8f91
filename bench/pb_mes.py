"""Method of Equal Shares with add-one completion: ours beside pabutools in the same run.

Usage::

    python bench/pb_mes.py                 # Budapest 2024 (increment 1,000 HUF) and Ursynów 2019
    python bench/pb_mes.py --only Hungary_Budapest_2024
    python bench/pb_mes.py --all-oracle    # every rule and variant on every shared file vs pabutools

Both sides get the same deduplicated ballots (pabutools: ``profile.as_multiprofile()``, its faster
input) and are timed on the rule call alone; file reading is timed separately. pabutools uses exact
fractions (its default). The add-one variant is pabutools' built-in one
(``method_of_equal_shares(..., voter_budget_increment=inc)``: exact start, stop at the first
exhaustive outcome) and ours with ``MESCompletion(add_one=True, increment=inc)``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table, require_shared  # noqa: E402

from sharingcity.planning import pb  # noqa: E402

CASES = (("Hungary_Budapest_2024", 1000), ("Poland_Warszawa_2019_Ursynow", 1))


def _timed(fn, repeat: int = 1):  # noqa: ANN001, ANN202
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def bench_mes(names: list[str], repeat: int) -> None:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    folder = require_shared("pabulib")
    rows = []
    for name, inc in CASES:
        if names and name not in names:
            continue
        path = folder / f"{name}.pb"
        t_read_ours, election = _timed(lambda p=path: pb.load_election(p))
        t_read_ref, (instance, profile) = _timed(lambda p=path: parse_pabulib(str(p)))
        multi = profile.as_multiprofile()
        completion = pb.MESCompletion(add_one=True, increment=inc)
        t_ours, ours = _timed(
            lambda e=election, c=completion: pb.method_of_equal_shares(e, completion=c), repeat
        )
        print(
            f"{name}: ours {t_ours:.2f} s ({ours.mes_runs} MES runs); pabutools running ...",
            flush=True,
        )
        t_ref, ref = _timed(
            lambda i=instance, m=multi, k=inc: method_of_equal_shares(
                i, m, sat_class=Cost_Sat, voter_budget_increment=k
            )
        )
        same = set(ours.selected) == {p.name for p in ref}
        rows.append(
            (
                name,
                election.n_voters,
                election.n_groups,
                election.n_projects,
                inc,
                ours.mes_runs,
                round(t_read_ours, 2),
                round(t_read_ref, 2),
                round(t_ours, 2),
                round(t_ref, 1),
                f"{t_ref / t_ours:.0f}x",
                "yes" if same else "NO",
                len(ours.selected),
            )
        )
    print_table(
        (
            "instance",
            "voters",
            "distinct ballots",
            "projects",
            "increment",
            "MES runs",
            "read ours s",
            "read pabutools s",
            "MES add1 ours s",
            "MES add1 pabutools s",
            "speed-up",
            "identical",
            "funded",
        ),
        rows,
    )


def bench_all_oracle(again: bool, only: list[str], rules: list[str], record_to: str | None) -> None:
    """Every rule and completion on every shared file, ours vs pabutools (slow: pabutools).

    pabutools' outcomes are written to ``tests/planning/pb/pabutools_outcomes.json`` after each
    case (cases already there are not run again unless ``again``), which the tests read.
    """
    import datetime as dt
    import importlib.metadata
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.planning.pb import _oracle
    from tests.planning.pb.test_rules_oracle import (
        ALL_CASES,
        INCREMENT,
        RECORD,
        case_key,
        ours,
        recorded,
    )

    folder = require_shared("pabulib")
    path = Path(record_to) if record_to else RECORD
    record = {} if again else recorded()
    if path != RECORD and path.exists():
        record |= json.loads(path.read_text(encoding="utf-8"))["cases"]
    version = importlib.metadata.version("pabutools")
    loaded: dict = {}
    rows = []
    for name, rule, utility in ALL_CASES:
        if (only and name not in only) or (rules and rule not in rules):
            continue
        key = case_key(name, rule, utility)
        inc = INCREMENT.get(name, 1)
        if name not in loaded:
            loaded[name] = (
                pb.load_election(folder / f"{name}.pb"),
                *_oracle.load(folder / f"{name}.pb"),
            )
        election, instance, profile = loaded[name]
        t_ours, got = _timed(lambda r=rule, e=election, u=utility, k=inc: ours(r, e, u, k))
        if key in record:
            t_ref, ref = record[key]["pabutools_seconds"], frozenset(record[key]["selected"])
        else:
            print(f"{key}: pabutools running ...", flush=True)
            t_ref, ref = _timed(
                lambda r=rule, i=instance, p=profile, u=utility, k=inc: _oracle.outcome(
                    r, i, p, u, k
                )
            )
            record[key] = {
                "selected": sorted(ref),
                "pabutools_seconds": round(t_ref, 2),
                "recorded": dt.date.today().isoformat(),
            }
            payload = {"pabutools": version, "cases": dict(sorted(record.items()))}
            path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", "utf-8")
        same = set(got.selected) == set(ref)
        rows.append(
            (name, rule, utility, inc, round(t_ours, 3), round(t_ref, 2), "yes" if same else "NO")
        )
        print(*rows[-1], flush=True)
    print_table(
        ("instance", "rule", "utility", "increment", "ours s", "pabutools s", "identical"), rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="instance name (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for ours")
    parser.add_argument(
        "--all-oracle", action="store_true", help="compare every rule on every file"
    )
    parser.add_argument(
        "--again", action="store_true", help="with --all-oracle: re-run the recorded cases too"
    )
    parser.add_argument(
        "--rule", action="append", default=[], help="with --all-oracle: only this rule (repeatable)"
    )
    parser.add_argument(
        "--record-to", help="with --all-oracle: write the outcomes here instead of the tests' file"
    )
    args = parser.parse_args()
    if args.all_oracle:
        bench_all_oracle(args.again, args.only, args.rule, args.record_to)
    else:
        bench_mes(args.only, args.repeat)


if __name__ == "__main__":
    main()
