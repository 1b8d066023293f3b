"""The places API: state at an instant, filters, distance, GeoJSON, problems, and each city to itself."""

import pytest
from django.test import Client

from citypocket.cityinfo.models import PlaceKind
from citypocket.cityinfo.tests.factories import PlaceClosureFactory, PlaceFactory
from testsupport import assert_tenant_isolated

pytestmark = pytest.mark.django_db

URL = "/api/v1/cities/rouen/places"
HOLIDAY = "2026-07-14T10:00:00"  # Bastille Day, a Tuesday, local time
NEXT_DAY = "2026-07-15T10:00:00"


@pytest.fixture
def places(rouen, aix):
    town_hall = PlaceFactory(city=rouen, slug="mairie", name="Mairie", lat=49.4433, lon=1.0999)
    fountain = PlaceFactory(city=rouen, slug="fontaine", name="Fontaine", kind=PlaceKind.DRINKING_WATER,
                            opening_hours="24/7", wheelchair="", lat=49.4428, lon=1.0880)
    PlaceFactory(city=aix, slug="mairie", name="Mairie d'Aix")
    return town_hall, fountain


def test_a_holiday_morning_is_closed_and_the_next_working_morning_open(client, places):
    """The bar through the API: `Mo-Fr 09:00-18:00; PH off` at 10:00 local on 14 and 15 July."""
    holiday = client.get(URL, {"at": HOLIDAY, "kind": "town_hall", "lang": "en"}).json()
    next_day = client.get(URL, {"at": NEXT_DAY, "kind": "town_hall", "lang": "en"}).json()
    assert holiday["count"] == 1 and holiday["items"][0]["state"] == "closed"
    assert holiday["items"][0]["next_change"] == "2026-07-15T07:00:00Z"  # 09:00 in Paris
    assert holiday["items"][0]["status_label"] == "Closed — opens tomorrow at 9:00"
    assert next_day["items"][0]["state"] == "open"
    assert next_day["items"][0]["status_label"] == "Open now — closes at 18:00"


def test_filters_open_now_and_accessible(client, places):
    open_now = client.get(URL, {"at": HOLIDAY, "open_now": "true"}).json()
    accessible = client.get(URL, {"accessible": "true"}).json()
    assert [item["slug"] for item in open_now["items"]] == ["fontaine"]
    assert [item["slug"] for item in accessible["items"]] == ["mairie"]


def test_near_sorts_by_distance_and_gives_it(client, places):
    body = client.get(URL, {"lat": 49.4428, "lon": 1.0881}).json()
    assert [item["slug"] for item in body["items"]] == ["fontaine", "mairie"]
    assert body["items"][0]["distance_m"] < 20 < body["items"][1]["distance_m"]


def test_geojson_lists_every_matching_place_as_a_feature(client, places):
    response = client.get(URL, {"format": "geojson", "at": HOLIDAY})
    assert response["Content-Type"] == "application/geo+json"
    features = {feature["id"]: feature for feature in response.json()["features"]}
    assert set(features) == {"mairie", "fontaine"}
    assert features["mairie"]["geometry"] == {"type": "Point", "coordinates": [1.0999, 49.4433]}
    assert features["fontaine"]["properties"]["state"] == "open"


def test_place_detail_gives_its_closures_and_the_closure_reason(client, places):
    town_hall, _ = places
    PlaceClosureFactory(place=town_hall, starts_on="2026-07-16", ends_on="2026-07-17",
                        reason_fr="Grève", reason_en="Strike")
    body = client.get(f"{URL}/mairie", {"at": "2026-07-16T10:00:00", "lang": "en"}).json()
    assert (body["state"], body["comment"]) == ("closed", "Strike")
    assert body["closures"] == [{"starts_on": "2026-07-16", "ends_on": "2026-07-17", "reason": "Strike"}]
    assert body["next_change"] == "2026-07-20T07:00:00Z"  # Monday 09:00 in Paris


@pytest.mark.parametrize("query, field", [
    ({"lat": 49.44}, "lon"), ({"lat": 91, "lon": 1}, "lat"), ({"kind": "castle"}, "kind"),
    ({"at": "tomorrow"}, "at"), ({"limit": 0}, "limit"),
])
def test_bad_filters_are_422_problems(client, places, query, field):
    response = client.get(URL, query)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}


def test_unknown_city_or_place_is_a_404_problem(client, places):
    assert client.get("/api/v1/cities/atlantis/places").status_code == 404
    assert client.get(f"{URL}/nowhere").status_code == 404


def test_a_place_of_another_city_is_not_found_from_this_one(places, rouen, aix, settings):
    """A place of Aix is not reachable under Rouen, for any staff of Rouen, and gives nothing away."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert Client().get("/api/v1/cities/rouen/places/mairie").json()["name"] == "Mairie"
    PlaceFactory(city=aix, slug="pavillon", name="Pavillon Vendôme")
    assert Client().get("/api/v1/cities/aix-en-provence/places/pavillon").status_code == 200
    assert_tenant_isolated(city=aix, other_city=rouen, url="/api/v1/cities/rouen/places/pavillon",
                           secrets=["Vendôme"])
