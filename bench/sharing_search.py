"""Availability search ("free between these times") at scale on PostgreSQL.

    python bench/sharing_search.py [--resources 100000] [--bookings 5000000] [--queries 60]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_sharing_search]

Generates (once, reused while the sizes match) resources spread over Seoul's 25 districts and
bookings spread over a year (non-overlapping per unit, 90 % active), then times the search
selector the API uses (``sharing.selectors.search``) for random 3-hour windows:

* anchor: the same filters WITHOUT the free-between anti-join, first page of 50;
* free: the anti-join, first page of 50 (what the list shows);
* free + kind + district: a narrower search;
* free + map counts: the per-district counts for the SVG map (matches minus busy units);
* whole API answer: ``GET /api/sharing/resources`` with a free window (page of 50 and map
  counts, serialised), through Django's test client.

Prints p50/p95 per query kind and the plan of one free search (which index it used).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench._shared import print_table  # noqa: E402
from bench.sharing_booking import _ensure_database, _setup  # noqa: E402

KINDS = ["room", "item", "parking", "vehicle", "clothing"]


def generate(n_resources: int, n_bookings: int, base) -> dict[str, float]:
    from django.db import connection

    from sharingcity.core.models import Department, District, User
    from sharingcity.planning.seoul import DISTRICTS

    for d in DISTRICTS:
        District.objects.update_or_create(
            code=d.code,
            defaults={
                "name_ko": d.name_ko,
                "name_en": d.name_en,
                "population": d.population,
                "latitude": d.latitude,
                "longitude": d.longitude,
            },
        )
    dept, _ = Department.objects.get_or_create(
        code="bench", defaults={"name_ko": "벤치", "name_en": "Bench"}
    )
    user, _ = User.objects.get_or_create(username="bench-booker")
    per = max(n_bookings // n_resources, 1)
    slot_hours = max(365 * 24 // per, 6)
    times = {}
    with connection.cursor() as c:
        t = time.perf_counter()
        c.execute("TRUNCATE sharing_booking, sharing_resource CASCADE")
        c.execute(
            "ALTER TABLE sharing_booking DROP CONSTRAINT IF EXISTS sharing_booking_no_overlap"
        )
        c.execute("DROP INDEX IF EXISTS sharing_booking_active_span")
        c.execute(
            """
            INSERT INTO sharing_resource (kind, category, title, description, size, district_id,
                address, latitude, longitude, accessible, capacity, status, requires_approval,
                verification_required, window_rule, booking_unit, buffer_before, buffer_after,
                lead_time, max_advance_days, min_duration, max_duration, checkin_required,
                checkin_grace, deposit, price_per_hour, price_per_day, external_id,
                external_url, ics_token, created_at, owner_department_id)
            SELECT (ARRAY['room','item','parking','vehicle','clothing'])[1 + g %% 5], 'bench',
                   'resource ' || g, '', '', d.id, '', d.latitude + ((g * 7919) %% 1000 - 500) / 20000.0,
                   d.longitude + ((g * 104729) %% 1000 - 500) / 20000.0, g %% 3 = 0, 10, 'active',
                   false, 'none', 'whole', 'minutes', 0, 0, 0, 365, 30, 1440, false, 15, 0, 0, 0,
                   '', '', 'bench-' || g, now(), %s
            FROM generate_series(1::bigint, %s) g
            JOIN (SELECT id, latitude, longitude, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM core_district) d ON d.k = g %% 25
            """,
            [dept.pk, n_resources],
        )
        times["resources s"] = time.perf_counter() - t
        t = time.perf_counter()
        c.execute(
            """
            INSERT INTO sharing_booking (resource_id, booker_id, kind, state, start, "end",
                blocked_start, blocked_end, purpose, attendees, vehicle_plate, deny_reason,
                condition_out, condition_in, deposit_amount, deposit_state, overstay_minutes,
                created_at)
            SELECT r.id, %s, 'booking',
                   CASE WHEN (r.id + i) %% 10 = 0 THEN 'cancelled' ELSE 'approved' END,
                   s, s + h, s, s + h, '', 1, '', '', '', '', 0, 'none', 0, now()
            FROM sharing_resource r CROSS JOIN generate_series(0, %s - 1) i,
                 LATERAL (SELECT %s::timestamptz + make_interval(hours => (i * %s + ((r.id * 31 + i * 17) %% (%s - 5)))::int) AS s,
                                 make_interval(hours => (1 + (r.id + i) %% 4)::int) AS h) x
            """,
            [user.pk, per, base, slot_hours, slot_hours],
        )
        times["bookings s"] = time.perf_counter() - t
        t = time.perf_counter()
        # the same SQL as the migrations, so the benchmark measures the shipped indexes
        c.execute(import_module("sharingcity.sharing.migrations.0002_postgres_exclusion").EXCLUSION)
        c.execute(
            import_module("sharingcity.sharing.migrations.0003_span_index_for_busy_sets").SPAN_INDEX
        )
        times["indexes s"] = time.perf_counter() - t
        c.execute("ANALYZE sharing_resource")
        c.execute("ANALYZE sharing_booking")
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/sc_bench_sharing_search"
    )
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--bookings", type=int, default=5_000_000)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--regenerate", action="store_true")
    args = ap.parse_args(argv)
    if args.resources < 25 or args.bookings < 1 or args.queries < 1:
        ap.error("give at least 25 resources, 1 booking and 1 query")
    _ensure_database(args.database_url)
    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from sharingcity.sharing import selectors
    from sharingcity.sharing.models import Booking, Resource

    call_command("migrate", verbosity=0)
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    have_r = Resource.objects.count()
    have_b = Booking.objects.count() if have_r else 0
    per = max(args.bookings // args.resources, 1)
    if args.regenerate or have_r != args.resources or have_b != per * args.resources:
        times = generate(args.resources, args.bookings, base)
        print("generated:", {k: round(v, 1) for k, v in times.items()})
    else:
        base = Booking.objects.order_by("start").values_list("start", flat=True).first()
    n_res, n_book = Resource.objects.count(), Booking.objects.count()
    rng = random.Random(args.seed)
    districts = list(Resource.objects.values_list("district__code", flat=True).distinct())

    def window():
        day = base + timedelta(days=rng.randint(1, 360))
        start = day.replace(hour=rng.randint(9, 18))
        return start, start + timedelta(hours=3)

    kinds = {
        "anchor (filters only)": lambda a, b: list(
            selectors.search(selectors.Search(kind="room"))[:50]
        ),
        "free between, page of 50": lambda a, b: list(
            selectors.search(selectors.Search(free_from=a, free_to=b))[:50]
        ),
        "free + kind + district": lambda a, b: list(
            selectors.search(
                selectors.Search(
                    kind=rng.choice(KINDS), district=rng.choice(districts), free_from=a, free_to=b
                )
            )[:50]
        ),
        "free + map counts": lambda a, b: selectors.counts_by_district(
            selectors.Search(kind="room", free_from=a, free_to=b)
        ),
        "whole API answer (page + map)": lambda a, b: client.get(
            "/api/sharing/resources",
            {"free_from": a.isoformat(), "free_to": b.isoformat(), "limit": 50},
        ),
    }
    from django.test import Client

    client = Client()
    rows = []
    for name, fn in kinds.items():
        fn(*window())  # warm
        ms = []
        for _ in range(args.queries):
            a, b = window()
            t = time.perf_counter()
            fn(a, b)
            ms.append((time.perf_counter() - t) * 1000)
        ms.sort()
        rows.append(
            [
                name,
                n_res,
                n_book,
                args.queries,
                round(statistics.median(ms), 1),
                round(ms[int(0.95 * (len(ms) - 1))], 1),
                round(ms[-1], 1),
            ]
        )
    print_table(["query", "resources", "bookings", "runs", "p50 ms", "p95 ms", "max ms"], rows)
    a, b = window()
    qs = selectors.search(selectors.Search(free_from=a, free_to=b))[:50]
    with connection.cursor() as c:
        sql, params = qs.query.sql_with_params()
        c.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        print("\nplan of one free-between search:")
        for (line,) in c.fetchall():
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
