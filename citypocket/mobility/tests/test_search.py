"""Find-a-spot search: ranking with reasons, prediction from history, park-and-ride, traffic."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from citypocket.core.http import render_json
from citypocket.mobility import prediction, traffic
from citypocket.mobility.models import CarPark
from citypocket.mobility.schemas import CarParkCollection, SearchCollection
from citypocket.mobility.tests.conftest import push
from citypocket.mobility.tests.factories import CarParkFactory
from citypocket.sensors.models import LatestObservation, Observation
from testsupport import assert_problem, pin_now

ROTONDE_FOUNTAIN = (43.5263, 5.4453)
SEARCH = "/api/v1/cities/aix-en-provence/car-parks/search"


def run(client, url=SEARCH, lang="en", **params) -> dict:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


@pytest.mark.django_db
def test_search_next_to_rotonde_ranks_free_car_park_first_and_explains(client, demo_parks):
    """Next to the Rotonde, a full car park is ranked below one with free spaces, and the reasons say why."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 0)
    push(aix, "AIX-P-MEJANES", 420)
    push(aix, "AIX-P-MIGNET", 2)
    body = run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1])
    ranked = [f["id"] for f in body["features"]]
    first = body["features"][0]["properties"]
    assert ranked[0] == "mejanes"
    assert first["available"] == 420 and first["rank"] == 1
    assert any("420 free spaces now" in reason for reason in first["reasons"])
    assert any("min walk" in reason for reason in first["reasons"])
    rotonde = next(f["properties"] for f in body["features"] if f["id"] == "rotonde")
    assert rotonde["status"] == "full"
    assert any("expected to be full" in reason for reason in rotonde["reasons"])
    assert ranked.index("rotonde") > ranked.index("mejanes")
    assert [f["properties"]["score"] for f in body["features"]] == sorted(
        (f["properties"]["score"] for f in body["features"]), reverse=True)
    # Only car parks within the walking limit, all in Aix.
    assert all(f["properties"]["walk_m"] <= 1000 for f in body["features"])
    assert set(ranked) <= set(CarPark.objects.filter(city=aix).values_list("slug", flat=True))
    assert body["destination"]["coordinates"] == [ROTONDE_FOUNTAIN[1], ROTONDE_FOUNTAIN[0]]
    french = run(client, lang="fr", lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1])["features"][0]["properties"]
    assert "420 places libres maintenant." in french["reasons"]
    assert any(reason.endswith("m) jusqu'à votre destination.") for reason in french["reasons"])
    assert any(reason.endswith("m) to your destination.") for reason in first["reasons"])


@pytest.mark.django_db
def test_search_filters_height_disabled_ev_and_walk(client, demo_parks):
    """Height, disabled-badge and EV filters leave out car parks that do not fit; max_walk_m bounds the walk."""
    aix = demo_parks["aix"]
    CarPark.objects.filter(city=aix, slug="rotonde").update(max_height_cm=190, disabled_places=30, ev_places=10)
    CarPark.objects.filter(city=aix, slug="mejanes").update(max_height_cm=210, disabled_places=20)
    tall = {f["id"] for f in run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], height_cm=200)["features"]}
    assert "mejanes" in tall and "rotonde" not in tall
    unknown_height = next(f for f in run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1],
                                         height_cm=200)["features"] if f["id"] == "mignet")
    assert any("Height limit not known" in r for r in unknown_height["properties"]["reasons"])
    disabled = {f["id"] for f in run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1],
                                     disabled="true")["features"]}
    assert disabled == {"rotonde", "mejanes"}
    ev = {f["id"] for f in run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], ev="true")["features"]}
    assert ev == {"rotonde"}
    near = run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], max_walk_m=300)["features"]
    assert [f["id"] for f in near] == ["rotonde"]


@pytest.mark.django_db
def test_prediction_uses_same_weekday_history_and_current_trend(client, demo_parks):
    """With 4 weeks of history the prediction is the usual value at arrival corrected by today's trend."""
    aix = demo_parks["aix"]
    now = timezone.now().replace(microsecond=0)
    arrive = now + timedelta(minutes=60)
    for k in range(1, 5):
        push(aix, "AIX-P-MEJANES", 20, at=arrive - timedelta(weeks=k))
        push(aix, "AIX-P-MEJANES", 100, at=now - timedelta(weeks=k))
    push(aix, "AIX-P-MEJANES", 150, at=now)
    body = run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], arrive_at=arrive.isoformat())
    mejanes = next(f["properties"] for f in body["features"] if f["id"] == "mejanes")
    # usual 20 at arrival + (150 - 100) x (1 - 60/180) = 53
    assert mejanes["predicted"] == {"free": 53, "method": "history_trend", "history_weeks": 4}
    assert any("history of 4 weeks" in r and "trend" in r for r in mejanes["reasons"])
    assert mejanes["available"] == 150


@pytest.mark.django_db
def test_prediction_falls_back_to_now_when_history_is_short(client, demo_parks):
    """With one past week only, the prediction is the free spaces now, and the reason says so."""
    aix = demo_parks["aix"]
    now = timezone.now().replace(microsecond=0)
    arrive = now + timedelta(hours=2)
    push(aix, "AIX-P-MEJANES", 5, at=arrive - timedelta(weeks=1))
    push(aix, "AIX-P-MEJANES", 300, at=now)
    body = run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], arrive_at=arrive.isoformat())
    mejanes = next(f["properties"] for f in body["features"] if f["id"] == "mejanes")
    assert mejanes["predicted"] == {"free": 300, "method": "now", "history_weeks": 1}
    assert any("too little history" in r for r in mejanes["reasons"])


def test_prediction_rules():
    """History without a fresh reading gives the profile alone; nothing at all gives no number."""
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    arrive = now + timedelta(hours=1)
    hist = {"arrival": {1: [10.0, 30.0], 2: [40.0]}, "now": {}}
    assert prediction.predict(history=hist, free_now=None, capacity=100, now=now, arrive_at=arrive) == \
        prediction.Prediction(30, prediction.HISTORY, 2)
    assert prediction.predict(history=None, free_now=None, capacity=100, now=now, arrive_at=arrive).free is None
    soon = prediction.predict(history=hist, free_now=7, capacity=100, now=now, arrive_at=now + timedelta(minutes=5))
    assert (soon.free, soon.method) == (7, prediction.NOW)
    hist_now = {"arrival": {1: [90.0], 2: [90.0]}, "now": {1: [0.0], 2: [0.0]}}
    capped = prediction.predict(history=hist_now, free_now=100, capacity=100, now=now, arrive_at=arrive)
    assert capped.free == 100


@pytest.mark.django_db
def test_park_and_ride_alternative_with_transit_and_co2(client, demo_parks):
    """A Rouen search offers the Mont-Riboudet P+R with its TEOR leg and the CO2 avoided."""
    push(demo_parks["rouen"], "ROUEN-P-MONT-RIBOUDET", 350)
    body = run(client, "/api/v1/cities/rouen/car-parks/search", lat=49.4413, lon=1.0920)
    alt = body["park_and_ride"]
    assert alt["id"] == "mont-riboudet" and alt["available"] == 350
    assert alt["transit_line"].startswith("TEOR") and alt["transit_minutes"] == 10
    assert alt["total_minutes"] == 10 + alt["walk_minutes"]
    assert alt["co2"]["avoided_kg"] > 0.3
    assert alt["co2"]["car_km"] > 2.5
    assert any("CO₂" in r for r in alt["reasons"])
    assert "mont-riboudet" not in {f["id"] for f in body["features"]}  # too far to walk


def add_park_and_ride(city, n: int, *, transit_minutes: int, free: int | None, now) -> None:
    """A P+R whose centre stop is the Rouen search destination, so its trip is its transit time."""
    car_park = CarParkFactory(city=city, live=True, slug=f"pr-{n}", name=f"P+R {n}", sensor__external_id=f"PR-{n}",
                              lat=49.40 + n / 1000, lon=1.00, park_and_ride=True, transit_line="Tram 1",
                              transit_minutes=transit_minutes, transit_stop_lat=ROUEN_CENTRE[0],
                              transit_stop_lon=ROUEN_CENTRE[1])
    sensor = car_park.sensor
    if free is not None:
        for k in range(1, 5):  # a history every past week, so that the prediction uses it
            push(city, sensor.external_id, free, at=now + timedelta(hours=1) - timedelta(weeks=k))
            push(city, sensor.external_id, free, at=now - timedelta(weeks=k))
        push(city, sensor.external_id, free, at=now)


ROUEN_CENTRE = (49.4431, 1.0993)


@pytest.mark.django_db
def test_park_and_ride_is_the_quickest_with_room_and_costs_the_same_with_many(client, demo_parks):
    """Among many P+Rs the greener option is the quickest trip expected to have room; finding it reads
    the same queries and the same history with 4 P+Rs as with 40."""
    rouen = demo_parks["rouen"]
    CarPark.objects.filter(city=rouen, park_and_ride=True).update(park_and_ride=False)
    now = timezone.now().replace(microsecond=0)
    add_park_and_ride(rouen, 1, transit_minutes=8, free=0, now=now)  # quickest, but full
    add_park_and_ride(rouen, 2, transit_minutes=12, free=None, now=now)  # no reading: unknown
    add_park_and_ride(rouen, 3, transit_minutes=14, free=60, now=now)
    add_park_and_ride(rouen, 4, transit_minutes=25, free=390, now=now)  # emptier but slower
    url = "/api/v1/cities/rouen/car-parks/search"
    params = {"lat": ROUEN_CENTRE[0], "lon": ROUEN_CENTRE[1], "arrive_at": (now + timedelta(hours=1)).isoformat()}
    alt = run(client, url, **params)["park_and_ride"]
    assert (alt["id"], alt["transit_minutes"], alt["predicted"]["free"]) == ("pr-3", 14, 60)
    assert alt["total_minutes"] == 14 + alt["walk_minutes"]
    assert alt["predicted"]["method"] == "history_trend"

    def reads() -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        streams = []
        load = prediction.load_history

        def counting(*, datastream_ids, **kwargs):
            streams.extend(datastream_ids)
            return load(datastream_ids=datastream_ids, **kwargs)

        with CaptureQueriesContext(connection) as queries, mock.patch.object(prediction, "load_history", counting):
            run(client, url, **params)
        return len(queries), len(streams)

    few = reads()
    for n in range(5, 41):
        add_park_and_ride(rouen, n, transit_minutes=30 + n, free=200, now=now)
    assert reads() == few
    assert run(client, url, **params)["park_and_ride"]["id"] == "pr-3"
    # Rush hour: the three quickest are full or unknown; the others' history is read in one more query.
    Observation.objects.filter(datastream__sensor__external_id="PR-3").update(value=0)
    LatestObservation.objects.filter(datastream__sensor__external_id="PR-3").update(value=0)
    queries, streams = reads()
    assert queries == few[0] + 1 and streams == few[1] + 37
    alt = run(client, url, **params)["park_and_ride"]
    assert (alt["id"], alt["predicted"]["free"]) == ("pr-4", 390)


@pytest.mark.django_db
def test_saturated_approach_lowers_rank(client, demo_parks):
    """A blocked counting point near a car park lowers its score by 30 and says so."""
    aix = demo_parks["aix"]
    for sensor in ("AIX-P-ROTONDE", "AIX-P-MEJANES", "AIX-P-MIGNET"):
        push(aix, sensor, 500)
    before = {f["id"]: f["properties"] for f in run(client, lat=43.5254, lon=5.4441)["features"]}
    push(aix, "AIX-T-BELGES", 0.55, prop="occupancy")
    push(aix, "AIX-T-BELGES", 300, prop="vehicle_flow", unit="veh/h")
    after = {f["id"]: f["properties"] for f in run(client, lat=43.5254, lon=5.4441)["features"]}
    assert after["rotonde"]["approach_traffic"] == traffic.BLOQUE
    assert after["rotonde"]["score"] == pytest.approx(before["rotonde"]["score"] - 30, abs=0.2)
    assert any("blocked on the approach" in r for r in after["rotonde"]["reasons"])
    far = "cardeurs"
    assert after[far]["approach_traffic"] == traffic.UNKNOWN and after[far]["score"] == before[far]["score"]


@pytest.mark.django_db
def test_search_rejects_invalid_values(client, demo_parks):
    """Out-of-range values and past arrival times answer 422 problem+json; unknown city 404."""
    assert_problem(client.get(SEARCH, {"lat": 95, "lon": 5.4}), 422)
    assert_problem(client.get(SEARCH, {"lat": 43.5, "lon": 5.4, "max_walk_m": 10}), 422)
    past = (timezone.now() - timedelta(hours=2)).isoformat()
    body = assert_problem(client.get(SEARCH, {"lat": 43.5, "lon": 5.4, "arrive_at": past}), 422)
    assert body["errors"][0]["field"] == "arrive_at"
    assert_problem(client.get(SEARCH, {"lon": 5.4}), 422)
    assert_problem(client.get("/api/v1/cities/nowhere/car-parks/search", {"lat": 43.5, "lon": 5.4}), 404)


@pytest.mark.django_db
def test_traffic_congestion_states(client, demo_parks, minutes_ago):
    """Counting points get fluide / pré-saturé / saturé / bloqué from occupancy, unknown when stale."""
    aix = demo_parks["aix"]
    push(aix, "AIX-T-BELGES", 0.10, prop="occupancy")
    push(aix, "AIX-T-BELGES", 900, prop="vehicle_flow", unit="veh/h")
    push(aix, "AIX-T-ROI-RENE", 0.30, prop="occupancy")
    push(aix, "AIX-T-REPUBLIQUE", 0.9, prop="occupancy", at=minutes_ago(30))
    response = client.get("/api/v1/cities/aix-en-provence/traffic")
    assert response.status_code == 200 and "max-age=30" in response["Cache-Control"]
    got = {f["id"]: f["properties"] for f in json.loads(response.content)["features"]}
    assert got["AIX-T-BELGES"]["congestion"] == "fluide" and got["AIX-T-BELGES"]["vehicle_flow"] == 900
    assert got["AIX-T-ROI-RENE"]["congestion"] == "sature"
    assert got["AIX-T-REPUBLIQUE"]["congestion"] == "unknown" and got["AIX-T-REPUBLIQUE"]["stale"]
    assert set(got) == {"AIX-T-BELGES", "AIX-T-ROI-RENE", "AIX-T-REPUBLIQUE"}
    assert [traffic.congestion(x) for x in (0.149, 0.15, 0.249, 0.25, 0.399, 0.40, None)] == [
        "fluide", "pre_sature", "pre_sature", "sature", "sature", "bloque", "unknown"]
    assert_problem(client.get("/api/v1/cities/nowhere/traffic"), 404)


@pytest.mark.django_db
def test_demo_history_feeds_the_prediction(client, demo_parks, monkeypatch):
    """Seeded history (15 days) gives a history-based prediction an hour ahead; seeding twice adds nothing."""
    from citypocket.mobility import demo
    from citypocket.sensors.models import Observation

    aix = demo_parks["aix"]
    # The newest seeded reading is at the last quarter-hour: the search must see it as fresh, even
    # when the test starts a moment before the next quarter-hour.
    now = pin_now(monkeypatch, timezone.now())
    written = demo.seed_history(city=aix, now=now, days=15)
    assert written == 10 * (15 * 96 + 1)  # nine SEMEPA car parks and Krypton (900), every 15 min up to now
    assert demo.seed_history(city=aix, now=now, days=15) == 0
    assert Observation.objects.filter(datastream__sensor__external_id="AIX-P-KRYPTON").count() == 15 * 96 + 1
    arrive = (now + timedelta(hours=1)).isoformat()
    body = run(client, lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1], arrive_at=arrive)
    methods = {f["properties"]["predicted"]["method"] for f in body["features"]}
    assert methods == {"history_trend"}
    assert all(f["properties"]["predicted"]["history_weeks"] == 2 for f in body["features"])


@pytest.mark.django_db
def test_search_stays_in_its_city(client, demo_parks):
    """A Rouen search at Aix coordinates finds no Aix car park; its P+R stays Rouen's."""
    push(demo_parks["aix"], "AIX-P-ROTONDE", 600)
    push(demo_parks["rouen"], "ROUEN-P-MONT-RIBOUDET", 300)
    body = run(client, "/api/v1/cities/rouen/car-parks/search", lat=ROTONDE_FOUNTAIN[0], lon=ROTONDE_FOUNTAIN[1])
    assert body["features"] == []
    assert body["park_and_ride"]["id"] == "mont-riboudet"
    assert CarPark.objects.get(city=demo_parks["rouen"], slug="mont-riboudet").park_and_ride


@pytest.mark.django_db
def test_admin_is_city_scoped(demo_parks):
    """An editor of Rouen sees Rouen's car parks in the admin, not Aix's, and cannot open an Aix one."""
    from django.test import Client

    from testsupport import login, make_staff

    client = login(Client(), make_staff(demo_parks["rouen"]))
    listing = client.get("/admin/mobility/carpark/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Vieux-Marché" in html and "Rotonde" not in html
    rotonde = CarPark.objects.get(city=demo_parks["aix"], slug="rotonde")
    assert client.get(f"/admin/mobility/carpark/{rotonde.pk}/change/").status_code in (302, 403, 404)
    assert CarPark.objects.get(pk=rotonde.pk).name == "Rotonde"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_list_and_the_search_are_exactly_what_their_schemas_give(client, demo_parks, lang):
    """Both are rendered without ninja's output validation (core.http.Read): the bytes must be
    those the validation of CarParkCollection / SearchCollection would have sent, GeoJSON media type included."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 0)
    push(aix, "AIX-P-MEJANES", 420)
    arrive = (timezone.now() + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")
    answers = {
        CarParkCollection: client.get("/api/v1/cities/aix-en-provence/car-parks", HTTP_ACCEPT_LANGUAGE=lang),
        SearchCollection: client.get(SEARCH, {"lat": ROTONDE_FOUNTAIN[0], "lon": ROTONDE_FOUNTAIN[1],
                                              "arrive_at": arrive, "max_walk_m": 5000}, HTTP_ACCEPT_LANGUAGE=lang),
    }
    for schema, response in answers.items():
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == "application/geo+json"
        assert json.loads(response.content)["features"]
        again = render_json(schema.model_validate(json.loads(response.content)).model_dump())
        assert response.content == again, schema.__name__
    assert answers[SearchCollection]["X-Prediction-Source"]
    assert "Accept" in answers[CarParkCollection]["Vary"]
