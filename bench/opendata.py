"""Open-data benchmark: whole-dataset exports and deep cursor pages over 1 000 000 rows, vs Datasette.

Targets (issue 13): the CSV export of 1 000 000 air observations from PostgreSQL at >= 200 000 rows/s
with the server's memory growing by less than 50 MB during the export, side by side with Datasette's
streamed CSV (`?_stream=on`) of the same rows in the same run; the Parquet export of the same rows
(rows/s, size); the row API's filtered page of 100 found by a cursor deep in the set: p99 <= 50 ms,
with Datasette's keyset page (`_next=`) of the same rows, filtered the same way.

    .venv/bin/python bench/opendata.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_bench_opendata [--write-docs]

The database named by --database-url is dropped and created anew at each run (unless --reuse): give
it a database of its own. The rows are made by PostgreSQL itself (one INSERT ... SELECT over
generate_series), then `sync_opendata` publishes them and the production server (gunicorn, as
`citypocket run` starts it) serves them. Datasette is pip-installed into a throwaway venv under /tmp
(as bench/mobility.py does) and serves the same rows from SQLite. Downloads are made by curl, so
the client costs the servers as little as possible.
"""

import argparse
import base64
import json
import os
import random
import sqlite3
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from common import ROOT, free_port, setup_django, web_command, web_description, write_docs
from mobility import datasette_bin, wait_up

CITY = "bench-opendata"
DATASET = "air-observations"
STATIONS = 25
PROPERTIES = (("no2", "ug/m3"), ("o3", "ug/m3"), ("pm10", "ug/m3"), ("pm25", "ug/m3"))
ROWS = 1_000_000
HOURS = ROWS // (STATIONS * len(PROPERTIES))  # 10 000 hours (~14 months) of hourly values per datastream
START = datetime(2025, 1, 1, tzinfo=UTC)
WINDOW_DAYS = 90  # the row API's filter: one station, a 90-day window (8 640 rows), a cursor deep in it
WORK = Path(os.environ.get("CITYPOCKET_VAR_DIR", "/tmp")) / "bench-opendata"
COLUMNS = ("id", "station", "property", "unit", "time", "value", "lon", "lat")


# --- The data -------------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    with psycopg.connect(urlunsplit((scheme, parts.netloc, "/postgres", "", "")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build() -> dict:
    """One city, 25 air stations x 4 pollutants, 10 000 hourly values each: 1 000 000 observations whose
    ids follow time (as ingest writes them), made by PostgreSQL in one statement; then published."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from citypocket.cities.models import City
    from citypocket.sensors.models import Datastream, Observation, Sensor, SensorKind

    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        City.objects.filter(slug=CITY).delete()
        city = City.objects.create(slug=CITY, name="Bench", official_name="Bench", insee_codes=["99998"],
                                   centre_lat=49.44, centre_lon=1.1, bbox_south=49.3, bbox_west=0.9,
                                   bbox_north=49.6, bbox_east=1.3, languages=["fr", "en"])
        rng = random.Random(13)
        sensors = Sensor.objects.bulk_create([
            Sensor(city=city, external_id=f"FR{33000 + i}", kind=SensorKind.AIR, name=f"Station {i}",
                   lat=round(49.35 + rng.random() * 0.2, 4), lon=round(0.95 + rng.random() * 0.3, 4))
            for i in range(STATIONS)])
        streams = Datastream.objects.bulk_create([
            Datastream(sensor=s, property=prop, unit=unit) for s in sensors for prop, unit in PROPERTIES])
        ids = [d.id for d in streams]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {Observation._meta.db_table} (datastream_id, phenomenon_time, value, received_at)
                    SELECT d.id, %s + h * interval '1 hour',
                           round((25 + 15 * sin(h / 24.0 * 2 * pi() + d.n) + random() * 10)::numeric, 1)::float8,
                           %s + h * interval '1 hour' + interval '7 minutes'
                    FROM generate_series(0, %s) AS h, unnest(%s::bigint[]) WITH ORDINALITY AS d(id, n)
                    ORDER BY h, d.n""",
                [START, START, HOURS - 1, ids])
    timings["load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Observation._meta.db_table}")
        cursor.execute("ANALYZE")
    timings["vacuum_s"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("sync_opendata", city=CITY, verbosity=0)
    timings["sync_s"] = time.perf_counter() - started
    count = Observation.objects.filter(datastream__sensor__city=city).count()
    assert count == ROWS, count
    print(f"built {CITY}: {count:,} observations in {timings['load_s']:.1f} s (vacuum {timings['vacuum_s']:.1f} s, "
          f"sync_opendata {timings['sync_s']:.1f} s)", flush=True)
    return timings


def sqlite_copy(database_url: str, path: Path) -> float:
    """The same rows, same columns and text forms as the CSV export, in SQLite for Datasette, with an
    index on (station, time) for its filtered pages."""
    import psycopg

    from citypocket.sensors.models import Datastream, Observation, Sensor

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE observations (id INTEGER PRIMARY KEY, station TEXT, property TEXT, unit TEXT, "
               "time TEXT, value REAL, lon REAL, lat REAL)")
    sql = (f"""SELECT o.id, s.external_id, d.property, d.unit,
                      to_char(o.phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                      o.value, s.lon, s.lat
               FROM {Observation._meta.db_table} o JOIN {Datastream._meta.db_table} d ON d.id = o.datastream_id
               JOIN {Sensor._meta.db_table} s ON s.id = d.sensor_id
               JOIN cities_city c ON c.id = s.city_id WHERE c.slug = %s ORDER BY o.id""")
    with (psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn,
          conn.cursor(name="copy") as cursor):
        cursor.itersize = 50_000
        cursor.execute(sql, [CITY])
        while batch := cursor.fetchmany(50_000):
            db.executemany("INSERT INTO observations VALUES (?,?,?,?,?,?,?,?)", batch)
    db.execute("CREATE INDEX observations_station_time ON observations (station, time)")
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


# --- Measuring --------------------------------------------------------------------------------------


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except FileNotFoundError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its children (the gunicorn master and its workers)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        children = []
    for child in children:
        pids += process_tree(int(child))
    return pids


class MemorySampler:
    """Total resident memory of a server's processes every 20 ms while a download runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.samples: list[int] = []
        self._stop = threading.Event()

    def __enter__(self):
        self.baseline = rss_bytes(process_tree(self.pid))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(rss_bytes(process_tree(self.pid)))
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_bytes(process_tree(self.pid)))

    @property
    def growth(self) -> int:
        return max(self.samples) - self.baseline


def download(url: str, target: Path, pid: int) -> dict:
    """One whole download by curl; its time, size and the server's memory growth meanwhile."""
    cpu = cpu_seconds(process_tree(pid))
    with MemorySampler(pid) as memory:
        started = time.perf_counter()
        out = subprocess.run(["curl", "-sS", "--fail", "-o", str(target), "-w", "%{http_code} %{size_download}",
                              url], capture_output=True, text=True, check=True).stdout
        seconds = time.perf_counter() - started
    status, size = out.split()
    assert status == "200", out
    return {"seconds": seconds, "bytes": int(size), "memory_growth": memory.growth, "baseline": memory.baseline,
            "cpu": cpu_seconds(process_tree(pid)) - cpu}


def csv_rows(path: Path) -> int:
    with path.open("rb") as body:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: body.read(1 << 20), b"")) - 1  # less the header


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def page_requests(count: int, seed: int = 31) -> list[dict]:
    """`count` different filtered pages: a station, a 90-day window, and the id of the row after which the
    page starts, 1 000 to 8 000 rows deep into that station's window (read from PostgreSQL, as the
    cursor of the API's own `next` link holds it)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        station = f"FR{33000 + rng.randrange(STATIONS)}"
        start = START + timedelta(hours=rng.randrange(HOURS - WINDOW_DAYS * 24))
        end = start + timedelta(days=WINDOW_DAYS)
        depth = rng.randrange(1000, 8000)
        out.append({"station": station, "from": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "to": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "after": row_at(station, start, end, depth),
                    "depth": depth})
    return out


def row_at(station: str, start: datetime, end: datetime, depth: int) -> int:
    """The id of the `depth`-th row (from 1) of a station's window, in the API's default order (id)."""
    from django.db import connection

    from citypocket.sensors.models import Datastream, Observation, Sensor

    sql = (f"""SELECT o.id FROM {Observation._meta.db_table} o
               JOIN {Datastream._meta.db_table} d ON d.id = o.datastream_id
               JOIN {Sensor._meta.db_table} s ON s.id = d.sensor_id
               JOIN cities_city c ON c.id = s.city_id
               WHERE c.slug = %s AND s.external_id = %s AND o.phenomenon_time >= %s AND o.phenomenon_time < %s
               ORDER BY o.id OFFSET %s LIMIT 1""")
    with connection.cursor() as cursor:
        cursor.execute(sql, [CITY, station, start, end, depth - 1])
        return cursor.fetchone()[0]


def timed_pages(client, urls: list[str]) -> tuple[list[float], list]:
    times, bodies = [], []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        assert "age" not in response.headers, "a page came from a cache"
        bodies.append(response)
    return times, bodies


# --- The run ----------------------------------------------------------------------------------------


def run(database_url: str, sqlite_path: Path, pages: int, rounds: int, redis_url: str = "") -> dict:
    import httpx

    from citypocket.core.pagination import encode_cursor

    WORK.mkdir(parents=True, exist_ok=True)
    port, dport = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "off", "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_MANIFEST": "off", "SECURE_SSL_REDIRECT": "off",
           "API_READ_RATE": "100000000/min", "SIMULATOR": "off", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "600",
           "SAFETY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode()}  # DEBUG off needs one
    if redis_url:  # the shared cache of a production install (docs/configuration.md): rate-limit counters
        env["REDIS_URL"] = redis_url
    # The production web process, as `citypocket run` starts it (bench/common.py, web_command).
    web = subprocess.Popen(web_command(port),
                           env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Datasette with no cap on the size of a CSV (100 MB by default; the 1 000 000 rows are ~75 MB).
    datasette = subprocess.Popen([str(datasette_bin()), "serve", str(sqlite_path), "--host", "127.0.0.1",
                                  "--port", str(dport), "--setting", "default_cache_ttl", "0",
                                  "--setting", "max_csv_mb", "0"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, dbase = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{dport}"
    rows_url = f"{base}/api/v1/cities/{CITY}/data/{DATASET}/rows"
    table_url = f"{dbase}/{sqlite_path.stem}/observations"
    results: dict = {"exports": {}, "pages": {}}
    try:
        wait_up(base + "/healthz")
        wait_up(dbase + "/-/versions.json")
        results["datasette_version"] = httpx.get(dbase + "/-/versions.json").json()["datasette"]["version"]
        # Warm both servers (imports, connections, pyarrow) on a small selection first.
        small = {"station": "FR33000", "from": "2025-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z"}
        for fmt in ("csv", "parquet", "csv", "parquet"):
            assert httpx.get(rows_url, params={**small, "format": fmt}).status_code == 200
        assert httpx.get(table_url + ".csv", params={"station__exact": "FR33000", "_stream": "on"}).status_code == 200

        exports = {
            "csv": (f"{rows_url}?format=csv", "citypocket.csv", None),
            "datasette_csv": (f"{table_url}.csv?_stream=on&_size=max", "datasette.csv", datasette.pid),
            "parquet": (f"{rows_url}?format=parquet", "citypocket.parquet", None),
        }
        for round_ in range(rounds):
            for name, (url, filename, pid) in exports.items():
                target = WORK / filename
                got = download(url, target, pid or web.pid)
                if name == "parquet":
                    import pyarrow.parquet as pq

                    got["rows"] = pq.read_metadata(target).num_rows
                else:
                    got["rows"] = csv_rows(target)
                assert got["rows"] == ROWS, (name, got["rows"])
                got["rows_per_s"] = got["rows"] / got["seconds"]
                print(f"round {round_ + 1} {name}: {got['rows']:,} rows in {got['seconds']:.2f} s = "
                      f"{got['rows_per_s']:,.0f} rows/s, {got['bytes'] / 1e6:.1f} MB, server CPU {got['cpu']:.1f} s, memory "
                      f"+{got['memory_growth'] / 2**20:.1f} MiB (from {got['baseline'] / 2**20:.0f} MiB)", flush=True)
                best = results["exports"].get(name)
                # Best speed of the rounds, worst memory growth of them all.
                worst_memory = max(got["memory_growth"], best["memory_growth"] if best else 0)
                if best is None or got["rows_per_s"] > best["rows_per_s"]:
                    results["exports"][name] = got
                results["exports"][name]["memory_growth"] = worst_memory
        # The two CSV files hold the same rows: same ids in the same order, same values.
        with (WORK / "citypocket.csv").open() as ours, (WORK / "datasette.csv").open() as theirs:
            header_ours, header_theirs = next(ours).strip(), next(theirs).strip()
            assert header_ours == header_theirs == ",".join(COLUMNS), (header_ours, header_theirs)
            for _ in range(1000):
                a, b = next(ours).strip().split(","), next(theirs).strip().split(",")
                assert a[:5] == b[:5] and all(float(x) == float(y) for x, y in zip(a[5:], b[5:], strict=True)), (a, b)

        # Deep filtered pages: the same station, window and cursor position on both servers.
        asked = page_requests(pages + 50)
        ours_urls, theirs_urls = [], []
        for item in asked:
            ours_urls.append(rows_url + "?" + urlencode({"station": item["station"], "from": item["from"],
                                                         "to": item["to"], "limit": 100,
                                                         "cursor": encode_cursor(item["after"])}))
            theirs_urls.append(table_url + ".json?" + urlencode({
                "station__exact": item["station"], "time__gte": item["from"], "time__lt": item["to"],
                "_size": 100, "_next": item["after"], "_nocount": 1, "_nofacet": 1, "_shape": "objects"}))
        assert len(set(ours_urls)) == len(ours_urls), "every page is a different request (no cache can answer)"
        with httpx.Client(timeout=30) as client:
            # The cursor is the one the API's own next links carry: walk three pages from the start of a
            # selection and compare the third next link's cursor with the one made from the database.
            item = asked[0]
            link = rows_url + "?" + urlencode({"station": item["station"], "from": item["from"], "to": item["to"],
                                               "limit": 100})
            for _ in range(3):
                link = client.get(link).json()["next"]
            made = encode_cursor(row_at(item["station"], datetime.fromisoformat(item["from"]),
                                        datetime.fromisoformat(item["to"]), 300))
            assert f"cursor={made}" in link, (link, made)
            timed_pages(client, ours_urls[:50])  # warm-up, not counted
            timed_pages(client, theirs_urls[:50])
            ours_ms, ours_pages = timed_pages(client, ours_urls[50:])
            theirs_ms, theirs_pages = timed_pages(client, theirs_urls[50:])
        for mine, peer in zip(ours_pages, theirs_pages, strict=True):
            mine_ids = [row["id"] for row in mine.json()["items"]]
            peer_ids = [row["id"] for row in peer.json()["rows"]]
            assert mine_ids == peer_ids and len(mine_ids) == 100, (mine_ids[:3], peer_ids[:3])
        for name, values in (("citypocket", ours_ms), ("datasette", theirs_ms)):
            results["pages"][name] = {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99),
                                      "max": max(values), "mean": sum(values) / len(values)}
            print(f"pages {name}: {results['pages'][name]}", flush=True)
        results["depth"] = (min(i["depth"] for i in asked), max(i["depth"] for i in asked))
    finally:
        for process in (web, datasette):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return results


def markdown(results: dict, timings: dict, rounds: int, redis_url: str = "") -> str:
    e, p = results["exports"], results["pages"]
    ratio = e["csv"]["rows_per_s"] / e["datasette_csv"]["rows_per_s"]
    growth = e["csv"]["memory_growth"] / 2**20

    def export_line(label, r):
        return (f"| {label} | {r['rows']:,} | {r['seconds']:.2f} | {r['rows_per_s']:,.0f} | {r['bytes'] / 1e6:.1f} | "
                f"{r['cpu']:.1f} | {r['memory_growth'] / 2**20:.1f} |")

    def page_line(label, r):
        return f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |"

    targets = (("CSV >= 200 000 rows/s", e["csv"]["rows_per_s"] >= 200_000),
               ("memory growth < 50 MB", growth < 50),
               ("deep filtered page p99 <= 50 ms", p["citypocket"]["p99"] <= 50))
    out = [
        "Command: `make bench-opendata` (`bench/opendata.py`). PostgreSQL 15, a database made anew: one city, "
        f"{STATIONS} air stations x {len(PROPERTIES)} pollutants x {HOURS:,} hourly values = **{ROWS:,} observations** "
        f"(the `{DATASET}` dataset, 8 columns), made by one `INSERT ... SELECT` over `generate_series` in "
        f"{timings.get('load_s', float('nan')):.1f} s, then `VACUUM ANALYZE` and `sync_opendata`. CityPocket: "
        f"{web_description()} running `citypocket.wsgi` (as `citypocket run`), DEBUG off, "
        "`DB_CONN_MAX_AGE=600`. Peer: Datasette "
        f"{results.get('datasette_version', '')} (latest from PyPI, throwaway venv) serving the same rows from "
        "SQLite (same columns, same text for times; an index on (station, time)), `max_csv_mb 0`, same run. "
        f"Files are downloaded whole by curl on loopback; best of {rounds} rounds for speed, worst for memory. "
        "Memory: resident memory (VmRSS) of all the server's processes, sampled every 20 ms during the download, "
        "minus its value just before. Server CPU: user + system time of the server's processes during the download "
        "(PostgreSQL's own work not included).",
        "",
        "| export of every row | rows | seconds | rows/s | MB | server CPU s | server memory growth (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        export_line("CityPocket `GET …/data/air-observations/rows?format=csv`", e["csv"]),
        export_line("Datasette `…/observations.csv?_stream=on`", e["datasette_csv"]),
        export_line("CityPocket `…/rows?format=parquet` (zstd, row groups of 100 000)", e["parquet"]),
        "",
        f"- CSV export: **{e['csv']['rows_per_s']:,.0f} rows/s** (target >= 200 000), **{ratio:.2f}x** Datasette's "
        f"streamed CSV; server memory growth during the export **{growth:.1f} MiB** (target < 50 MB).",
        f"- Parquet: {e['parquet']['rows_per_s']:,.0f} rows/s, {e['parquet']['bytes'] / 1e6:.1f} MB "
        f"({e['parquet']['bytes'] / e['csv']['bytes'] * 100:.0f}% of the CSV).",
        "",
        f"Row API: a page of 100 rows of one station in a {WINDOW_DAYS}-day window (`station=…&from=…&to=…&limit=100"
        f"&cursor=…`), the cursor {results['depth'][0]:,} to {results['depth'][1]:,} rows deep into that selection; "
        f"{p['citypocket']['n']} different requests (station, window and depth drawn at random; no two alike, so no "
        "cache answers), one client, keep-alive, after 50 warm-up requests. Datasette: the same filter "
        "(`station__exact`, `time__gte`, `time__lt`) and its keyset cursor `_next=` on the same row, `_size=100`, "
        "`_nocount=1`, `_nofacet=1`. Both answer the same 100 rows (checked for every request).",
        "",
        "| deep filtered page of 100 | requests | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        page_line("CityPocket `GET …/rows?station=…&from=…&to=…&cursor=…`", p["citypocket"]),
        page_line("Datasette `…/observations.json?station__exact=…&_next=…`", p["datasette"]),
        "",
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Load average at the end of the run: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (client, both servers and PostgreSQL share them).",
        "",
        "Targets on this run: " + "; ".join(f"{label} {'met' if ok else '**not met**'}" for label, ok in targets) + ".",
        "",
        "Notes:",
        f"- Server CPU per {ROWS:,} rows does not depend on other processes: CSV {e['csv']['cpu']:.1f} s for "
        f"CityPocket (PostgreSQL formats and quotes every value in `COPY ... TO STDOUT`, the worker only passes "
        f"bytes on) against {e['datasette_csv']['cpu']:.1f} s for Datasette. With a load average above the "
        "number of CPUs, rows/s and latencies of both servers measure the machine's queue as much as the "
        "servers: judge the targets on an idle machine.",
        ("- A row page is 3 queries (the city, the dataset, and the page itself, a keyset scan of the primary key "
         "from the cursor joined to the station: about 2 600 index entries for 100 rows of one station in 25) and "
         "the rate limiter's counter, in Redis (`REDIS_URL`, as the production example of docs/configuration.md "
         "sets it)." if redis_url else
         "- A row page is 6 queries: 3 for the rate limiter's counter (the database cache; `REDIS_URL` unset), "
         "the city, the dataset, and the page itself, a keyset scan of the primary key from the cursor joined to "
         "the station (about 2 600 index entries for 100 rows of one station in 25)."),
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a database of its own: dropped and made anew")
    parser.add_argument("--pages", type=int, default=1000, help="deep cursor pages timed on each server")
    parser.add_argument("--rounds", type=int, default=2, help="downloads of each export (best speed kept)")
    parser.add_argument("--reuse", action="store_true", help="keep the database and SQLite file of the last run")
    parser.add_argument("--write-docs", action="store_true", help="replace the Open data section of docs/benchmarks.md")
    parser.add_argument("--redis-url", default="", help="REDIS_URL of the server, as in production (empty: the "
                        "database cache)")
    args = parser.parse_args()
    sqlite_path = Path(os.environ.get("CITYPOCKET_VAR_DIR", "/tmp")) / "citypocket_bench_opendata.db"
    timings: dict = {}
    if not args.reuse:
        fresh_database(args.database_url)
    setup_django(args.database_url)
    timings_path = WORK / "build.json"
    if not args.reuse:
        timings = build()
        timings["sqlite_s"] = sqlite_copy(args.database_url, sqlite_path)
        print(f"SQLite copy for Datasette in {timings['sqlite_s']:.1f} s", flush=True)
        WORK.mkdir(parents=True, exist_ok=True)
        timings_path.write_text(json.dumps(timings))
    elif timings_path.exists():
        timings = json.loads(timings_path.read_text())
    results = run(args.database_url, sqlite_path, args.pages, args.rounds, args.redis_url)
    text = markdown(results, timings, args.rounds, args.redis_url)
    print(text)
    summary = results["exports"]
    print(f"\nCSV export: {summary['csv']['rows_per_s']:,.0f} rows/s; vs Datasette "
          f"{summary['csv']['rows_per_s'] / summary['datasette_csv']['rows_per_s']:.2f}x; memory growth "
          f"{summary['csv']['memory_growth'] / 2**20:.1f} MiB")
    if args.write_docs:
        write_docs("Open data", text)


if __name__ == "__main__":
    main()
