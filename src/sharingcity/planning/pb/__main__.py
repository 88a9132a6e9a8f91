"""Count a Pabulib ``.pb`` file from the command line.

Examples::

    python -m sharingcity.planning.pb FILE.pb --rule greedy
    python -m sharingcity.planning.pb FILE.pb --rule mes --completion add1
    python -m sharingcity.planning.pb FILE.pb --rule mes --completion add1 --endowment integral \\
        --continue-to-largest --explain
    python -m sharingcity.planning.pb FILE.pb --check-official

Prints the funded project ids (one line, space-separated, in funding order); ``--explain`` adds one
sentence per project; ``--json`` prints the outcome as JSON. Exit status: 0 on success (and, with
``--check-official``, when the recount equals the file's ``selected`` column), 1 when the recount
differs, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from fractions import Fraction

from . import (
    COMPLETIONS,
    TIE_BREAKS,
    UTILITIES,
    MESCompletion,
    PBError,
    election_from_pabulib,
    greedy_utilitarian,
    greedy_votes_per_cost,
    method_of_equal_shares,
    read_pabulib,
    sequential_phragmen,
)
from .official import check_official

RULES = ("greedy", "greedy-votes-per-cost", "mes", "phragmen")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.pb",
        description="Count a participatory-budgeting vote stored as a Pabulib .pb file.",
    )
    p.add_argument("file", help="the .pb file")
    p.add_argument("--rule", choices=RULES, default="mes", help="vote-counting rule (default mes)")
    p.add_argument(
        "--utility",
        choices=UTILITIES,
        help="how a ballot values a project (default: cost for approval, points for cumulative, "
        "borda for ordinal)",
    )
    p.add_argument(
        "--no-skip",
        action="store_true",
        help="greedy rules: stop at the first project that does not fit instead of skipping it",
    )
    p.add_argument(
        "--completion",
        choices=tuple(COMPLETIONS),
        default="none",
        help="MES completion preset (default none); the options below refine it",
    )
    p.add_argument(
        "--endowment",
        choices=("exact", "integral"),
        help="add-one start: budget/voters exactly, or rounded down to a whole unit",
    )
    p.add_argument("--increment", help="add-one step per voter, in currency units (default 1)")
    p.add_argument(
        "--continue-to-largest",
        action="store_true",
        help="add-one: take the largest feasible endowment, not the first exhaustive outcome",
    )
    p.add_argument(
        "--then-greedy", action="store_true", help="MES: spend what is left by the greedy rule"
    )
    p.add_argument(
        "--tie-break",
        default="lexicographic",
        help=f"one of {', '.join(TIE_BREAKS)}, or a comma-separated list of all project ids "
        "in priority order (default lexicographic: smaller id as a string wins)",
    )
    p.add_argument("--explain", action="store_true", help="say why each project was (not) funded")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument(
        "--check-official",
        action="store_true",
        help="recount with the rule named in META and compare with the 'selected' column",
    )
    return p


def _completion(args: argparse.Namespace) -> MESCompletion:
    base = COMPLETIONS[args.completion]
    refinements = (
        args.endowment is not None,
        args.increment is not None,
        args.continue_to_largest,
    )
    if any(refinements) and not base.add_one:
        raise PBError(
            "--endowment, --increment and --continue-to-largest need an add-one completion "
            "(--completion add1)"
        )
    try:
        increment = Fraction(args.increment) if args.increment is not None else base.increment
    except (ValueError, ZeroDivisionError):
        raise PBError(f"--increment {args.increment!r} is not a number") from None
    return MESCompletion(
        add_one=base.add_one,
        endowment=args.endowment or base.endowment,
        increment=increment,
        stop="largest_feasible" if args.continue_to_largest else base.stop,
        then_greedy=args.then_greedy or base.then_greedy,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        pf = read_pabulib(args.file)
        election = election_from_pabulib(pf)
        if args.check_official:
            check = check_official(pf, election)
            print(f"rule in file: {check.meta_rule} -> {check.description}")
            print("official: " + " ".join(sorted(check.official)))
            print("recount:  " + " ".join(check.outcome.selected))
            if check.matches:
                print("MATCH: the recount equals the official result")
                return 0
            print(
                "DIFFERENT: only official: "
                + (" ".join(check.only_official) or "-")
                + "; only recount: "
                + (" ".join(check.only_recounted) or "-")
            )
            return 1
        tie = args.tie_break
        tie_break: str | list[str] = tie if tie in TIE_BREAKS else tie.split(",")
        if args.rule == "mes":
            outcome = method_of_equal_shares(
                election, utility=args.utility, completion=_completion(args), tie_break=tie_break
            )
        else:
            if (
                args.completion != "none"
                or args.endowment
                or args.increment
                or args.continue_to_largest
                or args.then_greedy
            ):
                raise PBError("completion options only apply to --rule mes")
            if args.rule == "greedy":
                outcome = greedy_utilitarian(
                    election, utility=args.utility, skip=not args.no_skip, tie_break=tie_break
                )
            elif args.rule == "greedy-votes-per-cost":
                outcome = greedy_votes_per_cost(
                    election, skip=not args.no_skip, tie_break=tie_break
                )
            else:
                outcome = sequential_phragmen(election, tie_break=tie_break)
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: no such file", file=sys.stderr)
        return 2
    except PBError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=1))
        return 0
    print(" ".join(outcome.selected))
    if args.explain:
        currency = election.meta.get("currency", "")
        print(
            f"# {len(outcome.selected)} projects funded, cost {float(outcome.total_cost):,.0f} "
            f"of {float(outcome.budget):,.0f} {currency}".rstrip()
        )
        if outcome.endowment is not None:
            print(
                f"# each voter's share: {float(outcome.endowment):,.2f} {currency} "
                f"({outcome.mes_runs} MES runs)"
            )
        for line in outcome.explain(currency):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
