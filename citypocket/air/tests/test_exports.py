"""Open-data exports: hourly observations and daily indices as CSV and GeoJSON, described for the catalog."""

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.exports import DATASETS
from citypocket.air.tests.factories import run_air_worker
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from testsupport import assert_problem

pytestmark = pytest.mark.django_db


def ingest_two_hours(city):
    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    readings = [
        Reading(sensor="FR25036", property="no2", time=top, value=10.0, unit="ug/m3"),
        Reading(sensor="FR25036", property="no2", time=top + timedelta(minutes=30), value=20.0, unit="ug/m3"),
        Reading(sensor="FR25036", property="pm10", time=top, value=30.0, unit="ug/m3"),
        Reading(sensor="FR25036", property="no2", time=top + timedelta(hours=1), value=40.0, unit="ug/m3"),
    ]
    assert ingest_observations(city=city, batch=Parsed.from_readings(readings), source="test").accepted == 4
    return top


def test_hourly_observations_csv_averages_each_hour(rouen, aix):
    """CSV long form: one row per station, hour and pollutant, hourly mean with the count of raw values."""
    ensure_demo_stations()
    top = ingest_two_hours(rouen)
    response = Client().get("/api/v1/cities/rouen/air/observations", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["pollutant"], r["hour_start"], r["value"], r["count"]) for r in rows] == [
        ("no2", top.isoformat().replace("+00:00", "Z"), "15.0", "2"),
        ("pm10", top.isoformat().replace("+00:00", "Z"), "30.0", "1"),
        ("no2", (top + timedelta(hours=1)).isoformat().replace("+00:00", "Z"), "40.0", "1"),
    ]
    assert rows[0]["station_code"] == "FR25036" and rows[0]["unit"] == "ug/m3"
    empty = Client().get("/api/v1/cities/aix-en-provence/air/observations", {"format": "csv"}).content.decode()
    assert empty.strip().count("\n") == 0


def test_hourly_observations_geojson_has_one_feature_per_station_hour(rouen):
    """GeoJSON wide form: pollutants as properties of a station-hour feature, [lon, lat]."""
    ensure_demo_stations()
    ingest_two_hours(rouen)
    body = Client().get("/api/v1/cities/rouen/air/observations", {"format": "geojson"}).json()
    assert len(body["features"]) == 2
    first = body["features"][0]
    assert first["geometry"]["coordinates"] == [1.093789, 49.442358]
    assert first["properties"]["no2"] == 15.0 and first["properties"]["pm10"] == 30.0


def test_observation_export_refuses_a_bad_period(rouen):
    """More than 31 days, or from after to: 422; an unknown station: 404."""
    bad = Client().get("/api/v1/cities/rouen/air/observations",
                       {"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"})
    assert_problem(bad, 422)
    assert_problem(Client().get("/api/v1/cities/rouen/air/observations", {"station": "FR99999"}), 404)


def test_daily_indices_export_as_csv_and_geojson(rouen):
    """Daily indices as CSV (labels in both languages) and GeoJSON (station points, city centre)."""
    ensure_demo_stations()
    ingest_two_hours(rouen)
    run_air_worker()
    text = Client().get("/api/v1/cities/rouen/air/indices", {"format": "csv"}).content.decode()
    today = rouen.local_today().isoformat()
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["date"] == today]
    assert len(rows) == 7
    city_row = next(row for row in rows if row["station_code"] == "")
    assert city_row["scale"] == "atmo-2021" and city_row["source"] == "computed"
    assert city_row["label_fr"] in {"Bon", "Moyen", "Indisponible"}
    geo = Client().get("/api/v1/cities/rouen/air/indices", {"format": "geojson"})
    assert geo["Content-Type"].startswith("application/geo+json")
    assert len([f for f in geo.json()["features"] if f["properties"]["date"] == today]) == 7


def test_datasets_are_described_for_the_catalog():
    """Each exported dataset has a title, a licence, formats and described columns."""
    for dataset in DATASETS:
        assert dataset["title"] and dataset["licence"] and dataset["formats"]
        assert all(len(column) == 3 for column in dataset["columns"])


def test_openapi_document_still_builds():
    """The API document builds with the air operations in it."""
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/cities/{city}/air/observations" in paths
    assert "/api/v1/air/index" in paths
