"""Air API: calculator, air now after an HTTP ingest, stations as GeoJSON and NGSI-LD, daily history."""

import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirIndexDaily, Source
from citypocket.air.tests.factories import run_air_worker
from citypocket.cities.models import Role
from citypocket.sensors.models import LatestObservation, Observation
from testsupport import assert_problem, assert_tenant_isolated, local_moment, login, make_staff, pin_now

pytestmark = pytest.mark.django_db


def hour_floor(moment):
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_of_readings(code="FR25036", *, no2=100.0, o3=40.0, pm10=60.0, pm25=15.0, hours=24):
    """One reading per hour and pollutant for the last `hours` whole hours (CityPocket ingest format)."""
    top = hour_floor(timezone.now())
    observations = []
    for step in range(hours):
        moment = (top - timedelta(hours=step)).isoformat()
        for prop, value in (("no2", no2), ("o3", o3), ("pm10", pm10), ("pm25", pm25)):
            observations.append({"sensor": code, "property": prop, "time": moment, "value": value, "unit": "ug/m3"})
    return {"observations": observations}


def ingest_over_http(city, body) -> dict:
    out = StringIO()
    call_command("create_ingest_token", city.slug, "--name", "air-test", stdout=out)
    response = Client().post(
        "/api/v1/ingest", data=json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {out.getvalue().strip()}"},
    )
    assert response.status_code == 202, response.content
    return response.json()


# --- Calculator ---------------------------------------------------------------------------------


def test_calculator_gives_level_label_colour_dominant_and_sub_indices():
    """ATMO with a few pollutants: the worst sub-index, its label in French by default, its colour."""
    response = Client().get("/api/v1/air/index", {"scale": "atmo-2021", "no2": 120, "pm10": 50.1, "o3": 20})
    assert response.status_code == 200
    assert response.json() == {
        "scale": "atmo-2021",
        "version": "2021 (arrêté 10/07/2020)",
        "level": 4,
        "label": "Mauvais",
        "colour": "#FF5050",
        "dominant": ["pm10"],
        "sub_indices": {"no2": 3, "o3": 1, "pm10": 4},
    }
    assert "public" in response["Cache-Control"]


def test_calculator_speaks_the_request_language():
    """Accept-Language: en gives English labels; ?lang= wins over the header."""
    english = Client().get("/api/v1/air/index", {"scale": "eaqi-2024", "pm25": 5.1}, HTTP_ACCEPT_LANGUAGE="en")
    assert (english.json()["level"], english.json()["label"]) == (2, "Fair")
    french = Client().get("/api/v1/air/index", {"scale": "eaqi-2024", "pm25": 5.1, "lang": "fr"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert french.json()["label"] == "Moyen"
    assert "Accept-Language" in english["Vary"]  # shared caches keep one copy per language


def test_calculator_boundaries_match_the_official_classes():
    """An upper bound stays in its class over HTTP; 0.1 more goes up."""
    assert Client().get("/api/v1/air/index", {"scale": "eaqi-2024", "no2": 10}).json()["level"] == 1
    assert Client().get("/api/v1/air/index", {"scale": "eaqi-2024", "no2": 10.1}).json()["level"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"scale": "atmo-2021"},
        {"scale": "atmo-2021", "no2": -1},
        {"scale": "eaqi-2024", "pm10": "nan"},
        {"scale": "eaqi-2024", "pm10": "inf"},
        {"scale": "eaqi-2024", "pm10": "abc"},
        {"scale": "aqi-us", "pm10": 3},
    ],
)
def test_calculator_refuses_invalid_values_with_a_422_problem(params):
    """No pollutant, a negative, NaN or infinite value, a non-number or an unknown scale: 422 problem+json."""
    body = assert_problem(Client().get("/api/v1/air/index", params), 422)
    assert body["errors"]


# --- Air now ------------------------------------------------------------------------------------


def test_air_now_after_a_day_of_http_ingest_shows_the_implied_atmo_level(rouen):
    """A day of hourly readings pushed through POST /api/v1/ingest gives Rouen today's ATMO level they imply."""
    ensure_demo_stations()
    result = ingest_over_http(rouen, day_of_readings(no2=100.0, o3=40.0, pm10=60.0, pm25=15.0))
    assert result["accepted"] == 96
    assert Observation.objects.filter(datastream__sensor__external_id="FR25036").count() == 96
    run_air_worker()

    response = Client().get("/api/v1/cities/rouen/air/now", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    body = response.json()
    # NO2 max 100 -> Dégradé (3); PM10 mean 60 -> Mauvais (4); O3 40 -> Bon; PM2.5 15 -> Moyen.
    assert body["atmo"]["level"] == 4
    assert body["atmo"]["label"] == "Mauvais"
    assert body["atmo"]["dominant"] == ["pm10"]
    assert body["atmo"]["sub_indices"] == {"no2": 3, "o3": 1, "pm10": 4, "pm25": 2}
    assert body["atmo"]["source"] == "computed"
    assert body["official"] is None
    stations = {item["code"]: item for item in body["stations"]}
    assert len(stations) == 6
    palais = stations["FR25036"]
    assert palais["stale"] is False
    assert palais["eaqi"]["level"] == 4 and palais["eaqi"]["dominant"] == ["no2"]
    assert palais["atmo_today"]["level"] == 4
    assert palais["values"]["pm10"]["value"] == 60.0
    assert stations["FR25053"]["stale"] is True
    assert stations["FR25053"]["eaqi"]["level"] == 0
    today = rouen.local_today()
    stored = AirIndexDaily.objects.get(city=rouen, station__isnull=True, source=Source.COMPUTED, date=today)
    assert (stored.level, stored.scale, stored.version) == (4, "atmo-2021", "2021 (arrêté 10/07/2020)")
    assert AirIndexDaily.objects.get(station__external_id="FR25036", date=today).level == 4


def test_air_now_recomputes_when_new_readings_arrive(rouen, monkeypatch):
    """A later reading that makes things worse is reflected on the next read (hourly mean (30+450)/2 = 240 -> 5)."""
    # Both readings must fall in the same local day: the scenario runs yesterday at 20:15 local time.
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=20, minute=15))
    ensure_demo_stations()
    ingest_over_http(rouen, day_of_readings(no2=30.0, o3=30.0, pm10=10.0, pm25=5.0))
    run_air_worker()
    first = Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]
    assert first["level"] == 1
    latest = LatestObservation.objects.get(datastream__sensor__external_id="FR25036", datastream__property="no2")
    moment = latest.phenomenon_time + timedelta(minutes=1)
    if moment > timezone.now():
        moment = latest.phenomenon_time - timedelta(minutes=30)
    ingest_over_http(rouen, {"observations": [
        {"sensor": "FR25036", "property": "no2", "time": moment.isoformat(), "value": 450.0, "unit": "ug/m3"}
    ]})
    if moment < latest.phenomenon_time:
        # An older reading does not move the latest value; the ingest hook refreshes the day.
        from citypocket.air.services import on_readings_ingested

        on_readings_ingested(city=rouen)
    run_air_worker()
    second = Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]
    assert second["level"] == 5
    assert second["dominant"] == ["no2"]


def test_air_now_without_data_is_unavailable_not_good(rouen):
    """Stations without measurements give 'Indisponible' (level 0), never 'Bon'."""
    ensure_demo_stations()
    body = Client().get("/api/v1/cities/rouen/air/now").json()
    assert body["atmo"]["level"] == 0
    assert body["atmo"]["label"] == "Indisponible"
    assert all(item["stale"] for item in body["stations"])
    assert not AirIndexDaily.objects.filter(city=rouen).exists()  # reading stores nothing


def test_air_now_of_an_unknown_city_is_a_404_problem(db):
    """An unknown city slug answers problem+json 404."""
    assert_problem(Client().get("/api/v1/cities/atlantis/air/now"), 404)


def test_stale_after_three_hours_without_data(rouen):
    """A station whose latest value is older than 3 hours is stale."""
    ensure_demo_stations()
    old = hour_floor(timezone.now() - timedelta(hours=4))
    ingest_over_http(rouen, {"observations": [
        {"sensor": "FR25040", "property": "no2", "time": old.isoformat(), "value": 20.0, "unit": "ug/m3"}
    ]})
    body = Client().get("/api/v1/cities/rouen/air/now").json()
    station = next(item for item in body["stations"] if item["code"] == "FR25040")
    assert station["stale"] is True
    assert station["measured_at"].startswith(old.strftime("%Y-%m-%dT%H"))


# --- Stations ----------------------------------------------------------------------------------


def test_stations_are_geojson_with_the_latest_index(rouen, aix):
    """GeoJSON FeatureCollection of a city's stations only, [lon, lat], latest EAQI per station."""
    ensure_demo_stations()
    ingest_over_http(rouen, day_of_readings(hours=3))
    response = Client().get("/api/v1/cities/rouen/air/stations", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    ids = {feature["id"] for feature in body["features"]}
    assert ids == {"FR25036", "FR25053", "FR25054", "FR25043", "FR25040", "FR25035"}
    palais = next(feature for feature in body["features"] if feature["id"] == "FR25036")
    assert palais["geometry"] == {"type": "Point", "coordinates": [1.093789, 49.442358]}
    assert palais["properties"]["eaqi"]["label"] == "Poor"
    aix_ids = {f["id"] for f in Client().get("/api/v1/cities/aix-en-provence/air/stations").json()["features"]}
    assert aix_ids == {"FR03021", "FR03029", "FR03048"}


def test_stations_as_ngsi_ld_air_quality_observed(rouen):
    """?format=ngsi-ld gives normalized AirQualityObserved entities with an @context."""
    ensure_demo_stations()
    ingest_over_http(rouen, day_of_readings(hours=1))
    response = Client().get("/api/v1/cities/rouen/air/stations", {"format": "ngsi-ld"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    entities = {entity["id"]: entity for entity in response.json()}
    palais = entities["urn:ngsi-ld:AirQualityObserved:rouen:FR25036"]
    assert palais["type"] == "AirQualityObserved"
    assert palais["no2"]["type"] == "Property" and palais["no2"]["value"] == 100.0
    assert palais["no2"]["unitCode"] == "GQ"
    assert palais["location"]["value"]["coordinates"] == [1.093789, 49.442358]
    assert palais["airQualityIndex"]["value"] == 4
    assert "@context" in palais
    assert len(entities) == 1  # the one station with readings: an observation needs its dateObserved
    assert palais["dataProvider"]["value"].startswith("CityPocket (CityPocket demo: simulated data")


def test_daily_indices_list_stored_rows_of_the_city(rouen, aix):
    """/air/indices lists the stored daily indices of the city only, with labels."""
    ensure_demo_stations()
    ingest_over_http(rouen, day_of_readings())
    run_air_worker()
    body = Client().get("/api/v1/cities/rouen/air/indices", {"lang": "en"}).json()
    today = rouen.local_today().isoformat()
    todays = [item for item in body["items"] if item["date"] == today]
    assert len(todays) == 7  # six stations and the city-wide value of today (yesterday's are listed too)
    city_row = next(item for item in todays if item["station"] is None)
    assert city_row["label"] == "Poor"
    # The worker computed Aix too: its own stations, all unavailable (no readings there), none of Rouen's.
    aix = Client().get("/api/v1/cities/aix-en-provence/air/indices").json()["items"]
    assert aix and all(item["level"] == 0 for item in aix)
    rouen_stations = {item["station"] for item in body["items"] if item["station"]}
    assert not rouen_stations & {item["station"] for item in aix}
    bad = Client().get("/api/v1/cities/rouen/air/indices", {"from": "2026-01-10", "to": "2026-01-01"})
    assert_problem(bad, 422)


def test_air_reads_are_scoped_to_the_city_in_the_path(rouen, aix):
    """Staff of Aix reading Rouen's air get Rouen's stations only; an unknown city is a 404 for everyone."""
    ensure_demo_stations()
    client = login(Client(), make_staff(aix, Role.CITY_ADMIN))
    body = client.get("/api/v1/cities/rouen/air/now").json()
    assert {item["code"] for item in body["stations"]} == {
        "FR25036", "FR25053", "FR25054", "FR25043", "FR25040", "FR25035"
    }
    assert "FR03021" not in client.get("/api/v1/cities/rouen/air/stations").content.decode()
    assert_tenant_isolated(city=rouen, other_city=aix, url="/api/v1/cities/nowhere/air/now")


@pytest.mark.django_db(transaction=True)
def test_ingest_recomputes_and_stores_todays_index_without_anyone_reading_it(rouen):
    """After an HTTP ingest commits, the air listener stores today's computed index (no API read needed)."""
    from citypocket.air.models import AirIndexDaily

    ensure_demo_stations()
    assert not AirIndexDaily.objects.filter(city=rouen, station__isnull=True, source="computed").exists()
    ingest_over_http(rouen, day_of_readings(no2=100.0, o3=40.0, pm10=60.0, pm25=15.0))
    city_row = AirIndexDaily.objects.get(
        city=rouen, station__isnull=True, source="computed", date=rouen.local_today()
    )
    assert city_row.level == 4


@pytest.mark.django_db(transaction=True)
def test_parking_readings_do_not_trigger_an_air_refresh(rouen, monkeypatch):
    """Only pollutant properties wake the air listener, at most once a minute per city."""
    from types import SimpleNamespace

    from citypocket.air import listeners

    calls = []
    monkeypatch.setattr(listeners, "refresh_air_after_ingest", SimpleNamespace(enqueue=calls.append))
    listeners.on_ingest(city=rouen, properties=frozenset({"available_spots"}))
    listeners.on_ingest(city=rouen, properties=frozenset({"no2"}))
    listeners.on_ingest(city=rouen, properties=frozenset({"pm10"}))  # throttled
    assert calls == [rouen.pk]
