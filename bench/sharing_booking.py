"""Booking creation under N-way contention on PostgreSQL, beside a raw INSERT into the same
table (with the same exclusion constraint and indexes) in the same run.

    python bench/sharing_booking.py [--workers 64] [--per-worker 60] [--units 16]
        [--database-url postgres://postgres@127.0.0.1:5432/sc_bench_sharing]

Each worker is a process with its own connection. Workers share ``--units`` units, so the
exclusion constraint's GiST index is written concurrently; slots are disjoint so every attempt
should succeed (a conflict would show in the table). Phases:

* raw INSERT: one autocommitted ``INSERT INTO sharing_booking`` per booking;
* service: ``sharing.services.booking.check_book`` (one query for the opening rules and the
  person's suspensions, the rules checked, then the INSERT guarded by the exclusion
  constraint) for the same slots;
* contended: every worker tries the same overlapping slots; one wins each, the others get
  ``booking_conflict`` (attempts per second).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench._shared import print_table  # noqa: E402


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharingcity.settings")
    import django

    django.setup()


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


def _worker(args):
    phase, w, workers, per_worker, unit_ids, user_id, base_iso, barrier, out = args
    from datetime import datetime

    from django.db import connection, connections

    from sharingcity.core.errors import Conflict
    from sharingcity.core.models import User
    from sharingcity.sharing.models import Resource
    from sharingcity.sharing.services import booking as bk

    connections.close_all()
    units = list(Resource.objects.filter(pk__in=unit_ids).order_by("pk"))
    user = User.objects.get(pk=user_id)
    base = datetime.fromisoformat(base_iso)
    cur = connection.cursor()
    ok = conflicts = errors = 0
    barrier.wait()
    t0 = time.perf_counter()
    for k in range(per_worker):
        if phase == "contended":
            unit = units[k % len(units)]
            start = base + timedelta(hours=2 * k + (w % 2))
        else:
            slot = k * workers + w  # disjoint (unit, time) for every worker and attempt
            unit = units[slot % len(units)]
            start = base + timedelta(hours=2 * (slot // len(units)))
        end = start + timedelta(hours=1)
        if phase == "raw":
            cur.execute(
                'INSERT INTO sharing_booking (resource_id, booker_id, kind, state, start, "end",'
                " blocked_start, blocked_end, purpose, attendees, vehicle_plate, deny_reason,"
                " condition_out, condition_in, deposit_amount, deposit_state, overstay_minutes,"
                " created_at) VALUES (%s, %s, 'booking', 'approved', %s, %s, %s, %s, '', 1, '',"
                " '', '', '', 0, 'none', 0, now())",
                [unit.pk, user.pk, start, end, start, end],
            )
            ok += 1
            continue
        try:
            bk.check_book(actor=user, resource=unit, start=start, end=end)
            ok += 1
        except Conflict:
            conflicts += 1
        except Exception as e:  # noqa: BLE001 - reported in the table, never hidden
            errors += 1
            print(f"worker {w}: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
    out.put((ok, conflicts, errors, time.perf_counter() - t0))
    connections.close_all()


def run_phase(phase, workers, per_worker, unit_ids, user_id, base):
    from django.db import connections

    from sharingcity.sharing.models import Booking

    Booking.objects.all().delete()
    connections.close_all()
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(workers + 1), ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                (phase, w, workers, per_worker, unit_ids, user_id, base.isoformat(), barrier, out),
            ),
            daemon=True,
        )
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [out.get(timeout=900) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=60)
    ok = sum(r[0] for r in results)
    conflicts = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    return ok, conflicts, errors, wall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sc_bench_sharing")
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--per-worker", type=int, default=60)
    ap.add_argument("--units", type=int, default=16)
    args = ap.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        ap.error("this benchmark needs PostgreSQL")
    if args.workers < 1 or args.per_worker < 1 or args.units < 1:
        ap.error("workers, per-worker and units must be positive")
    _ensure_database(args.database_url)
    _setup(args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from sharingcity.core.models import Department, District, User
    from sharingcity.sharing.models import Resource

    call_command("migrate", verbosity=0)
    district, _ = District.objects.get_or_create(
        code="jongno",
        defaults={
            "name_ko": "종로구",
            "name_en": "Jongno-gu",
            "latitude": 37.57,
            "longitude": 126.98,
        },
    )
    dept, _ = Department.objects.get_or_create(
        code="bench", defaults={"name_ko": "벤치", "name_en": "Bench"}
    )
    user, _ = User.objects.get_or_create(username="bench-booker")
    Resource.objects.filter(owner_department=dept).delete()
    units = [
        Resource.objects.create(
            kind="room",
            title=f"bench room {i}",
            district=district,
            latitude=37.57,
            longitude=126.98,
            owner_department=dept,
            verification_required="none",
            max_advance_days=730,
            max_duration=24 * 60,
            min_duration=30,
            capacity=10,
        )
        for i in range(args.units)
    ]
    base = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    ids = [u.pk for u in units]
    rows = []
    rates = {}
    for phase in ("raw", "service", "contended"):
        ok, conflicts, errors, wall = run_phase(
            phase, args.workers, args.per_worker, ids, user.pk, base
        )
        attempts = args.workers * args.per_worker
        rates[phase] = attempts / wall
        rows.append(
            [
                phase,
                args.workers,
                attempts,
                ok,
                conflicts,
                errors,
                round(wall, 2),
                round(attempts / wall, 1),
            ]
        )
    for r in rows:
        r.append(f"{rates[r[0]] / rates['raw'] * 100:.0f}%")
    print_table(
        [
            "phase",
            "workers",
            "attempts",
            "booked",
            "booking_conflict",
            "other errors",
            "wall s",
            "attempts/s",
            "vs raw INSERT",
        ],
        rows,
    )
    Resource.objects.filter(owner_department=dept).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
