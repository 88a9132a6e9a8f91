"""Open-data export memory: a multi-million-row export streams with flat peak memory.

Each (rows, format) run is a fresh subprocess so its peak RSS (``ru_maxrss``) is its own. Rows
come from a synthetic row function shaped exactly like the ``proposals`` export (same fields and
types, Korean titles) fed to the real writers in ``sharingcity.insights.exports``; the anchor in
the same run is the naive way: build the whole document in memory, then write it.

    python bench/insights_export.py                      # 0.5M and 5M rows; csv, jsonl, parquet
    python bench/insights_export.py --rows 100000,1000000 --formats csv,json,jsonl,parquet
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._shared import print_table  # noqa: E402

CHANNELS = ["online", "letter", "visit", "phone", "voice_message"]
DISTRICTS = ["jongno", "jung", "yongsan", "seongdong", "gwangjin", "mapo", "gangnam", "songpa"]
STATUSES = ["received", "routed", "answered", "in_progress", "completed", "withdrawn"]


def synthetic_rows(n: int):
    """Proposals-shaped rows, generated lazily (nothing is held)."""
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(n):
        received = t0 + timedelta(minutes=i)
        yield {
            "id": i + 1,
            "received_at": received,
            "channel": CHANNELS[i % 5],
            "category": "transport",
            "district": DISTRICTS[i % 8],
            "title": f"심야버스 노선 연장 제안 {i}",
            "status": STATUSES[i % 6],
            "outcome": "reflected" if i % 3 == 0 else "",
            "lead_department": "transport",
            "supports": i % 97,
            "reply_due": received + timedelta(days=14),
            "answered_at": received + timedelta(days=i % 20) if i % 2 else None,
            "progress": i % 101,
        }


def child(rows: int, fmt: str, mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharingcity.settings")
    import django

    django.setup()
    from sharingcity.insights import exports

    export = exports.exports()["proposals"]
    start = time.perf_counter()
    size = 0
    with open(os.devnull, "wb") as sink:
        if mode == "stream":
            for chunk in exports.stream(export, fmt, rows=synthetic_rows(rows)):
                size += len(chunk)
                sink.write(chunk)
        else:  # the anchor: every row in a list, one document, then written
            data = b"".join(exports.stream(export, fmt, rows=list(synthetic_rows(rows))))
            size = len(data)
            sink.write(data)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": rows,
                "format": fmt,
                "mode": mode,
                "seconds": seconds,
                "peak_mb": peak_mb,
                "bytes": size,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", default="500000,5000000", help="comma-separated row counts")
    ap.add_argument("--formats", default="csv,jsonl,parquet")
    ap.add_argument(
        "--anchor-rows", type=int, default=500000, help="rows for the materialised anchor (0: skip)"
    )
    ap.add_argument("--child", nargs=3, metavar=("ROWS", "FORMAT", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1], args.child[2])
        return
    try:
        counts = [int(x) for x in args.rows.split(",")]
    except ValueError:
        ap.error(f"--rows must be whole numbers separated by commas, not {args.rows!r}")
    formats = args.formats.split(",")
    if bad := set(formats) - {"csv", "json", "jsonl", "parquet"}:
        ap.error(f"unknown formats: {sorted(bad)}")
    runs = [(n, f, "stream") for f in formats for n in counts]
    if args.anchor_rows:
        runs += [(args.anchor_rows, f, "materialised") for f in formats]
    table = []
    for n, f, mode in runs:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), f, mode],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        table.append(
            [
                f,
                mode,
                f"{n:,}",
                f"{r['peak_mb']:.0f}",
                f"{r['seconds']:.1f}",
                f"{n / r['seconds']:,.0f}",
                f"{r['bytes'] / 1e6:,.0f}",
            ]
        )
        print(" ".join(table[-1]), file=sys.stderr, flush=True)
    print_table(
        ["format", "mode", "rows", "peak RSS (MB)", "seconds", "rows/s", "output (MB)"], table
    )


if __name__ == "__main__":
    main()
