"""The fast lane (core.fastlane): the hot anonymous reads answered in front of Django are Django's answers,
byte for byte and header for header; everything less plain is declined and answered by Django; the read
rate limit and the request log still apply."""

import io
import logging
import sys
from datetime import UTC, timedelta
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from citypocket.air import api as air_api
from citypocket.core.fastlane import FastLane
from citypocket.core.throttling import local_counts
from citypocket.mobility import demo as mobility_demo
from citypocket.mobility.models import CarPark
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading

pytestmark = pytest.mark.django_db


class Counting:
    """Django's WSGI handler, counting the requests the fast lane leaves to it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def stack():
    """(Django alone, the fast lane in front of the same Django). Connections stay open between
    requests, as the test client keeps them (the test's transaction holds the data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    django = WSGIHandler()
    try:
        yield django, FastLane(Counting(django))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app, path, query="", *, method="GET", **headers):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "REMOTE_ADDR": "192.0.2.7", **headers,
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, list(response_headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


def assert_fast_is_django(stack, path, query="", **headers):
    """The second request (the first teaches the lane Django's headers) is answered without Django,
    and equals Django's own answer: status, every header in order, body. Returns that answer."""
    django, lane = stack
    call(lane, path, query, **headers)
    before = lane.app.calls
    fast = call(lane, path, query, **headers)
    assert lane.app.calls == before, "the fast lane declined"
    assert fast == call(django, path, query, **headers)
    return fast


def header(answer, name):
    return next(value for key, value in answer[1] if key.lower() == name.lower())


@pytest.fixture
def parks(rouen, aix):
    """The demo car parks of both cities; in Rouen one with a fresh reading, one with a stale one."""
    mobility_demo.load(history=False)
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    fresh, stale = CarPark.objects.filter(city=rouen, sensor__isnull=False).select_related("sensor")[:2]
    for car_park, moment, value in ((fresh, now - timedelta(minutes=2), 42), (stale, now - timedelta(hours=2), 7)):
        batch = Parsed.from_readings([Reading(car_park.sensor.external_id, "available_spots", moment, value, "1")])
        ingest_observations(city=rouen, batch=batch, source="test")
    return {"rouen": rouen, "aix": aix}


def arrival(hours: int = 2) -> str:
    return (timezone.now() + timedelta(hours=hours)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")


@pytest.mark.parametrize("city", ["rouen", "aix-en-provence"])
@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}, {"HTTP_ACCEPT": "application/json"}])
def test_car_park_list_is_django_s_answer(stack, parks, city, headers):
    answer = assert_fast_is_django(stack, f"/api/v1/cities/{city}/car-parks", **headers)
    assert answer[0] == "200 OK"
    assert header(answer, "Content-Type") == "application/geo+json"
    assert header(answer, "X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("params", [
    {},
    {"max_walk_m": "1500", "disabled": "true"},
    {"height_cm": "190", "ev": "1", "lang": "en"},
    {"max_walk_m": "50", "ev": "false"},  # nothing within 50 m: no result
])
def test_search_is_django_s_answer(stack, parks, params):
    rouen = parks["rouen"]
    for dlat, dlon in ((0, 0), (0.004, -0.003), (-0.01, 0.012)):
        query = urlencode({"lat": f"{rouen.centre_lat + dlat:.6f}", "lon": f"{rouen.centre_lon + dlon:.6f}",
                           "arrive_at": arrival(), **params})
        answer = assert_fast_is_django(stack, "/api/v1/cities/rouen/car-parks/search", query)
        assert answer[0] == "200 OK"
        assert header(answer, "X-Prediction-Source")


@pytest.mark.parametrize(("lat", "lon"), [
    ("49.443012345678912", "1.0993468743210912"),  # as String(number) writes a float: 17 significant digits
    ("49.44", "1.09934687432109123456"),
])
def test_search_at_coordinates_written_in_full_is_django_s_answer(stack, parks, lat, lon):
    query = urlencode({"lat": lat, "lon": lon, "arrive_at": arrival()})
    answer = assert_fast_is_django(stack, "/api/v1/cities/rouen/car-parks/search", query)
    assert answer[0] == "200 OK"


@pytest.mark.parametrize(("query", "headers"), [
    ("", {}),
    ("", {"HTTP_ACCEPT_LANGUAGE": "en"}),
    ("lang=en", {"HTTP_ACCEPT_LANGUAGE": "fr"}),
    ("lang=fr", {"HTTP_ACCEPT_LANGUAGE": "en"}),
])
def test_air_now_is_django_s_answer(stack, air, query, headers):
    answer = assert_fast_is_django(stack, "/api/v1/cities/rouen/air/now", query, **headers)
    assert header(answer, "Content-Language") == ("en" if "en" in query or (not query and headers) else "fr")


@pytest.mark.parametrize("resolution", ["hour", "day"])
def test_series_are_django_s_answers(stack, air, resolution):
    end = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    # Windows with both ends: a default `to` is now, a new answer at each request.
    for window in ({"from": (end - timedelta(days=1)).isoformat(), "to": end.isoformat()},
                   {"from": (end - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "to": (end - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), "lang": "en"}):
        query = urlencode({"property": "pm10", "resolution": resolution, **window})
        answer = assert_fast_is_django(stack, "/api/v1/cities/rouen/sensors/FR25036/observations", query)
        assert answer[0] == "200 OK"


@pytest.mark.parametrize(("path", "query", "headers"), [
    ("/api/v1/cities/rouen/traffic", "", {}),
    ("/api/v1/cities/aix-en-provence/traffic", "", {"HTTP_ACCEPT_LANGUAGE": "en"}),
    ("/api/v1/cities/rouen/traffic", "lang=en", {}),
    ("/api/v1/cities/rouen/sensors", "", {}),
    ("/api/v1/cities/rouen/sensors", "kind=air", {"HTTP_ACCEPT_LANGUAGE": "en"}),
    ("/api/v1/cities/rouen/sensors", "kind=parking&lang=en", {}),
])
def test_traffic_and_latest_values_are_django_s_answers(stack, parks, air, path, query, headers):
    answer = assert_fast_is_django(stack, path, query, **headers)
    assert answer[0] == "200 OK"


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/cities/rouen/car-parks", ""),
    ("/api/v1/cities/rouen/air/now", "lang=en"),
    ("/api/v1/cities/rouen/car-parks/search", None),
    ("/api/v1/cities/rouen/traffic", ""),
    ("/api/v1/cities/rouen/sensors", "kind=air"),
])
def test_a_client_holding_the_etag_gets_django_s_304(stack, parks, air, path, query):
    if query is None:
        query = urlencode({"lat": "49.4431", "lon": "1.0993", "arrive_at": arrival()})
    django, _lane = stack
    etag = header(call(django, path, query), "ETag")
    not_modified = assert_fast_is_django(stack, path, query, HTTP_IF_NONE_MATCH=etag)
    assert not_modified[0] == "304 Not Modified" and not_modified[2] == b""
    other = assert_fast_is_django(stack, path, query, HTTP_IF_NONE_MATCH='"something-else"')
    assert other[0] == "200 OK"


@pytest.mark.parametrize(("path", "query", "headers"), [
    ("/api/v1/cities/nowhere/car-parks", "", {}),  # unknown city: Django's 404 problem
    ("/api/v1/cities/rouen/car-parks", "format=csv", {}),
    ("/api/v1/cities/rouen/car-parks", "", {"HTTP_ACCEPT": "application/ld+json"}),
    ("/api/v1/cities/rouen/car-parks", "", {"HTTP_COOKIE": "sessionid=abc"}),
    ("/api/v1/cities/rouen/car-parks", "", {"HTTP_AUTHORIZATION": "Bearer x"}),
    ("/api/v1/cities/rouen/car-parks", "", {"HTTP_HOST": "evil.example"}),
    ("/api/v1/cities/rouen/car-parks", "", {"HTTP_IF_MODIFIED_SINCE": "Tue, 01 Dec 2026 00:00:00 GMT"}),
    ("/api/v1/cities/rouen/car-parks", "unknown=1", {}),
    ("/api/v1/cities/rouen/car-parks/search", "lat=91&lon=1.09", {}),  # Django's 422
    ("/api/v1/cities/rouen/car-parks/search", "lat=49.44&lon=1.09&lat=49.45", {}),
    ("/api/v1/cities/rouen/car-parks/search", "lat=4.944e1&lon=1.09", {}),
    ("/api/v1/cities/rouen/car-parks/search", "lat=49.44&lon=1.09&arrive_at=2001-01-01T00:00:00Z", {}),  # past
    ("/api/v1/cities/rouen/car-parks/search", "lat=49.44", {}),
    ("/api/v1/cities/rouen/air/now", "lang=de", {}),
    ("/api/v1/cities/rouen/traffic", "unknown=1", {}),
    ("/api/v1/cities/nowhere/traffic", "", {}),
    ("/api/v1/cities/rouen/sensors", "kind=bus", {}),  # Django's 422
    ("/api/v1/cities/rouen/sensors", "kind=air&kind=parking", {}),
    ("/api/v1/cities/rouen/sensors/FR25036/observations", "property=pm10", {}),  # raw: Django's pages
    ("/api/v1/cities/rouen/sensors/FR25036/observations", "property=pm10&resolution=hour&from=2026-01-01T00:00:00",
     {}),  # no offset: Django's 422
    ("/api/v1/cities/rouen/sensors/NOPE/observations", "property=pm10&resolution=hour", {}),
])
def test_anything_unusual_is_left_to_django(stack, parks, air, path, query, headers):
    django, lane = stack
    for _ in range(2):
        before = lane.app.calls
        answer = call(lane, path, query, **headers)
        assert lane.app.calls == before + 1, "the fast lane answered"
    expected = call(django, path, query, **headers)  # a default window or arrival moves with the clock:
    assert (answer[0], [name for name, _value in answer[1]]) == (expected[0], [name for name, _value in expected[1]])


def test_other_methods_go_to_django(stack, parks):
    _django, lane = stack
    path = "/api/v1/cities/rouen/car-parks"
    for method in ("HEAD", "POST", "OPTIONS"):
        before = lane.app.calls
        call(lane, path, method=method)
        assert lane.app.calls == before + 1


def test_the_read_rate_limit_applies_and_counts_once(stack, parks, settings):
    settings.API_READ_RATE = "4/min"
    local_counts.clear()
    _django, lane = stack
    path = "/api/v1/cities/rouen/car-parks"
    assert call(lane, path)[0] == "200 OK"  # Django's, counted once (teaches the lane)
    assert call(lane, "/api/v1/cities/nowhere/car-parks")[0] == "404 Not Found"  # declined after counting
    before = lane.app.calls
    assert [call(lane, path)[0] for _ in range(2)] == ["200 OK"] * 2
    assert lane.app.calls == before
    refused = call(lane, path)  # the fifth: Django answers the 429 problem
    assert refused[0].startswith("429")
    assert header(refused, "Content-Type") == "application/problem+json"
    assert int(header(refused, "Retry-After")) > 0
    assert lane.app.calls == before + 1
    other_client = call(lane, path, REMOTE_ADDR="198.51.100.9")
    assert other_client[0] == "200 OK"


def test_a_fast_answer_is_logged_as_django_logs_it(stack, parks, caplog):
    _django, lane = stack
    path = "/api/v1/cities/aix-en-provence/car-parks"
    call(lane, path)
    with caplog.at_level(logging.INFO, logger="citypocket.request"):
        caplog.clear()
        call(lane, path)
    (record,) = [r for r in caplog.records if r.name == "citypocket.request"]
    assert (record.method, record.route, record.status, record.lane) == (
        "GET", "api/v1/cities/<city>/car-parks", 200, "fast")
    assert "aix" not in record.getMessage()  # the route pattern, never the path


def test_a_database_error_leaves_the_request_to_django(stack, air, monkeypatch):
    """A broken connection (the fast lane runs no `SELECT 1` first) fails the read, not the request."""
    _django, lane = stack
    path = "/api/v1/cities/rouen/air/now"
    call(lane, path)
    real, failures = air_api.air_now, []

    def broken_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(air_api, "air_now", broken_once)
    before = lane.app.calls
    answer = call(lane, path)
    assert failures and lane.app.calls == before + 1
    assert answer[0] == "200 OK" and b'"city":"rouen"' in answer[2]
