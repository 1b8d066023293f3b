"""Feed pollers: OpenDataSoft Explore v2.1 (paged with limit <= 100 and offset) and generic JSON.

The fetchers return a parsed batch; `poll_feed` hands it to the ingest door.
"""

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import httpx
import pytest
import respx
from django.core.management import call_command

from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import DeadLetter, LatestObservation, Observation
from citypocket.sensors.pollers import FieldMapping, fetch_json, fetch_opendatasoft, poll_feed
from citypocket.sensors.services import ensure_sensor

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://data.example.org"
RECORDS = f"{BASE}/api/explore/v2.1/catalog/datasets/parkings/records"
MAPPING = FieldMapping(
    sensor="id_parking",
    sensor_prefix="P-",
    time="date_maj",
    values={"available_spots": ("places_libres", "1"), "occupancy": ("taux_occupation", "%")},
)


def page(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def car_parks(city):
    for ref in ("VIEUX-MARCHE", "PALAIS", "HAUTS-DE-ROUEN"):
        ensure_sensor(
            city=city,
            external_id=f"P-{ref}",
            kind="parking",
            name=ref,
            properties={"available_spots": "1", "occupancy": "1"},
        )


@respx.mock
def test_opendatasoft_pages_through_and_maps_fields(rouen):
    """Pages are fetched with limit <= 100 and growing offset; values, units and local times are mapped."""
    car_parks(rouen)
    route = respx.get(RECORDS).mock(
        side_effect=[
            httpx.Response(200, json=page("ods_v21_parkings_page1.json")),
            httpx.Response(200, json=page("ods_v21_parkings_page2.json")),
        ]
    )
    batch = fetch_opendatasoft(
        city=rouen, base_url=BASE, dataset="parkings", mapping=MAPPING, page_size=2, where="etat='OUVERT'"
    )
    calls = [dict(call.request.url.params) for call in route.calls]
    assert calls == [
        {"limit": "2", "offset": "0", "where": "etat='OUVERT'"},
        {"limit": "2", "offset": "2", "where": "etat='OUVERT'"},
    ]
    assert [(r.index, r.reason) for r in batch.rejections] == [(1, "places_libres is not a number")]
    result = ingest_observations(city=rouen, batch=batch, source="poll:parkings")
    assert (result.accepted, result.duplicates) == (5, 0)
    assert [(r.index, r.reason) for r in result.rejected] == [(1, "places_libres is not a number")]
    latest = {
        (row.datastream.sensor.external_id, row.datastream.property): row
        for row in LatestObservation.objects.select_related("datastream__sensor")
    }
    assert latest[("P-VIEUX-MARCHE", "occupancy")].value == pytest.approx(0.715)
    assert latest[("P-VIEUX-MARCHE", "available_spots")].phenomenon_time == datetime(2026, 11, 25, 8, 55, tzinfo=UTC)
    # A time without offset is the city's local time (Paris, UTC+1 in November).
    assert latest[("P-HAUTS-DE-ROUEN", "available_spots")].phenomenon_time == datetime(2026, 11, 25, 8, 54, tzinfo=UTC)
    assert DeadLetter.objects.get().source == "poll:parkings"


@respx.mock
def test_opendatasoft_page_size_is_capped_and_polling_is_idempotent(rouen):
    """A page size above 100 is capped at the API's maximum; polling the same data twice adds nothing."""
    car_parks(rouen)
    route = respx.get(RECORDS).mock(
        return_value=httpx.Response(200, json=page("ods_v21_parkings_page2.json") | {"total_count": 1})
    )
    batch = fetch_opendatasoft(city=rouen, base_url=BASE, dataset="parkings", mapping=MAPPING, page_size=500)
    first = ingest_observations(city=rouen, batch=batch, source="poll:parkings")
    batch = fetch_opendatasoft(city=rouen, base_url=BASE, dataset="parkings", mapping=MAPPING)
    second = ingest_observations(city=rouen, batch=batch, source="poll:parkings")
    assert route.calls[0].request.url.params["limit"] == "100"
    assert (first.accepted, second.accepted, second.duplicates) == (2, 0, 2)
    assert Observation.objects.count() == 2


@respx.mock
def test_generic_json_poller_and_command(rouen, settings):
    """The JSON poller reads records at a dotted path; poll_feeds runs the configured feeds."""
    ensure_sensor(city=rouen, external_id="FR25036", kind="air", name="Palais", properties={"no2": "ug/m3"})
    body = {
        "data": {"items": [{"station": "FR25036", "at": "2026-11-25T09:00:00Z", "no2": 0.031}, {"station": "FR25036"}]}
    }
    respx.get("https://feeds.example.org/air.json").mock(return_value=httpx.Response(200, json=body))
    mapping = FieldMapping(sensor="station", time="at", values={"no2": ("no2", "mg/m3")})
    batch = fetch_json(city=rouen, url="https://feeds.example.org/air.json", records="data.items", mapping=mapping)
    result = ingest_observations(city=rouen, batch=batch, source="poll:air")
    assert result.accepted == 1 and [r.reason for r in result.rejected] == ["time is missing"]
    assert Observation.objects.get().value == pytest.approx(31.0)
    settings.SENSOR_FEEDS = [
        {
            "name": "air",
            "city": "rouen",
            "kind": "json",
            "url": "https://feeds.example.org/air.json",
            "records": "data.items",
            "mapping": {"sensor": "station", "time": "at", "values": {"no2": ["no2", "mg/m3"]}},
        }
    ]
    out = StringIO()
    call_command("poll_feeds", stdout=out)
    assert out.getvalue().strip() == "air: 0 accepted, 1 duplicates, 1 rejected"


@respx.mock
def test_not_an_ods_answer_is_a_dead_letter(rouen):
    """An answer without `results` is refused whole and kept as a dead letter named after the feed; nothing is written."""
    respx.get(RECORDS).mock(return_value=httpx.Response(200, json={"error": "dataset not found"}))
    feed = {
        "name": "rouen-parkings",
        "city": "rouen",
        "kind": "opendatasoft",
        "base_url": BASE,
        "dataset": "parkings",
        "mapping": {"sensor": "id_parking", "values": {"available_spots": ["places_libres", "1"]}},
    }
    result = poll_feed(feed)
    assert result.accepted == 0
    assert [(r.index, r.reason) for r in result.rejected] == [(0, "not an ODS v2.1 answer")]
    letter = DeadLetter.objects.get()
    assert (letter.city, letter.source, letter.reason) == (rouen, "poll:rouen-parkings", "not an ODS v2.1 answer")
    assert letter.payload == '{"error":"dataset not found"}'  # the answer's text, as received
    assert Observation.objects.count() == 0


@respx.mock
def test_a_document_that_is_not_json_is_a_dead_letter(rouen):
    """A JSON feed answering something that is not JSON is refused whole with the reason, like an HTTP push."""
    respx.get("https://feeds.example.org/air.json").mock(return_value=httpx.Response(200, text="<html>oops"))
    feed = {
        "city": "rouen",
        "kind": "json",
        "url": "https://feeds.example.org/air.json",
        "mapping": {"sensor": "station", "values": {"no2": ["no2", "ug/m3"]}},
    }
    result = poll_feed(feed)
    assert result.accepted == 0 and [r.index for r in result.rejected] == [0]
    letter = DeadLetter.objects.get()
    assert letter.source == "poll:https://feeds.example.org/air.json"
    assert letter.reason.startswith("malformed JSON") and letter.payload == "<html>oops"
