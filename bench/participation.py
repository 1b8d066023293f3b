"""Participation benchmark: the proposal list with 10 000 proposals, budget results with 100 000 ballots.

Targets (issue 6): server time p99 <= 100 ms and a bounded number of queries per page. Requests go
through the whole Django stack in-process (test client: middleware, URL routing, ninja, JSON), so
the time is server time without the network.

    .venv/bin/python bench/participation.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_bench

The database is migrated and the bench city is rebuilt at each run (nothing else is touched).
"""

import argparse
import os
import statistics
import time

from common import setup_django

PROPOSALS = 10_000
BALLOTS = 100_000
PROJECTS = 40


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--ballots", type=int, default=BALLOTS)
    parser.add_argument("--reuse", action="store_true", help="keep the bench city of the last run")
    args = parser.parse_args()
    os.environ.setdefault("API_READ_RATE", "1000000/min")
    setup_django(args.database_url)

    import random

    from django.utils import timezone

    from citypocket.participation.models import Budget

    rng = random.Random(6)
    now = timezone.now()
    if args.reuse and Budget.objects.filter(city__slug="bench-city").exists():
        budget = Budget.objects.get(city__slug="bench-city")
    else:
        budget = build(args, rng, now)
    measure_requests(args, budget)


def build(args, rng, now):
    """The bench city: 10 000 proposals, 50 000 supports, 40 projects, `args.ballots` ballots, counted."""
    from datetime import timedelta

    from django.db import connection, transaction

    from citypocket.accounts.models import User
    from citypocket.cities.models import City
    from citypocket.participation.models import (
        Ballot,
        BallotItem,
        Budget,
        Phase,
        Process,
        Project,
        Proposal,
        Support,
    )
    from citypocket.participation.services.budgets import publish_results

    print(f"database: {connection.vendor}; building {PROPOSALS} proposals, {args.ballots} ballots …", flush=True)
    with transaction.atomic():
        City.objects.filter(slug="bench-city").delete()
        User.objects.filter(email__endswith="@bench.invalid").delete()
        city = City.objects.create(slug="bench-city", name="Bench", official_name="Bench", insee_codes=["99999"],
                                   centre_lat=45, centre_lon=4, bbox_south=44.9, bbox_west=3.9, bbox_north=45.1,
                                   bbox_east=4.1, languages=["fr"])
        process = Process.objects.create(city=city, slug="bench", title="Bench", is_published=True)
        Phase.objects.create(process=process, kind="proposals", starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=30))
        Phase.objects.create(process=process, kind="vote", starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=30))
        voters = User.objects.bulk_create(
            [User(email=f"v{i}@bench.invalid", password="!") for i in range(args.ballots)], batch_size=5000)
        proposals = Proposal.objects.bulk_create(
            [Proposal(city=city, process=process, title=f"Proposition {i}", body="…",
                      created_at=now - timedelta(seconds=i)) for i in range(PROPOSALS)], batch_size=5000)
        # created_at is auto_now_add (bulk_create sets it to now): spread it afterwards for realistic paging.
        for start in range(0, PROPOSALS, 1000):
            batch = proposals[start:start + 1000]
            for offset, proposal in enumerate(batch):
                proposal.created_at = now - timedelta(seconds=start + offset)
            Proposal.objects.bulk_update(batch, ["created_at"])
        Support.objects.bulk_create(
            [Support(city=city, proposal=proposals[rng.randrange(PROPOSALS)], user=voters[i]) for i in range(min(50_000, len(voters)))],
            batch_size=5000, ignore_conflicts=True)
        budget = Budget.objects.create(city=city, process=process, title="Bench", amount=1_000_000,
                                       status="voting", counting_method="equal_shares")
        projects = Project.objects.bulk_create(
            [Project(city=city, budget=budget, title=f"Projet {i}", cost=rng.randrange(20, 300) * 1000)
             for i in range(PROJECTS)])
        ballots = Ballot.objects.bulk_create([Ballot(city=city, budget=budget, voter=v) for v in voters],
                                             batch_size=5000)
        weights = [rng.random() ** 2 for _ in projects]
        items = []
        for ballot in ballots:
            for project in set(rng.choices(projects, weights=weights, k=rng.randrange(1, 6))):
                items.append(BallotItem(ballot=ballot, project=project))
        BallotItem.objects.bulk_create(items, batch_size=10000)
    print(f"  {len(items)} ballot items", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    for method in ("greedy", "equal_shares"):
        Budget.objects.filter(pk=budget.pk).update(counting_method=method)
        budget.refresh_from_db()
        started = time.perf_counter()
        result = publish_results(budget=budget)
        print(f"count {method}: {time.perf_counter() - started:.2f} s, {result.ballots_count} ballots, "
              f"{result.rows.filter(selected=True).count()} projects funded", flush=True)
    return budget


def measure_requests(args, budget) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")

    def measure(label: str, urls) -> None:
        times, queries = [], []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured))
        print(f"{label}: n={len(times)} p50={statistics.median(times):.1f} ms p99={percentile(times, 99):.1f} ms "
              f"max queries={max(queries)}", flush=True)

    base = "/api/v1/cities/bench-city"
    # Walk deep into the list by following `next` links, then replay the pages.
    pages, url = [], f"{base}/proposals?limit=20"
    while url and len(pages) < args.requests:
        pages.append(url)
        url = client.get(url).json()["next"]
    cache.clear()
    measure("proposals list (cursor pages)", pages)
    measure("budget results", [f"{base}/budgets/{budget.pk}/results"] * args.requests)


if __name__ == "__main__":
    main()
