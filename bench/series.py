"""Observation series at scale: p99 of a day of hourly means, a month of daily means and the latest values.

    .venv/bin/python bench/series.py --database-url postgres://postgres@127.0.0.1:5432/cp_bench_series \
        [--scales 10000,10000000] [--datastreams 100] [--days 365] [--requests 300] [--rounds 3] [--reuse]

Each scale (number of observations) has its own database, `<name>_<scale>`, whose benchmark
city's observations are replaced by `scale` rows spread evenly over the last `--days` days across
`--datastreams` air stations,
loaded in the database with `generate_series` (one INSERT … SELECT into the partitioned table,
its monthly partitions made first), then the roll-ups are rebuilt from them
(`sensors.rollups.rebuild`, the migration's backfill) and the tables analysed; load time, rows/s
and the disk used per row (`pg_total_relation_size` of every partition) are reported.

Then, the scales in turns (`--rounds`, each a process of its own on its database, so that the
machine's load weighs on every scale alike), through Django's test client (the whole middleware
stack and the API, no HTTP server, so that the table size is what changes), `--requests` of each
read, each for a random station and a random period:

- a day of hourly means (`resolution=hour`, one local day),
- a month of daily means (`resolution=day`, 30 local days),
- the latest values of every station (`GET /api/v1/cities/bench-series/sensors`),
- for reference, the day of hourly means aggregated from the raw rows (the path before roll-ups).

Prints a markdown table of p50/p99 per read and scale and the ratio of the largest scale's p99 to
the smallest's (the target: within 2 times). Nothing is written to docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from common import setup_django

CITY = "bench-series"


def bench_city(datastreams: int):
    from citypocket.cities.models import City
    from citypocket.sensors.services import ensure_sensor

    city, _ = City.objects.update_or_create(
        slug=CITY,
        defaults={
            "name": "Bench series",
            "official_name": "Benchmark city (series)",
            "centre_lat": 45.0,
            "centre_lon": 4.0,
            "bbox_south": 44.9,
            "bbox_west": 3.9,
            "bbox_north": 45.1,
            "bbox_east": 4.1,
            "languages": ["fr"],
            "timezone": "Europe/Paris",
        },
    )
    for i in range(datastreams):
        ensure_sensor(city=city, external_id=f"S{i:04d}", kind="air", name=f"Station {i}", properties={"no2": "ug/m3"})
    return city


def load(city, scale: int, days: int, now: datetime) -> dict:
    """Replaces every observation by `scale` generated rows; returns timings and sizes."""
    from django.db import connection, transaction

    from citypocket.sensors import partitions, rollups
    from citypocket.sensors.models import Datastream

    ids = list(Datastream.objects.filter(sensor__city=city).order_by("id").values_list("id", flat=True))
    per_stream = max(1, scale // len(ids))
    span = timedelta(days=days)
    step = span / per_stream
    first = now - span
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sensors_observation, sensors_observationhourly, sensors_observationdaily, "
            "sensors_latestobservation"
        )
    months, month = [], partitions.month_of(first)
    while month <= partitions.month_of(now):
        months.append(month)
        month = partitions.add_months(month, 1)
    started = time.perf_counter()
    with transaction.atomic():
        if partitions.is_partitioned():
            partitions.create_missing(months)
        with connection.cursor() as cursor:
            # Time-major order, as readings arrive; value: a daily cycle plus noise.
            cursor.execute(
                "INSERT INTO sensors_observation (datastream_id, phenomenon_time, value, received_at) "
                "SELECT d, %s + n * %s, 40 + 30 * sin(n / 50.0) + random() * 10, %s + n * %s "
                "FROM generate_series(0, %s - 1) AS n, unnest(%s::bigint[]) AS d",
                [first, step, first, step, per_stream, ids],
            )
            rows = cursor.rowcount
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        rollups.rebuild()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO sensors_latestobservation (datastream_id, phenomenon_time, value, received_at) "
                "SELECT DISTINCT ON (datastream_id) datastream_id, phenomenon_time, value, received_at "
                "FROM sensors_observation ORDER BY datastream_id, phenomenon_time DESC"
            )
    rolled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sensors_observation")
        cursor.execute("ANALYZE sensors_observationhourly")
        cursor.execute("ANALYZE sensors_observationdaily")
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('sensors_observation')"
        )
        size = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT pg_total_relation_size('sensors_observationhourly') + pg_total_relation_size('sensors_observationdaily')"
        )
        rollup_size = int(cursor.fetchone()[0])
    return {
        "rows": rows,
        "load_s": loaded,
        "rollup_s": rolled,
        "bytes_per_row": size / max(1, rows),
        "size": size,
        "rollup_size": rollup_size,
        "first": first,
        "step": step,
    }


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(city, requests: int, now: datetime, days: int) -> dict:
    from django.test import Client

    from citypocket.sensors import rollups
    from citypocket.sensors.models import Datastream

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(18)
    streams = list(Datastream.objects.filter(sensor__city=city).select_related("sensor"))
    today = city.local_today(now)
    base = f"/api/v1/cities/{CITY}/sensors"

    def day_window(length: int):
        day = today - timedelta(days=rng.randrange(length + 1, days - 1))
        start, _ = city.day_bounds(day)
        end, _ = city.day_bounds(day + timedelta(days=length))
        return start, end

    def get(url: str, params: dict | None = None):
        started = time.perf_counter()
        response = client.get(url, params or {})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    def hours():
        stream = rng.choice(streams)
        start, end = day_window(1)
        params = {"property": "no2", "resolution": "hour", "from": start.isoformat(), "to": end.isoformat()}
        return get(f"{base}/{stream.sensor.external_id}/observations", params)

    def days_of_month():
        stream = rng.choice(streams)
        start, end = day_window(30)
        params = {"property": "no2", "resolution": "day", "from": start.isoformat(), "to": end.isoformat()}
        return get(f"{base}/{stream.sensor.external_id}/observations", params)

    def latest():
        return get(base)

    def raw_hours():
        stream = rng.choice(streams)
        start, end = day_window(1)
        started = time.perf_counter()
        rollups._raw(stream, start, end, rollups.TruncHour, UTC)
        return (time.perf_counter() - started) * 1000

    reads = {
        "a day of hourly means (API, roll-ups)": hours,
        "a month of daily means (API, roll-ups)": days_of_month,
        "latest values of every station (API)": latest,
        "a day of hourly means from raw rows (before)": raw_hours,
    }
    results = {}
    for name, read in reads.items():
        for _ in range(min(20, requests)):  # warm-up
            read()
        results[name] = [read() for _ in range(requests)]
    return results


def scale_url(url: str, scale: int) -> str:
    """Each scale has its own database (`<name>_<scale>`), so that both can be measured in turns."""
    return f"{url.rstrip('/')}_{scale}"


def child(args) -> None:
    """In a process of its own, on one scale's database: load it (`--load`) or measure it (`--measure`)."""
    setup_django(args.database_url)
    from django.conf import settings

    from citypocket.sensors.models import Observation

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    city = bench_city(args.datastreams)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if args.load:
        count = Observation.objects.count()
        if args.reuse and count >= args.load * 0.99:
            print(json.dumps({"reused": count}))
            return
        info = load(city, args.load, args.days, now)
        print(json.dumps({**info, "first": str(info["first"]), "step": str(info["step"])}))
        return
    print(json.dumps(measure(city, args.requests, now, args.days)))


def run_child(args, url: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--database-url", url, "--datastreams", str(args.datastreams)]
    command += ["--days", str(args.days), *extra]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the scales' databases are named <name>_<scale>")
    parser.add_argument("--scales", default="10000,10000000")
    parser.add_argument("--datastreams", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=300, help="of each read at each scale, over all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="the scales are measured in turns, this many times")
    parser.add_argument("--reuse", action="store_true", help="keep a scale's database if it is already loaded")
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load or args.measure:
        child(args)
        return
    scales = [int(s) for s in args.scales.split(",")]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"disk free {shutil.disk_usage('/').free / 1e9:.0f} GB",
        flush=True,
    )
    for scale in scales:
        info = run_child(args, scale_url(args.database_url, scale), "--load", str(scale), *(["--reuse"] * args.reuse))
        if "reused" in info:
            print(f"{info['reused']:,} observations already loaded, kept", flush=True)
            continue
        print(
            f"{info['rows']:,} observations ({args.datastreams} stations, one every {info['step']}): "
            f"loaded in {info['load_s']:.1f} s ({info['rows'] / info['load_s']:,.0f} rows/s), roll-ups and latest "
            f"values in {info['rollup_s']:.1f} s; {info['size'] / 1e6:,.1f} MB with indexes, "
            f"{info['bytes_per_row']:.0f} bytes/row; roll-ups {info['rollup_size'] / 1e6:,.1f} MB",
            flush=True,
        )
    samples: dict[int, dict[str, list[float]]] = {scale: {} for scale in scales}
    per_round = max(20, args.requests // args.rounds)
    for _round in range(args.rounds):  # in turns, so that the machine's load weighs on every scale alike
        for scale in scales:
            got = run_child(args, scale_url(args.database_url, scale), "--measure", "--requests", str(per_round))
            for name, values in got.items():
                samples[scale].setdefault(name, []).extend(values)
    small, large = scales[0], scales[-1]
    header = " | ".join(f"{scale:,} obs p50 / p99 (ms)" for scale in scales)
    print(f"\n| read | {header} | p99 ratio {large:,} / {small:,} |")
    print("|---|" + "---:|" * (len(scales) + 1))
    for name in samples[small]:
        p99 = {s: percentile(samples[s][name], 99) for s in scales}
        cells = " | ".join(f"{statistics.median(samples[s][name]):.1f} / {p99[s]:.1f}" for s in scales)
        print(f"| {name} | {cells} | {p99[large] / p99[small]:.2f} x |")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
