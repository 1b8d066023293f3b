"""Public reads: sensors as GeoJSON with latest values, observation series raw (cursor) and aggregated."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client

from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.tests.factories import air_sensor, parking_sensor, reading
from testsupport import assert_problem, assert_tenant_isolated

pytestmark = pytest.mark.django_db


def test_sensors_feature_collection(rouen):
    """Each sensor is a Feature (id = external id, [lon, lat]) with its latest value per property."""
    air_sensor(rouen)
    parking_sensor(rouen)
    ingest_observations(
        city=rouen,
        batch=Parsed.from_readings([reading(minutes=5, value=30.0), reading(minutes=3, value=35.5)]),
        source="t",
    )
    response = Client().get("/api/v1/cities/rouen/sensors")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    body = response.json()
    assert body["type"] == "FeatureCollection"
    features = {f["id"]: f for f in body["features"]}
    assert set(features) == {"FR25036", "P-VIEUX-MARCHE"}
    air = features["FR25036"]
    assert air["geometry"] == {"type": "Point", "coordinates": [1.09, 49.44]}
    assert air["properties"]["kind"] == "air" and air["properties"]["name"] == "Rouen Centre"
    assert air["properties"]["latest"]["no2"]["value"] == 35.5
    assert air["properties"]["latest"]["no2"]["unit"] == "ug/m3"
    assert features["P-VIEUX-MARCHE"]["properties"]["latest"] == {}
    only_parking = Client().get("/api/v1/cities/rouen/sensors?kind=parking").json()
    assert [f["id"] for f in only_parking["features"]] == ["P-VIEUX-MARCHE"]


def test_sensors_are_city_scoped(rouen, aix):
    """Another city's sensors never show, and its sensor's series is a 404 under the wrong city."""
    air_sensor(rouen, external_id="ROUEN-ONLY")
    ingest_observations(
        city=rouen, batch=Parsed.from_readings([reading(sensor="ROUEN-ONLY", minutes=5, value=12.0)]), source="t"
    )
    body = Client().get("/api/v1/cities/aix-en-provence/sensors").json()
    assert body["features"] == []
    assert_tenant_isolated(
        city=rouen,
        other_city=aix,
        url="/api/v1/cities/aix-en-provence/sensors/ROUEN-ONLY/observations?property=no2",
        secrets=['ROUEN-ONLY"', "12.0"],
    )
    assert_problem(Client().get("/api/v1/cities/nowhere/sensors"), 404)


def series(city, sensor, **params):
    return Client().get(f"/api/v1/cities/{city}/sensors/{sensor}/observations?" + urlencode(params))


def test_raw_series_is_half_open_and_paged_with_a_cursor(rouen):
    """`from` is included, `to` excluded; pages follow the `next` link to the end without overlap."""
    air_sensor(rouen)
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    ingest_observations(
        city=rouen,
        batch=Parsed.from_readings(
            [Reading("FR25036", "no2", start + timedelta(minutes=10 * i), float(i), "ug/m3") for i in range(25)]
        ),
        source="t",
    )
    params = {
        "property": "no2",
        "from": start.isoformat(),
        "to": (start + timedelta(minutes=200)).isoformat(),
        "limit": 7,
    }
    response = series("rouen", "FR25036", **params)
    assert response.status_code == 200
    seen = []
    body = response.json()
    while True:
        seen.extend(item["value"] for item in body["items"])
        if not body.get("next"):
            break
        body = Client().get(body["next"]).json()
    assert seen == [float(i) for i in range(20)]  # minute 200 excluded
    assert body["unit"] == "ug/m3" and body["resolution"] == "raw"


def test_hourly_and_daily_aggregates(rouen):
    """hour/day give avg, min, max and count per period, computed in the database (city time zone for days)."""
    air_sensor(rouen)
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    values = [10.0, 20.0, 30.0, 40.0]  # 08:00, 08:30, 09:00, 09:30 UTC
    ingest_observations(
        city=rouen,
        batch=Parsed.from_readings(
            [Reading("FR25036", "no2", start + timedelta(minutes=30 * i), v, "ug/m3") for i, v in enumerate(values)]
        ),
        source="t",
    )
    window = {"property": "no2", "from": "2026-11-20T00:00:00Z", "to": "2026-11-21T00:00:00Z"}
    hours = series("rouen", "FR25036", resolution="hour", **window).json()["items"]
    assert hours == [
        {"time": "2026-11-20T08:00:00Z", "avg": 15.0, "min": 10.0, "max": 20.0, "count": 2},
        {"time": "2026-11-20T09:00:00Z", "avg": 35.0, "min": 30.0, "max": 40.0, "count": 2},
    ]
    days = series("rouen", "FR25036", resolution="day", **window).json()["items"]
    assert days == [
        {"time": "2026-11-19T23:00:00Z", "avg": 25.0, "min": 10.0, "max": 40.0, "count": 4}
    ]  # Paris midnight


@pytest.mark.parametrize(
    "params",
    [
        {"property": "no2", "from": "2026-11-20T00:00:00Z", "to": "2026-11-19T00:00:00Z"},
        {"property": "no2", "from": "2026-11-20T00:00:00"},
        {"property": "no2", "cursor": "%%%"},
        {"property": "no2", "resolution": "week"},
        {"property": "no2", "resolution": "hour", "from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {},
    ],
)
def test_invalid_series_queries_422(rouen, params):
    """Reversed or naive intervals, bad cursors, unknown resolutions and missing property are 422 problems."""
    air_sensor(rouen)
    assert_problem(series("rouen", "FR25036", **params), 422)


def test_unknown_sensor_or_property_404(rouen):
    """An unknown sensor or a property the sensor does not observe is a 404 problem."""
    air_sensor(rouen)
    assert_problem(series("rouen", "NOPE", property="no2"), 404)
    assert_problem(series("rouen", "FR25036", property="available_spots"), 404)
