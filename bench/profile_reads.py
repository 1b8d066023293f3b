"""Profile of the hot reads without the edge cache: where a request's time goes, and its queries.

Calls the production WSGI application (`citypocket.wsgi`, DEBUG off, MOBILITY_RESPONSE_CACHE_SECONDS=0)
in-process, so that the profile holds Django's middleware, ninja, the ORM and the JSON rendering
but no network. For each read: the mean time per request, the number of SQL queries, and the
functions with the largest cumulative time (cProfile).

    .venv/bin/python bench/profile_reads.py --database-url postgres://…/citypocket_bench [--requests 300] [--top 25] [--only list] [--sql] [--sort tottime]

Run `make bench-mobility` once before, so that its bench city exists (the air reads use Rouen's demo).
"""

import argparse
import base64
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from common import ROOT


def production_environment(database_url: str) -> None:
    os.environ.update({
        "DATABASE_URL": database_url, "DEBUG": "off", "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1", "STATIC_MANIFEST": "off", "SECURE_SSL_REDIRECT": "off",
        "API_READ_RATE": "100000000/min", "SIMULATOR": "off", "LOG_LEVEL": "WARNING",
        "MOBILITY_RESPONSE_CACHE_SECONDS": "0", "DJANGO_SETTINGS_MODULE": "citypocket.settings",
        "SAFETY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    })


def call(application, path: str, query: str = "", headers: dict | None = None) -> tuple[str, bytes, dict]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT_LANGUAGE": "fr", **(headers or {}),
    }
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = dict(headers)

    result = application(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return captured["status"], body, captured["headers"]


def day_series_query() -> str:
    """The query of bench/mobility.py's day series: yesterday's hourly means of Rouen's first PM10 station."""
    from django.utils import timezone

    from citypocket.cities.models import City
    from citypocket.sensors.models import Datastream

    city = City.objects.get(slug="rouen")
    stream = (Datastream.objects.filter(sensor__city=city, sensor__kind="air", property="pm10")
              .select_related("sensor").order_by("sensor__external_id").first())
    yesterday = city.local_today(timezone.now()) - timedelta(days=1)
    start, end = (moment.astimezone(UTC).isoformat().replace("+00:00", "Z") for moment in city.day_bounds(yesterday))
    path = f"/api/v1/cities/rouen/sensors/{stream.sensor.external_id}/observations"
    return path, urlencode({"property": "pm10", "resolution": "hour", "from": start, "to": end})


# Reads whose name ends with this are asked again with the ETag of their answer: a 304 each time.
NOT_MODIFIED = " (304)"


def reads(city: str) -> dict[str, tuple[str, str]]:
    arrive = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z")
    return {
        "car-park list": (f"/api/v1/cities/{city}/car-parks", ""),
        "search (arrival in 1 h)": (f"/api/v1/cities/{city}/car-parks/search",
                                    urlencode({"lat": 45.0005, "lon": 4.0005, "arrive_at": arrive})),
        # As a client writing a float in full sends it (JavaScript's String(number)).
        "search (coordinates in full)": (f"/api/v1/cities/{city}/car-parks/search",
                                         urlencode({"lat": "45.000512345678912", "lon": "4.0005123456789123",
                                                    "arrive_at": arrive})),
        "traffic": ("/api/v1/cities/rouen/traffic", ""),
        "air now": ("/api/v1/cities/rouen/air/now", ""),
        "latest sensor values": ("/api/v1/cities/rouen/sensors", ""),
        "day series": day_series_query(),
        "car-park list" + NOT_MODIFIED: (f"/api/v1/cities/{city}/car-parks", ""),
        "air now" + NOT_MODIFIED: ("/api/v1/cities/rouen/air/now", ""),
        "day series" + NOT_MODIFIED: day_series_query(),
        "city home": ("/rouen/", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--city", default="bench-mobility-10")
    parser.add_argument("--only", help="profile only the reads whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print each read's queries")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative (default), tottime…")
    args = parser.parse_args()
    production_environment(args.database_url)
    sys.path.insert(0, str(ROOT))
    from django.db import connection, reset_queries

    from citypocket.wsgi import application

    for name, (path, query) in reads(args.city).items():
        if args.only and args.only not in name:
            continue
        status, body, headers = call(application, path, query)
        assert status.startswith("200"), (name, status, body[:300])
        conditional = {"HTTP_IF_NONE_MATCH": headers["ETag"]} if name.endswith(NOT_MODIFIED) else {}
        if conditional:
            status, body, _headers = call(application, path, query, conditional)
            assert status.startswith("304"), (name, status, body[:300])
        connection.force_debug_cursor = True
        reset_queries()
        call(application, path, query, conditional)
        queries = len(connection.queries)
        if args.sql:
            print("\n".join(query["sql"][:300] for query in connection.queries))
        connection.force_debug_cursor = False
        # Unprofiled first: wall time and this process's CPU time per request. On a shared machine
        # the CPU time is the steadier figure (it leaves out waiting for the CPU and for PostgreSQL).
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            call(application, path, query, conditional)
        wall = (time.perf_counter() - wall) / args.requests * 1000
        cpu = (time.process_time() - cpu) / args.requests * 1000
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.requests):
            call(application, path, query, conditional)
        profile.disable()
        spent = (time.perf_counter() - started) / args.requests * 1000
        print(f"\n=== {name}: {cpu:.2f} ms CPU/request, {wall:.2f} ms wall (unprofiled), {spent:.2f} ms profiled, "
              f"{queries} queries, {len(body)} bytes")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
