"""Dashboard render time: p50/p95 of the public and bureau dashboards, in-process (Django's
test client), on whatever data the configured database holds (DATABASE_URL).

Beside each page, in the same run: the bare metric computations (the queries alone, no
template or chart), the page with the panel cache off (every render cold), and the page as
shipped: the cache on and warmed the way the periodic task ``warm_dashboards`` keeps it.

    python -m sharingcity demo_city --scale 100          # once, on PostgreSQL for the target
    python bench/insights_dashboard.py --repeat 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._shared import print_table  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=20, help="renders per case (default 20)")
    ap.add_argument("--district", default="", help="also time a district filter (a district code)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharingcity.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.utils import translation

    from sharingcity.core.models import Role, RoleAssignment
    from sharingcity.insights import dashboard
    from sharingcity.voice.models import Proposal

    setup_test_environment()
    admin = RoleAssignment.objects.filter(role=Role.BUREAU_ADMIN).select_related("user").first()
    query = {"district": args.district} if args.district else {}
    rows = []

    def timed(fn) -> list[float]:
        out = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
        return out

    def page(url: str, user=None, cached: bool = False):
        c = Client()
        if user is not None:
            c.force_login(user)

        def get():
            r = c.get(url, query)
            assert r.status_code == 200, (url, r.status_code)

        with override_settings(SHARINGCITY_DASHBOARD_CACHE_SECONDS=300 if cached else 0):
            cache.clear()
            if cached:
                dashboard.warm()  # what the periodic task does every two minutes
            return timed(get)

    def bare(public: bool):
        def run():
            with translation.override("en"):
                s, e = dashboard.window(None, None)
                for m in dashboard.metrics(public=public):
                    m.compute(s, e, args.district or None)

        return timed(run)

    cases = [
        ("metrics only (anchor)", "public", bare(True)),
        ("public page, cache off", "public", page("/en/insights/")),
        ("public page, as shipped (warmed cache)", "public", page("/en/insights/", cached=True)),
    ]
    if admin is not None:
        cases += [
            ("metrics only (anchor)", "bureau", bare(False)),
            ("bureau page, cache off", "bureau", page("/en/insights/bureau/", admin.user)),
            (
                "bureau page, as shipped (warmed cache)",
                "bureau",
                page("/en/insights/bureau/", admin.user, cached=True),
            ),
        ]
    for name, which, ms in cases:
        rows.append(
            [
                name,
                which,
                args.repeat,
                f"{statistics.median(ms):.0f}",
                f"{pct(ms, 95):.0f}",
                "yes" if pct(ms, 95) < 300 else "no",
            ]
        )
    print(
        f"database: {connection.vendor}; proposals: {Proposal.objects.count():,}; district filter: {args.district or '-'}"
    )
    print_table(["case", "page", "renders", "p50 (ms)", "p95 (ms)", "p95 < 300 ms"], rows)


if __name__ == "__main__":
    main()
