"""The waste API (zones, collections, sorting guide), the one address search and its addok backend."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest

from citypocket.cityinfo import waste_api
from citypocket.cityinfo.addresses import AddokBackend, AddressSearchUnavailable, EmbeddedBackend, backend
from citypocket.cityinfo.waste_demo import load_waste

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cities/rouen"


@pytest.fixture
def demo(rouen, aix):
    load_waste()
    return rouen, aix


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()


def test_zones_list_each_stream_and_its_rule(client, demo):
    body = client.get(f"{BASE}/waste/zones", {"lang": "en"}).json()
    assert [zone["slug"] for zone in body["items"]] == ["rive-droite", "rive-gauche"]
    centre = body["items"][0]
    assert centre["name"] == "Right bank — centre (demo)" and centre["is_demo"]
    streams = {item["stream"]: item for item in centre["streams"]}
    assert list(streams) == ["household", "recycling", "glass", "green", "bulky"]
    assert streams["glass"]["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR" and streams["glass"]["label"] == "Glass"
    assert streams["bulky"]["on_appointment"] and centre["bulky_url"].startswith("https://")
    assert centre["calendar_url"] == "/rouen/waste/zones/rive-droite/calendar.ics"
    assert _problem(client.get("/api/v1/cities/nowhere/waste/zones"), 404)


def test_collections_in_a_period_say_when_a_holiday_moved_one(client, demo, monkeypatch):
    body = client.get(f"{BASE}/waste/collections", {"zone": "rive-droite", "from": "2026-12-21", "to": "2026-12-28",
                                                     "stream": "glass", "lang": "fr"}).json()
    assert body["count"] == 1 and body["from"] == "2026-12-21"
    assert body["items"][0] == {"date": "2026-12-26", "stream": "glass", "label": "Verre",
                                "usual_date": "2026-12-25", "moved": True}
    week = client.get(f"{BASE}/waste/collections", {"zone": "rive-droite", "from": "2026-12-21",
                                                     "to": "2026-12-28"}).json()
    assert [(item["date"], item["stream"]) for item in week["items"]] == [
        ("2026-12-21", "household"), ("2026-12-23", "recycling"), ("2026-12-24", "household"),
        ("2026-12-26", "glass")]
    # Pinned for the view only: the rate limiter's counters live in the cache, on the real clock.
    monkeypatch.setattr(waste_api, "timezone", SimpleNamespace(now=lambda: datetime(2026, 12, 20, 10, tzinfo=UTC)))
    default = client.get(f"{BASE}/waste/collections", {"zone": "rive-droite", "stream": "glass"}).json()
    assert default["from"] == "2026-12-20" and default["to"] == "2027-01-20"
    assert [item["date"] for item in default["items"]] == ["2026-12-26", "2027-01-08"]


def test_collections_refuse_bad_periods_and_other_cities_zones(client, demo):
    url = f"{BASE}/waste/collections"
    assert _problem(client.get(url, {"zone": "rive-droite", "from": "2026-12-21", "to": "2026-12-01"}), 422)
    assert _problem(client.get(url, {"zone": "rive-droite", "from": "2026-01-01", "to": "2027-06-01"}), 422)
    assert _problem(client.get(url, {"zone": "rive-droite", "from": "yesterday"}), 422)
    assert _problem(client.get(url, {"zone": "rive-droite", "stream": "compost"}), 422)
    assert _problem(client.get(url, {"zone": "centre-ancien"}), 404)  # Aix's, asked through Rouen
    assert _problem(client.get(url), 422)


def test_address_search_answers_with_the_zone_and_never_caches(client, demo):
    response = client.get(f"{BASE}/addresses", {"q": "25 republique"})
    body = response.json()
    assert body["backend"] == "embedded" and body["count"] == 1
    assert body["items"][0]["label"] == "25 Rue de la République, 76000 Rouen"
    assert body["items"][0]["zone"] == "rive-droite" and body["items"][0]["citycode"] == "76540"
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"{BASE}/addresses", {"q": "cours mirabeau"}).json()["count"] == 0  # Aix's street
    assert _problem(client.get(f"{BASE}/addresses", {"q": "ab"}), 422)
    assert _problem(client.get(f"{BASE}/addresses", {"q": "rue", "limit": 500}), 422)


def test_sorting_guide_api_in_both_languages(client, demo):
    english = client.get(f"{BASE}/waste/guide", {"q": "bouteille verre", "lang": "en"}).json()
    assert english["items"][0] == {"name": "Glass bottle", "stream": "glass", "label": "Glass",
                                   "advice": "Without cap or cork; no need to rinse it.", "is_demo": True}
    french = client.get(f"{BASE}/waste/guide", {"q": "glass bottle", "lang": "fr"}).json()
    assert french["items"][0]["name"] == "Bouteille en verre" and french["items"][0]["label"] == "Verre"
    assert _problem(client.get(f"{BASE}/waste/guide"), 422)


ADDOK_ANSWER = {
    "type": "FeatureCollection",
    "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0926, 49.4431]},
        "properties": {"label": "15 Rue Jeanne d'Arc 76000 Rouen", "housenumber": "15", "street": "Rue Jeanne d'Arc",
                       "postcode": "76000", "citycode": "76540", "city": "Rouen", "id": "76540_3720_00015",
                       "type": "housenumber", "score": 0.97},
    }, {"type": "Feature", "geometry": None, "properties": {"label": "broken"}}],
}


def test_the_addok_backend_reads_addok_answers_for_the_citys_communes(demo, settings):
    rouen, _aix = demo
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=json.dumps(ADDOK_ANSWER), headers={"Content-Type": "application/json"})

    engine = AddokBackend("http://addok.test:7878", transport=httpx.MockTransport(answer))
    hits = engine.search("15 rue jeanne d'arc", city=rouen, limit=5)
    assert seen[0].path == "/search/" and seen[0].params["citycode"] == "76540" and seen[0].params["limit"] == "5"
    assert [(hit.label, hit.number_int, hit.lat, hit.lon) for hit in hits] == [
        ("15 Rue Jeanne d'Arc 76000 Rouen", 15, 49.4431, 1.0926)]
    assert engine.search("ab", city=rouen) == []  # addok refuses under three characters: not even asked
    assert len(seen) == 1
    settings.ADDRESS_SEARCH_ADDOK_URL = "http://addok.test:7878"
    assert isinstance(backend(), AddokBackend)
    settings.ADDRESS_SEARCH_ADDOK_URL = ""
    assert isinstance(backend(), EmbeddedBackend)


def test_an_addok_that_does_not_answer_is_a_503_problem(client, demo, settings, monkeypatch):
    rouen, _aix = demo
    failing = AddokBackend("http://addok.test:7878",
                           transport=httpx.MockTransport(lambda request: httpx.Response(502)))
    with pytest.raises(AddressSearchUnavailable):
        failing.search("rue jeanne", city=rouen)
    monkeypatch.setattr("citypocket.cityinfo.addresses.backend", lambda: failing)
    problem = _problem(client.get(f"{BASE}/addresses", {"q": "rue jeanne"}), 503)
    assert "did not answer" in problem["detail"]
    page = client.post("/rouen/waste/?lang=en", {"address": "rue jeanne"})
    assert page.status_code == 503 and "not available right now" in page.content.decode()


def test_the_addok_export_groups_numbers_by_street(rouen, tmp_path, capsys):
    from django.core.management import call_command

    from citypocket.cityinfo.waste_demo import ADDRESSES

    out = tmp_path / "addok.ndjson"
    call_command("load_addresses", "rouen", str(ADDRESSES), "--demo", "--addok-json", str(out))
    documents = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "10 street documents written" in capsys.readouterr().out
    jeanne = next(doc for doc in documents if doc["name"] == "Rue Jeanne d'Arc")
    assert jeanne["type"] == "street" and jeanne["citycode"] == "76540" and jeanne["city"] == "Rouen"
    assert jeanne["id"] == "76540_x001" and "12 bis" in jeanne["housenumbers"]
    assert jeanne["housenumbers"]["15"]["id"] == "76540_x001_00015"
    assert all(doc["citycode"] == "76540" for doc in documents)  # Aix's rows are not Rouen's


@pytest.mark.skipif(not __import__("os").environ.get("ADDOK_TEST_URL"),
                    reason="needs a live addok service loaded with the demo extract (ADDOK_TEST_URL)")
def test_a_live_addok_finds_a_demo_address(rouen):
    """Run by hand: addok serve on a spare Redis database, loaded with `load_addresses --addok-json`
    then `addok batch` (docs/cityinfo.md, "Address search")."""
    import os

    hits = AddokBackend(os.environ["ADDOK_TEST_URL"]).search("15 rue jeanne d'arc", city=rouen, limit=3)
    assert hits[0].label == "15 Rue Jeanne d'Arc 76000 Rouen"
    assert hits[0].number_int == 15 and hits[0].citycode == "76540"
