"""Many processes book one unit with overlapping ranges at once (PostgreSQL only).

Each process has its own database connection to the pytest-django test database. Half the
attempts go through the whole booking service; the other half go straight to the guarded
insert (``_occupy``) without the service's rules. On PostgreSQL neither path looks for overlaps
first: the exclusion constraint alone decides.
Afterwards no two active bookings overlap and every attempt either won or got
``booking_conflict``.

The workers are spawned, not forked: a fork copies whatever locks the parent's other threads
(pytest-xdist's) hold at that moment, and a worker that inherits one waits forever (seen once
in CI as a 600 s hang)."""

from __future__ import annotations

import multiprocessing as mp
import queue
import random
import time
from datetime import timedelta

import pytest
from django.db import connection

PROCESSES = 8
ATTEMPTS_PER_PROCESS = 1250  # 10,000 in total


def _worker(args):
    worker, database, resource_id, user_ids, base_iso, barrier, results = args
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharingcity.settings")
    django.setup()
    from datetime import datetime

    from django.db import connections

    # the parent's test database (its name is only known in the parent)
    connections["default"].settings_dict.update(database)

    from sharingcity.core.errors import Conflict
    from sharingcity.core.models import User
    from sharingcity.sharing.models import Booking, Resource
    from sharingcity.sharing.services import booking as bk

    try:
        resource = Resource.objects.get(pk=resource_id)
    except Exception:
        barrier.abort()  # never leave the others waiting
        raise
    users = list(User.objects.filter(pk__in=user_ids))
    base = datetime.fromisoformat(base_iso)
    rng = random.Random(worker)
    won = conflicts = other = 0
    barrier.wait()
    for k in range(ATTEMPTS_PER_PROCESS):
        # all processes walk the same slots at about the same pace, so they collide
        start = base + timedelta(minutes=30 * (k // 4) + 15 * rng.randint(0, 3))
        end = start + timedelta(minutes=60 + 15 * rng.randint(0, 4))
        user = users[rng.randrange(len(users))]
        try:
            if k % 2:
                bk.check_book(actor=user, resource=resource, start=start, end=end)
            else:
                bk._occupy(
                    resource,
                    booker=user,
                    kind=Booking.Kind.BOOKING,
                    state=Booking.State.APPROVED,
                    start=start,
                    end=end,
                )
            won += 1
        except Conflict as e:
            if e.code == "booking_conflict":
                conflicts += 1
            else:
                other += 1
        except Exception:  # noqa: BLE001 - counted and asserted to be zero
            other += 1
    connections.close_all()
    results.put((won, conflicts, other))


@pytest.mark.django_db(transaction=True)
def test_parallel_bookings_never_overlap():
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (set DATABASE_URL=postgres://...)")
    from django.utils import timezone

    from sharingcity.sharing.models import Booking
    from tests import factories as f

    from . import factories as sf

    resource = sf.room(
        requires_approval=False,
        verification_required="none",
        checkin_required=False,
        max_duration=24 * 60,
        max_advance_days=730,
        buffer_after=0,
    )
    users = [f.user() for _ in range(20)]
    base = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    database = {"NAME": connection.settings_dict["NAME"]}
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                (
                    i,
                    database,
                    resource.pk,
                    [u.pk for u in users],
                    base.isoformat(),
                    barrier,
                    results,
                ),
            ),
            daemon=True,
        )
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    try:
        # generous: on a loaded shared machine the 10,000 attempts take a while; but a worker
        # that died is reported at once
        outcomes = []
        deadline = time.monotonic() + 600
        while len(outcomes) < PROCESSES:
            try:
                outcomes.append(results.get(timeout=5))
            except queue.Empty:
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not dead, f"a booking worker died (exit codes {dead})"
                assert time.monotonic() < deadline, "the booking workers did not finish in 600 s"
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
    won = sum(o[0] for o in outcomes)
    conflicts = sum(o[1] for o in outcomes)
    other = sum(o[2] for o in outcomes)
    assert won + conflicts + other == PROCESSES * ATTEMPTS_PER_PROCESS >= 10_000
    assert other == 0, "every loser must get booking_conflict"
    active = Booking.objects.filter(resource=resource, state__in=Booking.ACTIVE)
    assert active.count() == won > 0
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM sharing_booking a JOIN sharing_booking b
               ON a.resource_id = b.resource_id AND a.id < b.id
              AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
              WHERE a.resource_id = %s
                AND a.state IN ('held', 'requested', 'approved', 'checked_out')
                AND b.state IN ('held', 'requested', 'approved', 'checked_out')""",
            [resource.pk],
        )
        assert cur.fetchone()[0] == 0
    assert conflicts > won  # the ranges really were contended
