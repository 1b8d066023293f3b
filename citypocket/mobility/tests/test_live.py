"""Live status of car parks, the car-park list API and its formats."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from citypocket.mobility import demo, status
from citypocket.mobility.models import CarPark
from citypocket.mobility.tests.conftest import push
from citypocket.sensors.models import Datastream, Sensor
from testsupport import assert_problem

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def features(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    return {f["id"]: f for f in json.loads(response.content)["features"]}


def test_status_rules():
    """Full at 0, almost full under 10 %, open otherwise, unknown and stale without a recent reading."""
    def at(value, age_min=1, capacity=100, hours=None):
        return status.live_status(capacity=capacity, opening_hours=hours or {}, tz="Europe/Paris",
                                  reading_value=value, reading_time=NOW - timedelta(minutes=age_min), now=NOW)

    assert at(0).status == status.FULL
    assert at(9).status == status.ALMOST_FULL
    assert at(10).status == status.OPEN
    assert at(50, capacity=None).status == status.OPEN
    stale = at(50, age_min=16)
    assert (stale.status, stale.available, stale.stale) == (status.UNKNOWN, None, True)
    none = status.live_status(capacity=10, opening_hours={}, tz="Europe/Paris", reading_value=None,
                              reading_time=None, now=NOW)
    assert (none.status, none.available, none.stale) == (status.UNKNOWN, None, True)
    # 10:00 UTC is 11:00 in Paris on a Wednesday: closed when open only 12:00-20:00.
    assert at(50, hours={"we": [["12:00", "20:00"]]}).status == status.CLOSED
    assert at(50, hours={"we": [["07:00", "20:00"]]}).status == status.OPEN
    assert at(50, hours={"tu": [["22:00", "12:00"]]}).status == status.CLOSED


def test_stale_minutes_is_configurable(settings):
    """MOBILITY_STALE_MINUTES moves the staleness limit."""
    settings.MOBILITY_STALE_MINUTES = 30
    live = status.live_status(capacity=100, opening_hours={}, tz="Europe/Paris", reading_value=50,
                              reading_time=NOW - timedelta(minutes=20), now=NOW)
    assert (live.status, live.stale, live.available) == (status.OPEN, False, 50)


@pytest.mark.django_db
def test_demo_loader_creates_car_parks_with_sensors(demo_parks):
    """The loader makes 9+1 Aix and 7 Rouen car parks, each with a parking sensor; running it twice is a no-op."""
    demo.load(history=False)
    aix, rouen = demo_parks["aix"], demo_parks["rouen"]
    assert CarPark.objects.filter(city=aix).count() == 10
    assert CarPark.objects.filter(city=rouen).count() == 7
    rotonde = CarPark.objects.get(city=aix, slug="rotonde")
    assert rotonde.sensor.external_id == "AIX-P-ROTONDE"
    assert rotonde.sensor.kind == "parking"
    assert rotonde.capacity == 1800 and not rotonde.approximate_location
    assert "Atomik31" in rotonde.provenance
    assert Datastream.objects.get(sensor=rotonde.sensor, property="available_spots").unit == "1"
    assert not CarPark.objects.filter(city=rouen, approximate_location=False).exists()
    assert CarPark.objects.get(city=rouen, slug="mont-riboudet").park_and_ride
    assert CarPark.objects.filter(city=aix, park_and_ride=True).count() == 1
    palais = CarPark.objects.get(city=rouen, slug="palais-de-justice")
    assert palais.capacity == 1400 and "wikipedia" in palais.provenance
    assert CarPark.objects.get(city=aix, slug="krypton").capacity == 900
    ids = list(CarPark.objects.values_list("city__slug", "national_id"))
    assert len(set(ids)) == len(ids) == 17 and all(n for _c, n in ids)
    assert Sensor.objects.filter(city=aix, kind="traffic").count() == 3


@pytest.mark.django_db
def test_zero_free_spaces_makes_aix_car_park_full(client, demo_parks, minutes_ago):
    """Ingesting 0 free spaces for an Aix car park makes it `full` in the API."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-CARNOT", 0)
    push(aix, "AIX-P-ROTONDE", 640)
    push(aix, "AIX-P-CARDEURS", 5)
    got = features(client.get("/api/v1/cities/aix-en-provence/car-parks"))
    carnot = got["carnot"]["properties"]
    assert (carnot["status"], carnot["available"], carnot["stale"]) == ("full", 0, False)
    assert carnot["sensor"] == "AIX-P-CARNOT" and carnot["capacity"] == 675
    assert got["rotonde"]["properties"]["status"] == "open"
    assert got["cardeurs"]["properties"]["status"] == "almost_full"  # 5 < 10 % of 125
    assert got["rotonde"]["geometry"] == {"type": "Point", "coordinates": [5.4440594, 43.5253922]}
    assert len(got) == CarPark.objects.filter(city=aix).count() == 10


@pytest.mark.django_db
def test_car_park_without_reading_for_20_minutes_is_stale(client, demo_parks, minutes_ago):
    """A reading 20 minutes old gives stale, no number and status unknown."""
    push(demo_parks["aix"], "AIX-P-MIGNET", 300, at=minutes_ago(20))
    got = features(client.get("/api/v1/cities/aix-en-provence/car-parks"))
    mignet = got["mignet"]["properties"]
    assert (mignet["stale"], mignet["available"], mignet["status"]) == (True, None, "unknown")
    assert mignet["observed_at"] is not None
    never = got["signoret"]["properties"]
    assert (never["stale"], never["available"], never["status"]) == (True, None, "unknown")


@pytest.mark.django_db
def test_list_is_cacheable_and_city_scoped(client, demo_parks):
    """The list has Cache-Control seconds and an ETag, shows only the city's car parks, 404 for an unknown city."""
    response = client.get("/api/v1/cities/rouen/car-parks")
    got = features(response)
    assert "max-age=30" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response.has_header("ETag")
    assert set(got) == set(CarPark.objects.filter(city=demo_parks["rouen"]).values_list("slug", flat=True))
    assert "rotonde" not in got
    assert all(f["properties"]["approximate_location"] for f in got.values())
    again = client.get("/api/v1/cities/rouen/car-parks", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert_problem(client.get("/api/v1/cities/nowhere/car-parks"), 404)
    assert_problem(client.get("/api/v1/cities/rouen/car-parks?format=xml"), 422)


@pytest.mark.django_db
def test_ngsi_ld_format(client, demo_parks):
    """?format=ngsi-ld gives normalized OffStreetParking entities with availableSpotNumber."""
    push(demo_parks["aix"], "AIX-P-ROTONDE", 640)
    response = client.get("/api/v1/cities/aix-en-provence/car-parks?format=ngsi-ld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    entities = {e["id"]: e for e in json.loads(response.content)}
    rotonde = entities["urn:ngsi-ld:OffStreetParking:AIX-P-ROTONDE"]
    assert rotonde["type"] == "OffStreetParking"
    assert rotonde["availableSpotNumber"]["value"] == 640
    assert rotonde["availableSpotNumber"]["observedAt"].endswith("Z")
    assert rotonde["totalSpotNumber"] == {"type": "Property", "value": 1800}
    assert rotonde["status"]["value"] == ["spacesAvailable"]
    assert rotonde["location"]["value"]["coordinates"] == [5.4440594, 43.5253922]
    assert "availableSpotNumber" not in entities["urn:ngsi-ld:OffStreetParking:AIX-P-CARNOT"]
    assert len(entities) == CarPark.objects.filter(city=demo_parks["aix"]).count()


@pytest.mark.django_db
def test_csv_export_validates_against_national_schema(client, demo_parks, tmp_path):
    """?format=csv follows "Lieux de stationnement" v0.1.5 (frictionless); rows missing a required value are left out."""
    aix = demo_parks["aix"]
    CarPark.objects.filter(city=aix, slug="krypton").update(operator_siret="")
    CarPark.objects.filter(city=aix, slug="rotonde").update(
        price_1h="2.40", price_2h="4.80", max_height_cm=190, disabled_places=36, ev_places=12,
        address="8 avenue des Belges, 13100 Aix-en-Provence")
    response = client.get("/api/v1/cities/aix-en-provence/car-parks?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["X-Omitted-Rows"] == "1"  # Krypton: SIRET unknown
    path = tmp_path / "stationnement.csv"
    path.write_bytes(response.content)
    schema = Schema.from_descriptor(json.loads((FIXTURES / "etalab-schema-stationnement-schema.json").read_text()))
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 9
    rotonde = next(r for r in rows if r["nom"] == "Rotonde")
    assert (rotonde["insee"], rotonde["nb_places"], rotonde["hauteur_max"], rotonde["tarif_2h"]) == (
        "13001", "1800", "190", "4.8")
    assert rotonde["id"] == CarPark.objects.get(city=aix, slug="rotonde").national_id
    assert rotonde["id"].startswith("13001-P-")
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["hauteur_max"] for r in rows if r["nom"] != "Rotonde"} == {"N/A"}
    # The validation has teeth: a malformed SIRET is refused.
    path.write_text(response.content.decode().replace("00000000000000", "123", 1))
    assert not Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate().valid


@pytest.fixture
def production_app():
    """The WSGI application as the production server runs it (edge cache in front of Django), on a
    hand-driven clock, inside the test's transaction."""
    import httpx
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from citypocket.core.edge import EdgeCache

    clock = {"now": 0.0}
    app = EdgeCache(get_wsgi_application(), clock=lambda: clock["now"])
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)  # as Django's test client does
    try:
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver") as http:
            yield http, clock
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.django_db
def test_live_answers_are_kept_a_few_seconds_at_the_edge(production_app, demo_parks, settings):
    """Under the production server a new reading shows after MOBILITY_RESPONSE_CACHE_SECONDS, per language."""
    http, clock = production_app
    settings.MOBILITY_RESPONSE_CACHE_SECONDS = 5
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 640)
    url = "/api/v1/cities/aix-en-provence/car-parks"
    assert features(http.get(url))["rotonde"]["properties"]["available"] == 640
    push(aix, "AIX-P-ROTONDE", 12, at=datetime.now(UTC) + timedelta(seconds=1))
    clock["now"] = 4
    cached = http.get(url)
    assert features(cached)["rotonde"]["properties"]["available"] == 640
    assert "max-age=30" in cached.headers["Cache-Control"] and cached.headers["Age"] == "4"
    assert http.get(url, headers={"If-None-Match": cached.headers["ETag"]}).status_code == 304
    english = features(http.get(url, headers={"Accept-Language": "en"}))["rotonde"]["properties"]
    assert (english["available"], english["status_label"]) == (12, "Almost full")
    csv_answer = http.get(url + "?format=csv")
    assert http.get(url + "?format=csv").headers["X-Omitted-Rows"] == csv_answer.headers["X-Omitted-Rows"] == "0"
    search = "/api/v1/cities/aix-en-provence/car-parks/search?lat=43.5263&lon=5.4454"
    assert http.get(search).json()["features"][0]["id"] == "rotonde"
    assert http.get("/api/v1/cities/nowhere/car-parks").status_code == 404  # errors go through, never kept
    clock["now"] = 5.5  # the seconds have passed
    assert features(http.get(url))["rotonde"]["properties"]["available"] == 12
    settings.MOBILITY_RESPONSE_CACHE_SECONDS = 0
    push(aix, "AIX-P-ROTONDE", 0, at=datetime.now(UTC) + timedelta(seconds=2))
    assert features(http.get(url))["rotonde"]["properties"]["status"] == "full"


@pytest.mark.django_db
def test_ngsi_ld_push_through_ingest_makes_car_park_full(client, demo_parks):
    """An OffStreetParking entity with availableSpotNumber 0 sent to /api/v1/ingest makes the car park full."""
    from django.utils import timezone

    from citypocket.sensors.tokens import create_ingest_token

    _row, token = create_ingest_token(city=demo_parks["aix"], name="semepa")
    listed = client.get("/api/v1/cities/aix-en-provence/car-parks?format=ngsi-ld")
    entity = next(e for e in json.loads(listed.content) if e["id"].endswith("AIX-P-ROTONDE"))
    entity["availableSpotNumber"] = {"type": "Property", "value": 0,
                                     "observedAt": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    response = client.post("/api/v1/ingest", data=json.dumps(entity), content_type="application/ld+json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202, response.content
    assert json.loads(response.content)["accepted"] == 1
    rotonde = features(client.get("/api/v1/cities/aix-en-provence/car-parks"))["rotonde"]["properties"]
    assert (rotonde["status"], rotonde["available"]) == ("full", 0)
    assert Datastream.objects.get(sensor__external_id="AIX-P-ROTONDE").latest.value == 0


@pytest.mark.django_db
def test_traffic_counts_are_an_open_dataset(client, demo_parks):
    """Every reading of the active counting points, with the point, its road and position."""
    from citypocket.opendata.services import sync_platform_datasets
    from citypocket.sensors.models import SensorKind

    sync_platform_datasets()
    point = Sensor.objects.filter(city=demo_parks["aix"], kind=SensorKind.TRAFFIC).order_by("external_id").first()
    push(demo_parks["aix"], point.external_id, 950.0, prop="vehicle_flow", unit="veh/h")
    sync_platform_datasets()
    response = client.get("/api/v1/cities/aix-en-provence/data/traffic-counts/rows")
    assert response.status_code == 200
    (row,) = response.json()["items"]
    assert (row["counting_point"], row["property"], row["unit"], row["value"]) == (
        point.external_id, "vehicle_flow", "veh/h", 950.0)
    Sensor.objects.filter(pk=point.pk).update(is_active=False)
    assert client.get("/api/v1/cities/aix-en-provence/data/traffic-counts/rows").json()["items"] == []


def luhn_valid(number: str) -> bool:
    """The check of the schema's custom check `french-siret-value` (a SIRET passes the Luhn algorithm)."""
    total = 0
    for index, digit in enumerate(int(c) for c in reversed(number)):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


@pytest.mark.django_db
@pytest.mark.parametrize("city", ["rouen", "aix-en-provence"])
def test_demo_car_park_dataset_validates_against_the_national_schema(client, demo_parks, city, tmp_path):
    """The open-data `car-parks` CSV of each demo city is a valid file of the national schema (frictionless,
    plus the schema's SIRET check), and not an empty one: the demo's simulated SIRET is flagged in `info`."""
    from citypocket.opendata.services import sync_platform_datasets

    sync_platform_datasets()
    response = client.get(f"/api/v1/cities/{city}/data/car-parks/rows", {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    path = tmp_path / "stationnement.csv"
    path.write_bytes(body)
    schema = Schema.from_descriptor(json.loads((FIXTURES / "etalab-schema-stationnement-schema.json").read_text()))
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    car_parks = CarPark.objects.filter(city=demo_parks["rouen" if city == "rouen" else "aix"])
    assert len(rows) == car_parks.count() > 0  # a row per car park
    assert sorted(row["id"] for row in rows) == sorted(car_parks.values_list("national_id", flat=True))
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(luhn_valid(row["num_siret"]) for row in rows)
    assert {row["num_siret"] for row in rows} == {demo.SIMULATED_SIRET}
    assert {row["info"] for row in rows} == {demo.SIMULATED_SIRET_INFO}
    assert not luhn_valid("12345678901234"), "the SIRET check can fail"


@pytest.mark.django_db
def test_demo_keeps_a_siret_the_city_entered(demo_parks):
    CarPark.objects.filter(city=demo_parks["rouen"], slug="opera").update(operator_siret="12345678900017", info="")
    demo.load(history=False)
    opera, saint_marc = (CarPark.objects.get(city=demo_parks["rouen"], slug=s) for s in ("opera", "saint-marc"))
    assert (opera.operator_siret, opera.info) == ("12345678900017", "")
    assert saint_marc.operator_siret == demo.SIMULATED_SIRET
    assert "simulated" in saint_marc.provenance
