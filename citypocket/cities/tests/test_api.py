"""The cities API: list, detail, errors, caching."""

import json

import pytest

from testsupport import CityFactory, assert_problem, cache_keys

pytestmark = pytest.mark.django_db


def test_list_cities_gives_slug_name_centre_timezone_languages(client, rouen, aix):
    """GET /api/v1/cities lists each active city with its public facts."""
    response = client.get("/api/v1/cities")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_slug = {item["slug"]: item for item in body["items"]}
    assert set(by_slug) == {"rouen", "aix-en-provence"}
    assert by_slug["rouen"]["name"] == "Rouen"
    assert by_slug["rouen"]["official_name"] == "Métropole Rouen Normandie"
    assert by_slug["rouen"]["insee_codes"] == ["76540"]
    assert by_slug["rouen"]["centre"] == {"lat": 49.4431, "lon": 1.0993}
    assert by_slug["aix-en-provence"]["insee_codes"] == ["13001"]
    assert by_slug["aix-en-provence"]["timezone"] == "Europe/Paris"
    assert by_slug["aix-en-provence"]["languages"] == ["fr", "en"]


def test_inactive_city_is_not_listed_nor_served(client, rouen):
    """A city switched off disappears from the list and its detail is a 404."""
    CityFactory(slug="dormante", is_active=False)
    slugs = [item["slug"] for item in client.get("/api/v1/cities").json()["items"]]
    assert "dormante" not in slugs
    assert_problem(client.get("/api/v1/cities/dormante"), 404)


def test_get_city_returns_its_bbox_in_geojson_order(client, aix):
    """The bounding box is [west, south, east, north]."""
    body = client.get("/api/v1/cities/aix-en-provence").json()
    west, south, east, north = body["bbox"]
    assert west < east and south < north
    assert south <= body["centre"]["lat"] <= north and west <= body["centre"]["lon"] <= east


def test_unknown_city_is_a_problem_json_404(client, rouen):
    """An unknown slug answers application/problem+json with status 404."""
    body = assert_problem(client.get("/api/v1/cities/atlantis"), 404)
    assert body["type"].endswith("/not-found")


def test_unknown_api_path_is_a_problem_json_404(client, db):
    """Even a path no route matches answers problem+json under /api/."""
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_public_reads_are_cacheable_with_etag(client, rouen):
    """City reads send Cache-Control public and an ETag; a matching If-None-Match gives 304."""
    response = client.get("/api/v1/cities/rouen")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/api/v1/cities/rouen", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_wrong_method_is_a_problem_json_405(client, rouen):
    """Writing to a read-only resource is refused with problem+json."""
    response = client.post("/api/v1/cities", data=json.dumps({}), content_type="application/json")
    assert response.status_code == 405


def test_too_many_requests_is_a_problem_json_429_with_retry_after(client, rouen, settings):
    """Past the per-client read rate, the API answers 429 problem+json with Retry-After."""
    settings.API_READ_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/cities").status_code == 200
    response = client.get("/api/v1/cities")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_rate_limit_keys_hold_no_client_address(client, rouen, settings):
    """The cache key of the rate limiter is a salted hash, not the client address."""
    settings.API_READ_RATE = "100/min"
    client.get("/api/v1/cities", REMOTE_ADDR="203.0.113.77")
    keys = cache_keys()
    assert keys and not any("203.0.113.77" in key for key in keys)
