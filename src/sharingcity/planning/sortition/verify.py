"""Re-run a published panel draw: ``python -m sharingcity.planning.sortition.verify LOTTERY.json SEED``.

``LOTTERY.json`` is the lottery a city published before the seed was known (its own JSON, or the
platform's ``/api/budgeting/panels/<id>/lottery`` answer, which wraps it). Prints the lottery's
SHA-256 digest and the drawn panel; with ``--panel`` it checks a published panel and exits 1 when
the draw gives another one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import SortitionError
from .lottery import PanelLottery, draw_panel


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sharingcity.planning.sortition.verify", description=__doc__
    )
    parser.add_argument("lottery", type=Path, help="the published lottery JSON")
    parser.add_argument("seed", help="the seed, exactly as published")
    parser.add_argument("--panel", help="comma-separated ids of the published panel, to check")
    args = parser.parse_args(argv)
    try:
        data = json.loads(args.lottery.read_text(encoding="utf-8"))
        lottery = PanelLottery.from_dict(
            data.get("lottery", data) if isinstance(data, dict) else data
        )
        draw = draw_panel(lottery, args.seed)
    except (OSError, json.JSONDecodeError, SortitionError, AttributeError) as error:
        print(f"error: {args.lottery}: {error}", file=sys.stderr)
        return 2
    print(f"lottery digest: {lottery.digest}")
    print(f"ticket {draw.ticket} of {draw.total_tickets}: panel {draw.panel_index}")
    print("panel: " + ", ".join(draw.panel))
    if args.panel is not None:
        claimed = tuple(sorted(p.strip() for p in args.panel.split(",") if p.strip()))
        if claimed != draw.panel:
            print("the published panel differs from the draw", file=sys.stderr)
            return 1
        print("the published panel matches the draw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
