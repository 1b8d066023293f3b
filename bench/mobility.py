"""Mobility benchmark: car-park list and search under wrk vs Datasette, search scaling, prediction backtest,
and the hot reads without the edge cache (car-park list, search at random destinations, air now, a day
series, the city home, a 304) beside Datasette serving the same rows (`--uncached-only` for just those).

Targets (issue 5): `GET /api/v1/cities/{city}/car-parks` and the search under `wrk -t1 -c8 -d10s` on
loopback, production server (gunicorn, as `citypocket run` starts it) + PostgreSQL: >= 5x the
requests/s of Datasette (parameterised SQL over the same car-park rows, same run) and p99 <= 20 ms;
the search with 10 000 car parks stays <= 2x its latency with 10 car parks. The backtest compares
the prediction of free spaces at arrival with "free spaces now" on simulated history.

    .venv/bin/python bench/mobility.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_bench [--write-docs]

Datasette is pip-installed into a throwaway venv under /tmp at bench time (never into the project).
The bench cities (`bench-mobility-10`, `bench-mobility-10k`) are rebuilt at each run; nothing else
is touched.
"""

import argparse
import base64
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from common import ROOT, free_port, setup_django, web_command, web_description, write_docs

DATASETTE_VENV = Path("/tmp/citypocket-bench-datasette")
SMALL, LARGE = "bench-mobility-10", "bench-mobility-10k"
CENTRE = (45.0, 4.0)
SEARCH_POINT = (45.0005, 4.0005)


def build_city(slug: str, count: int, now: datetime, rng) -> None:
    """A city with `count` car parks around (45, 4), each with a sensor, a fresh reading and the history
    windows the search reads (+/- 1 h around now, 4 past weeks, every 15 min), and three traffic
    counting points with a fresh reading."""
    from django.db import transaction

    from citypocket.cities.models import City
    from citypocket.core.geo import haversine_m
    from citypocket.mobility import profiles
    from citypocket.mobility.models import CarPark
    from citypocket.sensors.ingest import ingest_observations
    from citypocket.sensors.models import Datastream, Sensor
    from citypocket.sensors.readings import Parsed, Reading

    # The same 10 car parks within ~1 km of the centre in both cities (one of them a P+R); the large city
    # adds 9 990 across a 55 x 55 km metropolis but farther than 1.5 km from the destination (20 of them
    # P+R), so that both searches rank the same nearby car parks: what grows is everything around them.
    same = random.Random(10)
    positions = [(CENTRE[0] + same.uniform(-0.01, 0.01), CENTRE[1] + same.uniform(-0.014, 0.014)) for _ in range(10)]
    while len(positions) < count:
        lat, lon = CENTRE[0] + rng.uniform(-0.25, 0.25), CENTRE[1] + rng.uniform(-0.35, 0.35)
        if haversine_m(lat, lon, *SEARCH_POINT) > 1500:
            positions.append((lat, lon))
    park_and_ride = {9} | ({10 + 499 * i for i in range(20)} if count > 10 else set())
    with transaction.atomic():
        City.objects.filter(slug=slug).delete()
        city = City.objects.create(slug=slug, name=slug, official_name=slug, insee_codes=["99999"],
                                   centre_lat=CENTRE[0], centre_lon=CENTRE[1], bbox_south=44.5, bbox_west=3.5,
                                   bbox_north=45.5, bbox_east=4.5, languages=["fr"])
        sensors = Sensor.objects.bulk_create([
            Sensor(city=city, external_id=f"P-{i:05d}", kind="parking", name=f"Parking {i}", lat=lat, lon=lon,
                   metadata={"capacity": 400}) for i, (lat, lon) in enumerate(positions)], batch_size=2000)
        Datastream.objects.bulk_create([Datastream(sensor=s, property="available_spots", unit="1") for s in sensors],
                                       batch_size=2000)
        # Three traffic counting points near the centre, as Rouen's demo has: the search reads them for the
        # approach penalty at every request (one of them saturated, so the penalty applies).
        counters = Sensor.objects.bulk_create([
            Sensor(city=city, external_id=f"T-{i}", kind="traffic", name=f"Counter {i}",
                   lat=CENTRE[0] + same.uniform(-0.008, 0.008), lon=CENTRE[1] + same.uniform(-0.011, 0.011))
            for i in range(3)])
        Datastream.objects.bulk_create([Datastream(sensor=s, property=prop, unit=unit) for s in counters
                                        for prop, unit in (("vehicle_flow", "veh/h"), ("occupancy", "1"))])
        CarPark.objects.bulk_create([
            CarPark(city=city, slug=f"parking-{i:05d}", name=f"Parking {i}", sensor=s, lat=s.lat, lon=s.lon,
                    capacity=400, price_2h=rng.choice([None, 3.2, 4.0, 4.8]), operator="Bench",
                    park_and_ride=i in park_and_ride, transit_line="Tram 1" if i in park_and_ride else "",
                    transit_minutes=15 if i in park_and_ride else None) for i, s in enumerate(sensors)], batch_size=2000)
    stamp = now.replace(second=0, microsecond=0)
    stamp -= timedelta(minutes=stamp.minute % 15)
    readings = []
    for sensor in sensors:
        readings.append(Reading(sensor.external_id, "available_spots", now.replace(microsecond=0),
                                float(rng.randrange(0, 400)), "1"))
        for week in range(1, 5):
            for step in range(-4, 9):  # now - 1 h .. now + 2 h, one week back each time
                moment = stamp - timedelta(weeks=week) + timedelta(minutes=15 * step)
                readings.append(Reading(sensor.external_id, "available_spots", moment, float(rng.randrange(400)), "1"))
        if len(readings) > 50_000:
            ingest_observations(city=city, batch=Parsed.from_readings(readings), source="bench")
            readings = []
    if readings:
        ingest_observations(city=city, batch=Parsed.from_readings(readings), source="bench")
    # What the worker keeps in production (mobility/schedule.py): the search reads these rows, not the
    # history. All quarter-hours of the week for the small city; for the 10 000 car parks (6.7 million
    # rows, minutes of the nightly job) only those of the next four hours, the ones this run asks for.
    week = [profiles.newest_complete(now) - i * profiles.SLOT for i in range(profiles.SLOTS)]
    if count > 1000:
        week = [moment for moment in week if moment + profiles.WEEK - now <= timedelta(hours=4)]
    profiles.build(profiles.streams_of(city), week)
    print(f"built {slug}: {count} car parks", flush=True)


def fresh_traffic(slug: str, now: datetime) -> None:
    """A reading of now for each counting point of the bench city (fluide, saturé, bloqué): the search
    reads them as a real city's, not stale (MOBILITY_TRAFFIC_STALE_MINUTES), in every run."""
    from citypocket.cities.models import City
    from citypocket.sensors.ingest import ingest_observations
    from citypocket.sensors.readings import Parsed, Reading

    city = City.objects.get(slug=slug)
    moment = now.replace(microsecond=0)
    counters = sorted(city.sensors.filter(kind="traffic").values_list("external_id", flat=True))
    if len(counters) != 3:
        raise SystemExit(f"{slug} has no counting points (a bench database built before them): run without --skip-build")
    readings = [Reading(counter, prop, moment, value, unit)
                for counter, occupancy in zip(counters, (0.12, 0.31, 0.55), strict=True)
                for prop, value, unit in (("vehicle_flow", 900.0, "veh/h"), ("occupancy", occupancy, "1"))]
    ingest_observations(city=city, batch=Parsed.from_readings(readings), source="bench")


def sqlite_copy(path: Path) -> None:
    """The same car-park rows (with their latest free spaces) in SQLite, for Datasette."""
    from django.utils import timezone

    from citypocket.cities.models import City
    from citypocket.mobility import selectors

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE car_parks (city TEXT, slug TEXT, name TEXT, sensor TEXT, capacity INTEGER, "
               "available INTEGER, observed_at TEXT, park_and_ride INTEGER, price_2h REAL, lat REAL, lon REAL)")
    db.execute("CREATE INDEX car_parks_city_position ON car_parks (city, lat, lon)")
    for slug in (SMALL, LARGE):
        city = City.objects.get(slug=slug)
        rows = []
        for item in selectors.list_car_parks_live(city=city, now=timezone.now()):
            c = item.car_park
            rows.append((slug, c.slug, c.name, c.sensor.external_id, c.capacity, item.live.available,
                         item.live.observed_at.isoformat() if item.live.observed_at else None, int(c.park_and_ride),
                         float(c.price_2h) if c.price_2h is not None else None, c.lat, c.lon))
        db.executemany("INSERT INTO car_parks VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    air_copy(db)
    db.commit()
    db.close()


AIR_CITY = "rouen"


def air_station() -> tuple[str, str]:
    """The air city's first station measuring PM10 (external id, property): the day series' subject."""
    from citypocket.sensors.models import Datastream

    stream = (Datastream.objects.filter(sensor__city__slug=AIR_CITY, sensor__kind="air", property="pm10")
              .select_related("sensor").order_by("sensor__external_id").first())
    return stream.sensor.external_id, stream.property


def ensure_air_city() -> None:
    """The demo's Rouen (air stations with days of hourly readings), and today's indices stored by the worker."""
    from django.core.management import call_command

    from citypocket.air.services import refresh_air_now
    from citypocket.cities.models import City

    if not City.objects.filter(slug=AIR_CITY).exists():
        call_command("load_demo")
    refresh_air_now(city=City.objects.get(slug=AIR_CITY))


def air_copy(db) -> None:
    """The same air rows for Datasette: the latest value of every air datastream, and the observations
    of the day series' station (its raw rows, which the day series folds into hourly means)."""
    from citypocket.sensors.models import LatestObservation, Observation

    db.execute("CREATE TABLE latest_air (city TEXT, sensor TEXT, name TEXT, lat REAL, lon REAL, property TEXT, "
               "value REAL, time TEXT)")
    db.execute("CREATE INDEX latest_air_city ON latest_air (city)")
    db.executemany("INSERT INTO latest_air VALUES (?,?,?,?,?,?,?,?)", [
        (AIR_CITY, *row[:6], row[6].astimezone(UTC).isoformat()) for row in LatestObservation.objects.filter(
            datastream__sensor__city__slug=AIR_CITY, datastream__sensor__kind="air").values_list(
            "datastream__sensor__external_id", "datastream__sensor__name", "datastream__sensor__lat",
            "datastream__sensor__lon", "datastream__property", "value", "phenomenon_time")])
    db.execute("CREATE TABLE observations (sensor TEXT, property TEXT, time TEXT, value REAL)")
    db.execute("CREATE INDEX observations_series ON observations (sensor, property, time)")
    station, prop = air_station()
    db.executemany("INSERT INTO observations VALUES (?,?,?,?)", [
        (station, prop, moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), value)
        for moment, value in Observation.objects.filter(datastream__sensor__city__slug=AIR_CITY,
                                                        datastream__sensor__external_id=station,
                                                        datastream__property=prop).values_list(
            "phenomenon_time", "value")])


def wait_up(url: str) -> None:
    import httpx

    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def tree_cpu_seconds(pids: set[int]) -> float:
    """CPU time (user and system) used so far by the processes `pids` and all their descendants (Linux /proc)."""
    parents, times = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry)], times[int(entry)] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grown = set(pids), True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(times.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def wait_settled(pids: set[int], timeout: float = 120) -> None:
    """Waits until the servers `pids` have finished starting: every worker loaded, their CPU idle for a
    second. A health check answers as soon as one worker is up, while the others are still importing and
    warming up (1-3 s of CPU each), which would fall on the first measurement."""
    if not os.path.isdir("/proc"):
        time.sleep(10)
        return
    deadline = time.monotonic() + timeout
    before = tree_cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = tree_cpu_seconds(pids)
        if now - before < 0.05:
            return
        before = now
    raise RuntimeError("the servers did not settle")


def wrk(url: str, seconds: int, script: Path | None = None, headers: dict | None = None) -> dict:
    extra = ["-s", str(script)] if script else []
    for name, value in (headers or {}).items():
        extra += ["-H", f"{name}: {value}"]
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", *extra, url], capture_output=True,
                         text=True, check=True).stdout

    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": int(errors.group(1)) if errors else 0}


def datasette_bin() -> Path:
    binary = DATASETTE_VENV / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return binary


def random_points_script(path: Path, template: str) -> Path:
    """A wrk script that asks for a new random point within ~1 km of the bench destination at every
    request, so that no two requests share an answer. `template` is the request path with `{lat}`,
    `{lon}` and, for a bbox, `{s}`, `{w}`, `{n}`, `{e}` (the walking reach around the point)."""
    from citypocket.mobility import geo

    south, west, north, east = geo.bbox_around(*SEARCH_POINT, 1000 / geo.WALK_DETOUR)
    half_lat, half_lon = (north - south) / 2, (east - west) / 2
    order = re.findall(r"\{(lat|lon|s|n|w|e)\}", template)
    lua_path = re.sub(r"\{(lat|lon|s|n|w|e)\}", "%.6f", template.replace("%", "%%"))
    values = {"lat": "lat", "lon": "lon", "s": "lat - dlat", "n": "lat + dlat", "w": "lon - dlon", "e": "lon + dlon"}
    path.write_text(
        f"local dlat, dlon = {half_lat:.6f}, {half_lon:.6f}\n"
        "math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))\n"
        "request = function()\n"
        f"  local lat = {SEARCH_POINT[0]} + (math.random() - 0.5) * 0.018\n"
        f"  local lon = {SEARCH_POINT[1]} + (math.random() - 0.5) * 0.025\n"
        f"  return wrk.format(\"GET\", string.format(\"{lua_path}\", {', '.join(values[n] for n in order)}))\n"
        "end\n"
    )
    return path


def bbox_params(max_walk_m: int = 1000) -> dict:
    from citypocket.mobility import geo

    south, west, north, east = geo.bbox_around(*SEARCH_POINT, max_walk_m / geo.WALK_DETOUR)
    return {"s": f"{south:.6f}", "w": f"{west:.6f}", "n": f"{north:.6f}", "e": f"{east:.6f}"}


def uncached_targets(ubase: str, dbase: str, db: str, arrive: str) -> dict[str, tuple[str, Path | None]]:
    """The hot reads without the edge cache (issue 18), each beside Datasette serving the same rows."""
    from django.utils import timezone

    from citypocket.cities.models import City

    city = City.objects.get(slug=AIR_CITY)
    station, prop = air_station()
    yesterday = city.local_today(timezone.now()) - timedelta(days=1)
    start, end = (moment.astimezone(UTC) for moment in city.day_bounds(yesterday))
    window = {"from": start.isoformat().replace("+00:00", "Z"), "to": end.isoformat().replace("+00:00", "Z")}
    search_path = f"/api/v1/cities/{SMALL}/car-parks/search?lat={{lat}}&lon={{lon}}&" + urlencode({"arrive_at": arrive})
    bbox_sql = ("select slug, name, sensor, capacity, available, observed_at, price_2h, lat, lon from car_parks "
                "where city = :city and lat between :s and :n and lon between :w and :e")
    bbox_path = f"/{db}.json?" + urlencode({"sql": bbox_sql, "city": SMALL, "_shape": "array"}) + \
        "&s={s}&n={n}&w={w}&e={e}"
    day_sql = ("select substr(time, 1, 13) || ':00:00Z' as hour, avg(value) as avg, min(value) as min, "
               "max(value) as max, count(*) as count from observations where sensor = :sensor and property = :property "
               "and time >= :start and time < :end group by hour order by hour")
    scripts = Path("/tmp")
    list_sql = ("select slug, name, sensor, capacity, available, observed_at, park_and_ride, lat, lon "
                "from car_parks where city = :city order by name")
    return {
        "list_uncached": (f"{ubase}/api/v1/cities/{SMALL}/car-parks", None),
        "list_datasette": (f"{dbase}/{db}.json?" + urlencode({"sql": list_sql, "city": SMALL, "_shape": "array"}),
                           None),
        "random_search": (ubase, random_points_script(scripts / "citypocket-bench-search.lua", search_path)),
        "random_search_datasette": (dbase, random_points_script(scripts / "citypocket-bench-bbox.lua", bbox_path)),
        "air_now": (f"{ubase}/api/v1/cities/{AIR_CITY}/air/now", None),
        "air_now_datasette": (f"{dbase}/{db}.json?" + urlencode({
            "sql": "select sensor, name, lat, lon, property, value, time from latest_air where city = :city "
                   "order by name, property", "city": AIR_CITY, "_shape": "array"}), None),
        "day_series": (f"{ubase}/api/v1/cities/{AIR_CITY}/sensors/{station}/observations?" + urlencode(
            {"property": prop, "resolution": "hour", **window}), None),
        "day_series_datasette": (f"{dbase}/{db}.json?" + urlencode({
            "sql": day_sql, "sensor": station, "property": prop, "start": window["from"][:19],
            "end": window["to"][:19], "_shape": "array"}), None),
        "home": (f"{ubase}/{AIR_CITY}/", None),
        # The uncached list again, asked with the ETag of its current answer: a 304 each time.
        "list_304": (f"{ubase}/api/v1/cities/{SMALL}/car-parks", None),
        # The uncached list while a new reading of one of its car parks arrives every second (readings_arriving).
        "list_readings": (f"{ubase}/api/v1/cities/{SMALL}/car-parks", None),
    }


class readings_arriving:
    """A new reading of one of the small city's car parks every `every` seconds, in turn, through the sensor
    engine's ingest, while the block runs: each one changes the list's rows (Rouen's ~20 car parks, each
    reporting every minute or so, change them about every 3 s)."""

    def __init__(self, every: float = 1.0):
        self.every, self.count, self.stop = every, 0, threading.Event()

    def _run(self) -> None:
        from django.db import connection

        from citypocket.cities.models import City
        from citypocket.sensors.ingest import ingest_observations
        from citypocket.sensors.readings import Parsed, Reading

        city = City.objects.get(slug=SMALL)
        rng = random.Random(18)
        try:
            while not self.stop.wait(self.every):
                reading = Reading(f"P-{self.count % 10:05d}", "available_spots", datetime.now(UTC).replace(microsecond=0),
                                  float(rng.randrange(400)), "1")
                ingest_observations(city=city, batch=Parsed.from_readings([reading]), source="bench")
                self.count += 1
        finally:
            connection.close()

    def __enter__(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def run_http(database_url: str, seconds: int, sqlite_path: Path, *, uncached_only: bool = False) -> dict:
    port, dport = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "off", "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_MANIFEST": "off", "SECURE_SSL_REDIRECT": "off",
           "API_READ_RATE": "100000000/min", "SIMULATOR": "off", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "600",
           "SAFETY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode()}  # DEBUG off needs one
    # The production web process, as `citypocket run` starts it (bench/common.py, web_command).
    uport = free_port()

    def gunicorn(bind_port: int, extra: dict):
        return subprocess.Popen(web_command(bind_port),
                                env={**env, **extra}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    web = gunicorn(port, {})  # default settings: 5 s micro-cache
    uncached = gunicorn(uport, {"MOBILITY_RESPONSE_CACHE_SECONDS": "0"})
    datasette = subprocess.Popen([str(datasette_bin()), "serve", str(sqlite_path), "--host", "127.0.0.1",
                                  "--port", str(dport), "--setting", "default_cache_ttl", "0"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        base, dbase = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{dport}"
        ubase = f"http://127.0.0.1:{uport}"
        wait_up(base + "/healthz")
        wait_up(ubase + "/healthz")
        wait_up(dbase + "/-/versions.json")
        started = time.monotonic()
        wait_settled({web.pid, uncached.pid, datasette.pid})
        print(f"servers settled {time.monotonic() - started:.1f} s after answering", flush=True)
        # Arrival in one hour: the prediction reads 4 weeks of history and today's trend for each candidate.
        arrive = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z")
        search_q = urlencode({"lat": SEARCH_POINT[0], "lon": SEARCH_POINT[1], "arrive_at": arrive})
        search_sql = ("select slug, name, sensor, capacity, available, observed_at, price_2h, lat, lon from car_parks "
                      "where city = :city and lat between :s and :n and lon between :w and :e")
        db = sqlite_path.stem
        import httpx

        hot = uncached_targets(ubase, dbase, db, arrive)
        for name, (url, script) in hot.items():
            if script is None:
                response = httpx.get(url, timeout=10)
                assert response.status_code == 200, (name, response.status_code, response.text[:300])
        for name, (url, script) in hot.items():
            headers = {}
            if name == "list_304":
                headers["If-None-Match"] = httpx.get(url, timeout=10).headers["ETag"]
                assert httpx.get(url, headers=headers, timeout=10).status_code == 304
            # One second first, not counted, for either server: the threads open their database
            # connections and prepare their statements at their first requests, which a server that
            # has been running has long done (measured: p99 43 ms in the first second after the
            # start, 16-24 ms in the next seven).
            wrk(url, 1, script, headers)
            if name == "list_readings":
                with readings_arriving() as arriving:
                    results[name] = wrk(url, seconds, script, headers)
                results[name]["readings"] = arriving.count
            else:
                results[name] = wrk(url, seconds, script, headers)
            print(f"{name}: {results[name]}", flush=True)
        if uncached_only:
            return results
        targets = {
            "list": f"{base}/api/v1/cities/{SMALL}/car-parks",
            "search": f"{base}/api/v1/cities/{SMALL}/car-parks/search?{search_q}",
            "search_datasette": f"{dbase}/{db}.json?" + urlencode(
                {"sql": search_sql, "city": SMALL, "_shape": "array", **bbox_params()}),
            "search_10k": f"{base}/api/v1/cities/{LARGE}/car-parks/search?{search_q}",
            "search_uncached": f"{ubase}/api/v1/cities/{SMALL}/car-parks/search?{search_q}",
            "search_10k_uncached": f"{ubase}/api/v1/cities/{LARGE}/car-parks/search?{search_q}",
        }
        for name, url in targets.items():
            response = httpx.get(url, timeout=10)
            assert response.status_code == 200, (name, response.status_code, response.text[:300])
            if name.startswith("search") and not name.endswith("datasette"):
                body = response.json()
                methods = sorted({f['properties']['predicted']['method'] for f in body['features']})
                print(f"  {name}: {len(body['features'])} results, {methods}", flush=True)
        for name, url in targets.items():
            results[name] = wrk(url, seconds)
            print(f"{name}: {results[name]}", flush=True)
    finally:
        for process in (web, uncached, datasette):
            process.terminate()
        for process in (web, uncached, datasette):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's graceful stop takes long
                process.kill()
                process.wait()
    return results


# --- Prediction backtest --------------------------------------------------------------------


def backtest(days: int = 14, car_parks: int = 20, seed: int = 5) -> list[dict]:
    """Mean absolute error (free spaces) of the prediction vs "free now", on two simulated histories.

    For each car park, every 30 minutes between 07:00 and 20:00 local over `days` days after four
    weeks of history, predict the free spaces 30, 60 and 120 minutes ahead.
    """
    from zoneinfo import ZoneInfo

    from citypocket.mobility import history, prediction
    from citypocket.sensors import simulator

    tz = "Europe/Paris"
    capacity = 400
    step = timedelta(minutes=15)
    start = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday; history starts 4 weeks before the test days
    rng = random.Random(seed)

    def mobility_source(key: str):
        return lambda moment: history.free_spaces(key=key, capacity=capacity, moment=moment, tz=tz)

    def simulator_source(key: str):
        sensor = SimpleNamespace(name=key, metadata={})

        def value(moment):
            local = moment.astimezone(ZoneInfo(tz))
            made = simulator.value_for(prop="available_spots", sensor=sensor, local=local, capacity=capacity,
                                       seed=f"{key}:{moment.isoformat()}")
            return made[0]

        return value

    def windows(source, moment):
        out = {}
        for k in range(1, prediction.HISTORY_WEEKS + 1):
            centre = moment - timedelta(weeks=k)
            first = centre - prediction.WINDOW
            first += (-first.minute % 15) * timedelta(minutes=1) - timedelta(seconds=first.second)
            values, t = [], first
            while t < centre + prediction.WINDOW:
                values.append(source(t))
                t += step
            out[k] = values
        return out

    rows = []
    for label, make in (("mobility demo history (day-to-day variation)", mobility_source),
                        ("sensor-engine simulator (same curve every week)", simulator_source)):
        for horizon in (30, 60, 120):
            err_model, err_now, n = 0.0, 0.0, 0
            for cp in range(car_parks):
                source = make(f"bench-{cp}-{rng.random()}")
                for day in range(days):
                    for half_hour in range(14 * 2, 40 * 2, 2):  # 07:00-20:00 local (UTC+1/+2)
                        now = start + timedelta(days=day, minutes=15 * half_hour)
                        arrive = now + timedelta(minutes=horizon)
                        truth = source(arrive)
                        free_now = int(source(now))
                        hist = {"arrival": windows(source, arrive), "now": windows(source, now)}
                        guess = prediction.predict(history=hist, free_now=free_now, capacity=capacity, now=now,
                                                   arrive_at=arrive)
                        err_model += abs(guess.free - truth)
                        err_now += abs(free_now - truth)
                        n += 1
            rows.append({"history": label, "horizon": horizon, "n": n, "mae_model": err_model / n,
                         "mae_now": err_now / n})
            print(rows[-1], flush=True)
    return rows


HOT_TARGETS = (  # (label, result, Datasette's result or None, target ratio or None)
    ("`GET …/car-parks` (10 car parks)", "list_uncached", "list_datasette", 2.0),
    ("`GET …/car-parks/search`, a new random destination each request", "random_search",
     "random_search_datasette", 1.0),
    ("`GET /api/v1/cities/rouen/air/now`", "air_now", "air_now_datasette", 2.0),
    ("a day of hourly means of one station (`…/observations?resolution=hour`)", "day_series",
     "day_series_datasette", 2.0),
    ("city home `/rouen/` (HTML)", "home", None, None),
    ("`GET …/car-parks` with `If-None-Match` (304)", "list_304", None, None),
    ("`GET …/car-parks` (10) while a new reading arrives every second", "list_readings", "list_datasette", 2.0),
)


def uncached_markdown(http: dict, seconds: int) -> str:
    """The hot reads without the edge cache beside Datasette (one run), with the ratios and targets."""
    out = [
        f"Without the edge cache (`MOBILITY_RESPONSE_CACHE_SECONDS=0`), `wrk -t1 -c8 -d{seconds}s`, same run, "
        "each read after one second of warm-up that is not counted (both servers). "
        "Datasette serves the same rows from SQLite: the car-park rows, a bbox `select` around a new random "
        "point each request (wrk script), the latest air rows of the city, and the station's raw rows of the "
        "day grouped by hour.",
        "",
        "| read | CityPocket req/s | p99 ms | Datasette req/s | p99 ms | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for label, name, peer, target in HOT_TARGETS:
        if name not in http:
            continue
        mine = http[name]
        if peer and peer in http:
            ratio = mine["rps"] / http[peer]["rps"]
            out.append(f"| {label} | {mine['rps']:,.0f} | {mine['p99']:.1f} | {http[peer]['rps']:,.0f} | "
                       f"{http[peer]['p99']:.1f} | {ratio:.2f}x | >= {target:g}x, p99 <= 20 ms |")
            verdicts.append((f"{name} >= {target:g}x", ratio >= target))
            verdicts.append((f"{name} p99 <= 20 ms", mine["p99"] <= 20))
        else:
            goal = ">= 500 req/s" if name == "home" else ""
            out.append(f"| {label} | {mine['rps']:,.0f} | {mine['p99']:.1f} | — | — | — | {goal} |")
            if name == "home":
                verdicts.append(("home >= 500 req/s", mine["rps"] >= 500))
    if "list_readings" in http:
        out += ["", f"While the list was read with readings arriving, {http['list_readings']['readings']} readings "
                "were ingested (one a second, each changing the list's rows): the list was made again after each."]
    out += ["", "Targets on this run: " + "; ".join(
        f"{name} {'met' if ok else '**not met**'}" for name, ok in verdicts) + ".",
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."]
    return "\n".join(out)


def markdown(http: dict, backtest_rows: list[dict], seconds: int) -> str:
    def line(label, r):
        return f"| {label} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"

    ratio_list = http["list"]["rps"] / http["list_datasette"]["rps"]
    ratio_search = http["search"]["rps"] / http["search_datasette"]["rps"]
    scale = http["search_10k_uncached"]["p50"] / http["search_uncached"]["p50"]
    out = [
        f"Command: `make bench-mobility` (`bench/mobility.py`), `wrk -t1 -c8 -d{seconds}s --latency` on loopback. "
        f"CityPocket: {web_description()}, running `citypocket.wsgi` (as `citypocket run`), PostgreSQL, "
        "DEBUG off, persistent connections (`DB_CONN_MAX_AGE=600`), with the default 5 s edge cache in front of "
        "Django (docs/architecture.md) and without it (`MOBILITY_RESPONSE_CACHE_SECONDS=0`: every request goes "
        "through Django and reads the database). The search asks for an arrival in one hour, so each answer "
        "predicts from 4 weeks of history and today's trend. Peer: Datasette (latest from PyPI, throwaway venv) "
        "serving the same car-park rows from SQLite with parameterised SQL, same run.",
        "",
        "| endpoint | requests/s | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
        line("`GET …/car-parks` (10 car parks, GeoJSON, live status; edge cache)", http["list"]),
        line("Datasette: same rows, `select … where city = :city`", http["list_datasette"]),
        line("`GET …/car-parks/search` (10 car parks; edge cache)", http["search"]),
        line("Datasette: bbox `select` (no ranking, no prediction)", http["search_datasette"]),
        line("`GET …/car-parks/search` (10 000 car parks; edge cache)", http["search_10k"]),
        line("no edge cache: `GET …/car-parks` (10)", http["list_uncached"]),
        line("no edge cache: `GET …/car-parks/search` (10)", http["search_uncached"]),
        line("no edge cache: `GET …/car-parks/search` (10 000)", http["search_10k_uncached"]),
        "",
        f"- list vs Datasette: **{ratio_list:.2f}x** (target >= 5x); p99 {http['list']['p99']:.1f} ms (target <= 20 ms).",
        f"- search vs Datasette: **{ratio_search:.2f}x** (target >= 5x); p99 {http['search']['p99']:.1f} ms "
        "(target <= 20 ms).",
        f"- without the edge cache, vs Datasette: list **{http['list_uncached']['rps'] / http['list_datasette']['rps']:.2f}x**, "
        f"search **{http['search_uncached']['rps'] / http['search_datasette']['rps']:.2f}x**: each answer then goes "
        "through Django's middleware, the ORM and, for the search, the prediction (Datasette's bbox `select` does "
        "no ranking). The edge cache pays off when many people ask the same thing within seconds (the list, the "
        "places of the destination picker); a search for a new point costs the uncached figure.",
        f"- search with 10 000 car parks vs 10 (no edge cache): p50 **{scale:.2f}x** (target <= 2x); with the edge "
        f"cache p99 {http['search_10k']['p99']:.1f} ms vs {http['search']['p99']:.1f} ms. The 10 000 are spread "
        "over a 55 km metropolis, none within 1.5 km of the destination, so both searches rank the same nearby "
        "car parks; the large city has 20 more P+Rs, of which the search predicts only the quickest few.",
        "",
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other processes "
        "on the machine during the run inflate the tail latencies of both servers; rerun on an idle machine "
        "before judging p99).",
        "",
        "Targets on this run: " + "; ".join(
            f"{name} {'met' if ok else '**not met**'}" for name, ok in (
                ("list >= 5x Datasette", ratio_list >= 5),
                ("list p99 <= 20 ms", http["list"]["p99"] <= 20),
                ("search >= 5x Datasette", ratio_search >= 5),
                ("search p99 <= 20 ms", http["search"]["p99"] <= 20),
                ("search 10 000 vs 10 <= 2x", scale <= 2),
            )) + ".",
        "",
        "Prediction backtest (free spaces at arrival; mean absolute error in spaces, capacity 400; "
        "4 weeks of history every 15 min; 20 car parks x 14 days x every 30 min 07:00-20:00 local):",
        "",
        "| simulated history | horizon | predictions | MAE prediction | MAE \"free now\" |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in backtest_rows:
        out.append(f"| {row['history']} | {row['horizon']} min | {row['n']:,} | {row['mae_model']:.1f} | "
                   f"{row['mae_now']:.1f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--write-docs", action="store_true", help="replace the Mobility section of docs/benchmarks.md")
    parser.add_argument("--skip-build", action="store_true", help="reuse the bench cities of the last run")
    parser.add_argument("--uncached-only", action="store_true",
                        help="only the hot reads without the edge cache beside Datasette (no backtest)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench-mobility drives the servers with wrk: install it first (Debian: apt-get install wrk).")
    setup_django(args.database_url)
    now = datetime.now(UTC)
    ensure_air_city()
    if not args.skip_build:
        rng = random.Random(5)
        build_city(SMALL, 10, now, rng)
        build_city(LARGE, 10_000, now, rng)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for slug in (SMALL, LARGE):
        fresh_traffic(slug, datetime.now(UTC))
    sqlite_path = Path("/tmp/citypocket_bench_mobility.db")
    sqlite_copy(sqlite_path)
    http = run_http(args.database_url, args.seconds, sqlite_path, uncached_only=args.uncached_only)
    uncached = uncached_markdown(http, args.seconds)
    if args.uncached_only:
        print(uncached)
        return
    rows = backtest()
    text = markdown(http, rows, args.seconds) + "\n\n" + uncached
    print(text)
    if args.write_docs:
        write_docs("Mobility", text)


if __name__ == "__main__":
    main()
