""" "Air now" as the worker stores it (air.now): the same bytes and ETag as the answer built live, one query
to give it, and never given once anything it was made of has changed or its time has passed."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citypocket.air import now as air_now
from citypocket.air import selectors, services
from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirIndexDaily, AirNowAnswer, AirNowState, Source
from citypocket.air.tests.factories import run_air_worker
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Sensor
from citypocket.sensors.readings import Parsed, Reading

pytestmark = pytest.mark.django_db

AIR_NOW = "/api/v1/cities/rouen/air/now"


def top_of_hour():
    return timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def ingest(city, *readings) -> None:
    """A batch of readings stored, and its listeners run as after its commit (the test's transaction
    never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        ingest_observations(city=city, batch=Parsed.from_readings(list(readings)), source="test")


def pm10(value, *, hours_ago: float = 0, sensor="FR25036") -> Reading:
    return Reading(sensor=sensor, property="pm10", time=top_of_hour() - timedelta(hours=hours_ago), value=value,
                   unit="ug/m3")


@pytest.fixture
def stored(rouen):
    """Rouen's demo stations, one of them with six hours of PM10, and the worker's run: "air now" stored."""
    ensure_demo_stations()
    ingest(rouen, *(pm10(20.0 + h, hours_ago=h) for h in range(6)))
    run_air_worker()
    return rouen


def live(city, language, at=None):
    return air_now.answer(selectors.get_air_now(city=city, now=at or timezone.now()), language)


def stored_answer(city, language, at=None):
    return selectors.get_stored_air_now(city=city, language=language, now=at or timezone.now())


def reads(queries) -> list[dict]:
    """The queries of a GET but the city's (read once a minute by a process, at each request in tests:
    CITY_CACHE_SECONDS)."""
    return [query for query in queries.captured_queries if '"cities_city"' not in query["sql"]]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_stored_answer_is_the_live_one_and_is_given_in_one_query(stored, language):
    """Byte for byte and ETag for ETag what the live read builds; the GET reads one row, and its 304 too."""
    assert AirNowAnswer.objects.filter(city=stored).count() == 2  # one per language
    expected = live(stored, language)
    assert stored_answer(stored, language) == (expected.etag, expected.body())
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AIR_NOW, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.content == expected.body() and response["ETag"] == expected.etag
    assert len(reads(queries)) == 1 and "SELECT a.etag, a.body FROM air_airnowanswer" in reads(queries)[0]["sql"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(AIR_NOW, HTTP_ACCEPT_LANGUAGE=language, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and len(reads(queries)) == 1


def test_new_readings_are_shown_at_once_before_the_worker_stores_again(stored):
    """The ingest listener moves the generation on: the next GET is the live answer with the new value."""
    before = Client().get(AIR_NOW).json()
    ingest(stored, Reading(sensor="FR25036", property="no2", time=top_of_hour(), value=41.0, unit="ug/m3"))
    assert stored_answer(stored, "fr") is None
    response = Client().get(AIR_NOW)
    station = next(item for item in response.json()["stations"] if item["code"] == "FR25036")
    assert station["values"]["no2"]["value"] == 41.0
    assert response.json() != before and response.content == live(stored, "fr").body()
    run_air_worker()  # the worker stores it again: given from the row, the same bytes
    assert stored_answer(stored, "fr")[1] == response.content


@pytest.mark.parametrize("change", ["station renamed", "station retired", "official index", "city renamed"])
def test_any_change_to_what_it_is_made_of_stops_the_stored_answer(stored, change):
    if change == "station renamed":
        sensor = Sensor.objects.get(city=stored, external_id="FR25036")
        sensor.name = "Rouen - Palais de justice (renamed)"
        sensor.save()
    elif change == "station retired":
        sensor = Sensor.objects.get(city=stored, external_id="FR25036")
        sensor.is_active = False
        sensor.save()
    elif change == "official index":
        AirIndexDaily.objects.create(
            city=stored, date=stored.local_today(), scale="atmo-2021", version="2021", level=4,
            source=Source.OFFICIAL, zone_code=stored.insee_codes[0], zone_name="Rouen", computed_at=timezone.now(),
        )
    else:
        stored.name = "Rouen (Métropole)"
        stored.save()
    assert stored_answer(stored, "fr") is None and stored_answer(stored, "en") is None
    response = Client().get(AIR_NOW)
    assert response.content == live(stored, "fr").body()


def test_it_is_not_given_once_a_station_turns_stale_or_the_day_ends(stored):
    """Valid until the fresh station's latest value is three hours old, and never past the local day."""
    latest = top_of_hour()
    valid_until = AirNowAnswer.objects.get(city=stored, language="fr").valid_until
    assert valid_until == min(latest + selectors.STALE_AFTER, stored.day_bounds(stored.local_today())[1])
    assert stored_answer(stored, "fr", at=valid_until - timedelta(seconds=1)) is not None
    assert stored_answer(stored, "fr", at=valid_until) is None
    later = air_now.read(stored, "fr", at=latest + selectors.STALE_AFTER + timedelta(minutes=1))
    station = next(item for item in later.build()["stations"] if item["code"] == "FR25036")
    assert station["stale"] is True


def test_an_answer_built_for_a_later_moment_is_not_given_before_it(stored):
    services.store_air_now(city=stored, now=timezone.now() + timedelta(hours=1))
    assert stored_answer(stored, "fr") is None


def test_a_change_while_the_worker_builds_leaves_its_answer_unused(stored, monkeypatch):
    """The generation is read before the state: a change stored in between is not hidden by the answer."""
    real = selectors.get_air_now

    def read_then_change(**kwargs):
        snapshot = real(**kwargs)
        ingest(stored, pm10(80.0, hours_ago=0.5))  # stored after the worker read the state
        return snapshot

    monkeypatch.setattr(services, "get_air_now", read_then_change)
    generation = services.store_air_now(city=stored)
    assert AirNowState.objects.get(city=stored).generation > generation
    assert stored_answer(stored, "fr") is None
