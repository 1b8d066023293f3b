"""Reads never write: the public GETs people use most only read what the worker and the ingest
listeners stored, even right after new readings arrived (no INSERT, UPDATE or DELETE, so no write lock).

The API's read limit counts in Redis when REDIS_URL is set, else in the web process's memory (see
core.throttling): never in the database, so that even the counter of a read is no write there.
"""

import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirIndexDaily
from citypocket.air.tests.factories import run_air_worker
from citypocket.cities.selectors import forget_cities, get_city
from citypocket.mobility import demo as mobility_demo
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from testsupport import local_moment, pin_now

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def is_write(sql: str) -> bool:
    return bool(WRITE.match(sql))

HOT_READS = [
    "/",
    "/rouen/",
    "/aix-en-provence/",
    "/rouen/air/",
    "/rouen/parking/",
    "/rouen/participate/",
    "/rouen/safety/",
    "/api/v1/cities/rouen/air/now",
    "/api/v1/cities/rouen/air/stations",
    "/api/v1/cities/rouen/air/indices",
    "/api/v1/cities/rouen/air/indices?format=csv",
    "/api/v1/cities/rouen/car-parks",
    "/api/v1/cities/rouen/car-parks/search?lat=49.4431&lon=1.0993",
    "/api/v1/cities/rouen/car-parks/search?lat=49.4431&lon=1.0993&arrive_at={in_an_hour}",
    "/api/v1/cities/rouen/traffic",
    "/api/v1/cities/rouen/sensors",
    "/api/v1/cities/rouen/sensors?kind=air",
    "/api/v1/cities/rouen/sensors/FR25036/observations?property=pm10&resolution=hour",
    "/api/v1/cities/rouen/search?q=parking",
    "/api/v1/cities/aix-en-provence/air/now",
    "/api/v1/cities/aix-en-provence/car-parks",
]


def ingest_hours(city, *, pm10: float, hours: range) -> None:
    """Hourly PM10 readings `hours` hours before the current hour."""
    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    readings = [Reading(sensor="FR25036", property="pm10", time=top - timedelta(hours=h), value=pm10,
                        unit="ug/m3") for h in hours]
    result = ingest_observations(city=city, batch=Parsed.from_readings(readings), source="test")
    assert result.accepted == len(hours)


@pytest.mark.parametrize("path", HOT_READS)
def test_a_public_get_writes_nothing_even_after_new_readings(rouen, aix, path):
    """The stored index is older than the newest readings (the worker has not run again yet): the GET
    still only reads, and answers what was stored."""
    ensure_demo_stations()
    mobility_demo.load(history=False)
    ingest_hours(rouen, pm10=20.0, hours=range(1, 4))
    run_air_worker()
    ingest_hours(rouen, pm10=400.0, hours=range(0, 1))  # newer than what the stored index used
    client = Client()
    in_an_hour = (timezone.now() + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = path.format(in_an_hour=in_an_hour)  # an arrival the prediction reads history for
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, path
    writes = [query["sql"] for query in queries.captured_queries if is_write(query["sql"])]
    assert writes == [], path


def test_the_worker_brings_the_stored_index_up_to_date(rouen, monkeypatch):
    """What the GET did not do, the worker's periodic refresh does: the next read shows the new level."""
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=20, minute=15))  # a day with 20 hours behind it
    ensure_demo_stations()
    ingest_hours(rouen, pm10=20.0, hours=range(1, 20))
    run_air_worker()
    before = Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]["level"]
    ingest_hours(rouen, pm10=400.0, hours=range(0, 1))
    assert Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]["level"] == before
    run_air_worker()
    after = Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]["level"]
    assert after > before
    assert AirIndexDaily.objects.get(city=rouen, station__isnull=True, date=rouen.local_today()).level == after


def test_the_read_limit_still_refuses_without_touching_the_database(rouen, settings):
    """Without Redis the read limit counts in the process: over the rate a 429, and no query on the cache table."""
    settings.API_READ_RATE = "3/min"
    table = settings.CACHES["default"]["LOCATION"]
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        statuses = [client.get("/api/v1/cities").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert not [query["sql"] for query in queries.captured_queries if table in query["sql"]]


@pytest.mark.parametrize(("path", "budget"), [
    ("/api/v1/cities/rouen/air/now", 3),  # the city, the stored indices of today and tomorrow, stations with latest values
    ("/api/v1/cities/rouen/car-parks", 2),  # the city, the car parks with their latest reading (joined)
    ("/api/v1/cities/rouen/traffic", 2),  # the city, the counting points with their latest values (joined)
])
def test_a_hot_read_costs_a_few_queries_whatever_the_number_of_stations(rouen, path, budget,
                                                                        django_assert_max_num_queries):
    ensure_demo_stations()
    mobility_demo.load(history=False)
    ingest_hours(rouen, pm10=20.0, hours=range(0, 3))
    run_air_worker()
    with django_assert_max_num_queries(budget):
        assert Client().get(path).status_code == 200


def test_a_city_home_reuses_its_tiles_for_a_few_seconds(rouen, settings, django_assert_max_num_queries):
    """HOME_TILE_CACHE_SECONDS: the second home within the window reads no tile's data; the tiles are the same."""
    settings.HOME_TILE_CACHE_SECONDS = 5
    ensure_demo_stations()
    mobility_demo.load(history=False)
    first = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr")
    # the city, the cities of the shell's switcher, and the alerts in force (the banner is reused
    # only while they are the same: an alert shows on the next page)
    with django_assert_max_num_queries(3):
        again = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr")
    assert again.content.count(b'class="tile ') == first.content.count(b'class="tile ') > 3
    english = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="en")  # its own tiles, in its language
    assert b"What matters now in Rouen" in english.content


def test_a_looked_up_city_is_reused_until_it_changes(rouen, settings, django_assert_num_queries):
    """CITY_CACHE_SECONDS: the second read of a city costs no query; a saved change applies at once."""
    settings.CITY_CACHE_SECONDS = 60
    forget_cities()
    get_city(slug="rouen").name = "changed on one request only"
    with django_assert_num_queries(0):
        assert get_city(slug="rouen").name == rouen.name
    rouen.name = "Rouen-sur-Seine"
    rouen.save()
    with django_assert_num_queries(1):
        assert get_city(slug="rouen").name == "Rouen-sur-Seine"
    forget_cities()
