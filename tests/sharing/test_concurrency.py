"""Many processes book one unit with overlapping ranges at once (PostgreSQL only).

Each process has its own database connection to the pytest-django test database. Half the
attempts go through the whole booking service; the other half go straight to the guarded
insert (``_occupy``) without the service's rules. On PostgreSQL neither path looks for overlaps
first: the exclusion constraint alone decides.
Afterwards no two active bookings overlap and every attempt either won or got
``booking_conflict``."""

from __future__ import annotations

import multiprocessing as mp
import random
from datetime import timedelta

import pytest
from django.db import connection, connections

PROCESSES = 8
ATTEMPTS_PER_PROCESS = 1250  # 10,000 in total


def _worker(args):
    worker, resource_id, user_ids, base_iso, barrier, results = args
    from datetime import datetime

    from sharingcity.core.errors import Conflict
    from sharingcity.core.models import User
    from sharingcity.sharing.models import Booking, Resource
    from sharingcity.sharing.services import booking as bk

    connections.close_all()  # never reuse the parent's socket
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
    connections.close_all()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=((i, resource.pk, [u.pk for u in users], base.isoformat(), barrier, results),),
            daemon=True,
        )
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    try:
        # generous: on a loaded shared machine the 10,000 attempts take a while
        outcomes = [results.get(timeout=600) for _ in procs]
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
