"""Citizen voice at city scale: the public proposal list (page and API) p50/p95, and support
writes per second beside a raw single-row INSERT rate into the same table, in the same run.

Run against a database holding the demo city at the wanted scale, e.g. on PostgreSQL at 100x:

    createdb -h 127.0.0.1 -U postgres sc_bench100
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench100
    python -m sharingcity migrate && python -m sharingcity demo_city --scale 100
    python bench/voice_list_and_supports.py --requests 200 --supports 2000

Targets (issue "Platform core and Citizen Voice"): list p95 under 100 ms; support writes at
least 40% of the raw INSERT rate."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharingcity.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._shared import print_table  # noqa: E402
from sharingcity.core.models import District, ResidentProfile, User  # noqa: E402
from sharingcity.voice import services  # noqa: E402
from sharingcity.voice.models import Category, Proposal, Support  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def time_requests(client: Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return out


def list_urls(rng: random.Random, n: int, *, api: bool) -> list[str]:
    districts = list(District.objects.values_list("code", flat=True))
    categories = list(Category.objects.values_list("code", flat=True))
    words = ["버스", "공원", "주차", "안전", "도서관", "bus", "park"]
    base = "/api/voice/proposals?" if api else "/en/voice/?"
    filters = [
        lambda: "",
        lambda: "status=answered",
        lambda: f"district={rng.choice(districts)}",
        lambda: f"category={rng.choice(categories)}",
        lambda: f"q={rng.choice(words)}",
        lambda: f"district={rng.choice(districts)}&status=routed",
        lambda: "sort=supports",
    ]
    return [base + rng.choice(filters)() for _ in range(n)]


def bench_supports(n: int, rng: random.Random) -> tuple[float, float]:
    """Supports through the service (permission check, counter update, insert, rung check) and raw
    single-row INSERTs into the same table, both one transaction per row (autocommit)."""
    proposals = list(Proposal.objects.filter(status__in=["received", "routed"]).values_list("pk", flat=True)[:5000])
    residents = list(User.objects.filter(resident__verification=ResidentProfile.Verification.VERIFIED)
                     .select_related("resident").order_by("?")[: 2 * n])
    pairs = set(Support.objects.filter(proposal_id__in=proposals).values_list("proposal_id", "user_id"))
    todo, raw = [], []
    while len(todo) + len(raw) < 2 * n:
        pair = (rng.choice(proposals), rng.choice(residents))
        if (pair[0], pair[1].pk) in pairs:
            continue
        pairs.add((pair[0], pair[1].pk))
        (todo if len(todo) < n else raw).append(pair)
    start = time.perf_counter()
    for proposal_id, user in todo:
        services.do_support(user=user, proposal_id=proposal_id)
    service_rate = n / (time.perf_counter() - start)
    table = Support._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        start = time.perf_counter()
        for proposal_id, user in raw:
            cursor.execute(f"INSERT INTO {table} (proposal_id, user_id, created_at) VALUES (%s, %s, %s)", [proposal_id, user.pk, now])
        raw_rate = n / (time.perf_counter() - start)
    # leave the table as found
    Support.objects.filter(proposal_id__in=[p for p, _ in raw], user_id__in=[u.pk for _, u in raw], created_at=now).delete()
    return service_rate, raw_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--supports", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n_proposals = Proposal.objects.count()
    if not n_proposals:
        sys.exit("no proposals: load the demo city first (python -m sharingcity demo_city --scale N)")
    client = Client()
    time_requests(client, list_urls(rng, 20, api=False) + list_urls(rng, 20, api=True))  # warm caches
    rows = []
    for name, api in (("proposal list page (HTML)", False), ("proposal list (API)", True)):
        times = time_requests(client, list_urls(rng, args.requests, api=api))
        rows.append([name, len(times), percentile(times, 0.5), percentile(times, 0.95), "100", "yes" if percentile(times, 0.95) < 100 else "no"])
    print(f"database: {connection.vendor}, proposals: {n_proposals:,}, supports: {Support.objects.count():,}\n")
    print_table(["what", "requests", "p50 ms", "p95 ms", "target p95 ms", "met"], rows)
    service_rate, raw_rate = bench_supports(args.supports, rng)
    print()
    print_table(["writes", "per second", "ratio to raw", "target", "met"], [
        ["raw INSERT into voice_support (autocommit)", raw_rate, 1.0, "", ""],
        ["services.do_support", service_rate, service_rate / raw_rate, ">= 0.40", "yes" if service_rate / raw_rate >= 0.4 else "no"],
    ])


if __name__ == "__main__":
    main()
