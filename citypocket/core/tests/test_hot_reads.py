"""The hot reads' fast path (core.http): answers rendered without ninja's output validation must be
exactly what the validation would have given, their ETags come from what was read (so a 304 is
given before the answer is built), and an anonymous GET leaves no trace (no cookie, no session).
"""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.messages.middleware import MessageMiddleware
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy, override
from ninja.responses import NinjaJSONEncoder

from citypocket.air.schemas import AirNowOut
from citypocket.cities.selectors import forget_cities
from citypocket.core.http import Read, render_json
from citypocket.mobility import demo as mobility_demo
from citypocket.mobility.schemas import TrafficCollection
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.schemas import ObservationSeries, SensorCollection
from testsupport import assert_problem

pytestmark = pytest.mark.django_db

AIR_NOW = "/api/v1/cities/rouen/air/now"


def series_url(**params) -> str:
    return "/api/v1/cities/rouen/sensors/FR25036/observations?" + urlencode({"property": "pm10", **params})


def day_window() -> dict:
    end = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return {"from": (end - timedelta(days=1)).isoformat(), "to": end.isoformat()}


def validated(body: bytes, schema, *, exclude_none: bool = False) -> bytes:
    """What ninja would have sent for this answer: its schema's validation, rendered as the hot reads are."""
    dumped = schema.model_validate(json.loads(body)).model_dump(exclude_none=exclude_none)
    return render_json(dumped)


def test_the_hot_reads_render_the_values_ninja_renders():
    """orjson writes the hot reads, with ninja's encoder for what it does not write itself: dates,
    decimals and translations read as in every other answer of the API, in UTF-8."""
    data = {
        "observed_at": datetime(2026, 12, 2, 17, 5, 9, 123456, tzinfo=UTC),
        "local": datetime(2026, 12, 2, 18, 5, 9, tzinfo=timezone.get_fixed_timezone(60)),
        "day": date(2026, 12, 2),
        "price": Decimal("1.50"),
        "label": gettext_lazy("Full"),
        "name": "Théâtre des Arts — P+R « Mont-Riboudet »",
        "values": [1, 2.5, None, True],
        1: "an int key",
    }
    with override("fr"):
        rendered = render_json(data)
        ninja = json.dumps(data, cls=NinjaJSONEncoder)
    assert json.loads(rendered) == json.loads(ninja)
    assert b'"observed_at":"2026-12-02T17:05:09.123Z"' in rendered  # milliseconds and Z, as ninja
    assert b'"price":"1.50"' in rendered and b'"label":"Complet"' in rendered
    assert "Théâtre".encode() in rendered  # UTF-8, not \u escapes


@pytest.mark.parametrize("language", ["fr", "en"])
def test_air_now_is_exactly_what_its_schema_gives(air, language):
    """Every field in the AirNowOut shape (a station's `atmo_today` is the index alone), stale flags included."""
    response = Client().get(AIR_NOW, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == validated(response.content, AirNowOut)
    stations = response.json()["stations"]
    assert {station["stale"] for station in stations} == {False, True}  # FR25036 fresh, the others silent
    fresh = next(station for station in stations if station["code"] == "FR25036")
    assert set(fresh["atmo_today"]) == {"scale", "version", "level", "label", "colour", "dominant", "sub_indices"}


@pytest.mark.parametrize("params", [
    {"resolution": "hour"},
    {"resolution": "day"},
    {"resolution": "raw", "limit": 5},  # a page with a `next` link
    {"resolution": "raw"},  # the last page: no `next` member
])
def test_observation_series_is_exactly_what_its_schema_gives(air, params):
    response = Client().get(series_url(**params, **day_window()))
    assert response.status_code == 200
    assert response.content == validated(response.content, ObservationSeries, exclude_none=True)
    body = response.json()
    assert body["items"]
    assert ("next" in body) == (params.get("limit") == 5)
    if params["resolution"] != "raw":
        assert set(body["items"][0]) == {"time", "avg", "min", "max", "count"}


@pytest.mark.parametrize("kind", ["", "?kind=air", "?kind=parking"])
def test_latest_sensor_values_are_exactly_what_their_schema_gives(air, kind):
    mobility_demo.load(history=False)
    response = Client().get(f"/api/v1/cities/rouen/sensors{kind}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response.content == validated(response.content, SensorCollection)
    assert response.json()["features"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_traffic_is_exactly_what_its_schema_gives(rouen, language):
    """The counting points rendered without ninja's validation: the bytes its validation would give,
    as GeoJSON (the media type the API gives every FeatureCollection, and its OpenAPI documents)."""
    mobility_demo.load(history=False)
    response = Client().get("/api/v1/cities/rouen/traffic", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response.content == validated(response.content, TrafficCollection)
    features = response.json()["features"]
    assert features and {feature["properties"]["congestion"] for feature in features} <= {
        "fluide", "pre_sature", "sature", "bloque", "unknown"}


@pytest.mark.parametrize(("path", "budget"), [(AIR_NOW, 3), ("/api/v1/cities/rouen/sensors", 2), ("series", 3)])
def test_a_304_comes_from_what_was_read_before_the_answer_is_built(air, path, budget, monkeypatch,
                                                                   django_assert_max_num_queries):
    """The client's ETag is checked against the read's freshness key: the 304 keeps the answer's caching
    headers, costs no more queries than the 200 (the city, then the read's own) and renders no body."""
    path = series_url(resolution="hour", **day_window()) if path == "series" else path
    client = Client()
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]

    def no_body(*args, **kwargs):
        raise AssertionError("the answer was built for a 304")

    monkeypatch.setattr(Read, "body", no_body)
    with django_assert_max_num_queries(budget):
        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == first["Cache-Control"]
    assert "public" in again["Cache-Control"]
    assert again["Vary"] == first["Vary"]
    assert again["Content-Language"] == first["Content-Language"]


def test_an_etag_changes_with_what_the_answer_is_made_of(air, monkeypatch):
    """A new reading, another language and a station turning stale each give another ETag."""
    client = Client()
    before = client.get(AIR_NOW, HTTP_ACCEPT_LANGUAGE="fr")
    assert client.get(AIR_NOW, HTTP_ACCEPT_LANGUAGE="fr")["ETag"] == before["ETag"]  # stable when nothing changed
    assert client.get(AIR_NOW, HTTP_ACCEPT_LANGUAGE="en")["ETag"] != before["ETag"]
    assert client.get(AIR_NOW + "?lang=en", HTTP_ACCEPT_LANGUAGE="fr")["ETag"] != before["ETag"]
    series_before = client.get(series_url(resolution="hour", **day_window()))["ETag"]
    sensors_before = client.get("/api/v1/cities/rouen/sensors")["ETag"]

    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the listeners run as after the batch's commit
        ingest_observations(city=air, batch=Parsed.from_readings([
            Reading(sensor="FR25036", property="pm10", time=top - timedelta(hours=2, minutes=30), value=99.0,
                    unit="ug/m3"),  # late: a past hour of the series changes
            Reading(sensor="FR25036", property="no2", time=top, value=41.0, unit="ug/m3"),  # a new latest value
        ]), source="test")
    after = client.get(AIR_NOW, HTTP_IF_NONE_MATCH=before["ETag"], HTTP_ACCEPT_LANGUAGE="fr")
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert client.get(series_url(resolution="hour", **day_window()), HTTP_IF_NONE_MATCH=series_before).status_code == 200
    assert client.get("/api/v1/cities/rouen/sensors", HTTP_IF_NONE_MATCH=sensors_before).status_code == 200

    later = timezone.now() + timedelta(hours=4)  # every station stale now
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    stale = client.get(AIR_NOW, HTTP_IF_NONE_MATCH=after["ETag"], HTTP_ACCEPT_LANGUAGE="fr")
    assert stale.status_code == 200
    assert all(station["stale"] for station in stale.json()["stations"])


def test_problems_and_other_validators_are_unchanged(air):
    """Unknown city, sensor or property: the problem bodies; If-Match on a changed answer: 412 as before."""
    assert_problem(Client().get("/api/v1/cities/nowhere/air/now"), 404)
    assert_problem(Client().get("/api/v1/cities/rouen/sensors/NOPE/observations?property=pm10"), 404)
    missing = Client().get("/api/v1/cities/rouen/sensors/FR25036/observations?property=nope")
    assert_problem(missing, 404)
    assert missing.json()["detail"] == "This sensor does not observe this property."
    assert Client().get(AIR_NOW, HTTP_IF_NONE_MATCH='"not-this-one"').status_code == 200
    assert Client().get(AIR_NOW, HTTP_IF_MATCH='"not-this-one"').status_code == 412
    assert Client().get(AIR_NOW, HTTP_IF_NONE_MATCH="*").status_code == 304


@pytest.mark.parametrize("path", [AIR_NOW, "/api/v1/cities/rouen/sensors", "series",
                                  "/api/v1/cities/rouen/car-parks"])
def test_an_anonymous_api_get_sets_no_cookie_and_never_touches_the_session_table(air, path):
    path = series_url(resolution="hour", **day_window()) if path == "series" else path
    mobility_demo.load(history=False)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert not [query["sql"] for query in queries.captured_queries if "django_session" in query["sql"]]


def test_the_hot_reads_answer_in_few_queries(air, settings, django_assert_max_num_queries):
    """Air now: the stored indices and the stations with their latest values; the series: the sensor with its
    datastream and the roll-ups; the latest values: one query (the city is looked up once per process)."""
    settings.CITY_CACHE_SECONDS = 60
    forget_cities()
    client = Client()
    for path in (AIR_NOW, series_url(resolution="hour", **day_window()), "/api/v1/cities/rouen/sensors"):
        client.get(path)  # the city, once
    for path, budget in ((AIR_NOW, 2), (series_url(resolution="hour", **day_window()), 2),
                         ("/api/v1/cities/rouen/sensors", 1)):
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200
    forget_cities()


def with_cookie() -> Client:
    client = Client()
    client.cookies["unrelated"] = "1"
    return client


@pytest.mark.parametrize("path", [
    AIR_NOW,
    AIR_NOW + "?lang=en",
    "/api/v1/cities/nowhere/air/now",  # a problem
    "/api/v1/cities/rouen/sensors/FR25036/observations?property=pm10&resolution=weekly",  # a 422
    "/api/v1/cities/rouen/sensors?kind=%00",  # stopped by the guards
    "/api/v1/cities/rouen/car-parks",
    "/api/v1/docs",
])
def test_the_short_chain_of_anonymous_api_reads_answers_as_the_whole_one(air, path):
    """The same read with an unrelated cookie goes through every middleware: same status, headers and body."""
    mobility_demo.load(history=False)
    short = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    whole = with_cookie().get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert short.status_code == whole.status_code
    assert dict(short.headers) == dict(whole.headers)
    assert short.content == whole.content
    assert not short.cookies


def test_anonymous_api_reads_skip_the_personal_middlewares_only(rouen, monkeypatch):
    """A cookie-less API GET never reaches the messages or sign-in lockout middlewares; a page, an API write
    and a read with a cookie or credentials still do."""
    seen = []
    original = MessageMiddleware.process_request
    monkeypatch.setattr(MessageMiddleware, "process_request",
                        lambda self, request: seen.append(request.path) or original(self, request))
    Client().get("/api/v1/cities/rouen/air/now")
    assert seen == []
    with_cookie().get("/api/v1/cities")
    Client().get("/api/v1/cities", HTTP_AUTHORIZATION="Bearer nothing")
    Client().post("/api/v1/cities/rouen/air/alerts/push-subscriptions", {}, content_type="application/json")
    Client().get("/rouen/")
    assert seen == ["/api/v1/cities", "/api/v1/cities", "/api/v1/cities/rouen/air/alerts/push-subscriptions",
                    "/rouen/"]
