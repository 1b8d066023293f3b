"""Air page and city-home tile: today's index in words and colour, stations, 7-day chart with its table."""

import re
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirIndexDaily
from citypocket.air.tests.factories import run_air_worker
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.services import ensure_sensor


def ingest_day(city, code="FR25036", *, pm10=60.0, no2=30.0, hours=24):
    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    readings = []
    for step in range(hours):
        moment = top - timedelta(hours=step)
        readings.append(Reading(sensor=code, property="pm10", time=moment, value=pm10, unit="ug/m3"))
        readings.append(Reading(sensor=code, property="no2", time=moment, value=no2, unit="ug/m3"))
    return ingest_observations(city=city, batch=Parsed.from_readings(readings), source="test")


@pytest.mark.django_db
def test_air_page_shows_todays_index_in_words_advice_stations_and_chart(rouen):
    """The page names today's level ('Mauvais'), says what to do, lists stations, draws an SVG with a table."""
    ensure_demo_stations()
    ingest_day(rouen)
    run_air_worker()
    response = Client().get(reverse("air:page", kwargs={"city": "rouen"}), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "air-bg-4" in html and "Mauvais" in html
    assert "Espace du Palais" in html and "Gd Couronne Mairie" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<title id=\"air-chart-title\">" in html
    assert "<desc id=\"air-chart-desc\">" in html
    assert "<table>" in html
    assert "style=" not in html.split("<main", 1)[1]
    today = rouen.local_today()
    assert AirIndexDaily.objects.get(city=rouen, station__isnull=True, date=today).level == 4


@pytest.mark.django_db
def test_air_page_chart_follows_the_chosen_station_and_pollutant(rouen):
    """?station=&pollutant= choose the chart; the table holds the daily values."""
    ensure_demo_stations()
    ingest_day(rouen, code="FR25040", pm10=33.3)
    html = Client().get("/rouen/air/", {"station": "FR25040", "pollutant": "pm10"}).content.decode()
    assert "PM10 at Mesnil Esnard" in html or "PM10 à Mesnil Esnard" in html
    assert "33,3" in html or "33.3" in html


@pytest.mark.django_db
def test_air_page_without_data_says_unavailable(rouen):
    """Without measurements the card says 'Indisponible', never 'Bon'."""
    ensure_demo_stations()
    html = Client().get("/rouen/air/").content.decode()
    assert "Indisponible" in html
    assert "air-bg-1" not in html.split('data-air-today', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_city_home_tile_shows_todays_index(rouen):
    """The city home has an air tile with today's level in words."""
    ensure_demo_stations()
    ingest_day(rouen)
    run_air_worker()
    html = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "tile-air" in html
    assert "air-bg-4" in html


@pytest.mark.django_db
def test_air_page_of_an_unknown_city_is_404(db):
    """An unknown city gives the HTML 404 page."""
    assert Client().get("/atlantis/air/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_air_page_in_chromium_without_console_errors_or_axe_violations(page, axe, live_server):
    """Real Chromium: the page renders, the map enhancement loads without errors, axe finds nothing."""
    from testsupport import demo_city

    rouen = demo_city("rouen")
    ensure_demo_stations()
    ingest_day(rouen)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(live_server.url + "/rouen/air/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    assert page.locator("[data-air-today] .air-badge").first.inner_text().startswith("Mauvais")
    assert page.locator("svg.air-chart title").count() == 1
    assert page.locator("#air-map").is_visible()
    # Map tiles are unreachable in tests (aborted by the fixture): only their load failures are allowed.
    assert all("tile.openstreetmap.org" in url for url in failed), failed
    assert [e for e in page.errors if not e.startswith("Failed to load resource")] == []
    assert len([e for e in page.errors if e.startswith("Failed to load resource")]) <= len(failed)
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_push_alert_button_is_offered_when_web_push_is_configured(page, axe, live_server, settings):
    """With a VAPID key, the page offers alerts on this device; the section stays accessible."""
    from playwright.sync_api import expect
    from py_vapid import Vapid02

    from testsupport import demo_city

    key = Vapid02()
    key.generate_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_pem().decode()
    demo_city("rouen")
    page.goto(live_server.url + "/rouen/air/")
    page.locator("#air-push-button").wait_for(state="visible")
    assert page.locator("#air-push-button").inner_text() == "M'alerter sur cet appareil"
    assert page.locator("#air-push-button").get_attribute("aria-pressed") == "false"
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    page.context.grant_permissions(["notifications"])
    page.locator("#air-push-button").click()
    expect(page.locator("#air-push-status")).to_have_text(re.compile(r"\w"), timeout=15000)
    # Headless Chromium has no push service: the citizen is told in words, in their language.
    assert page.locator("#air-push-status").inner_text() in {
        "Les alertes sont activées sur cet appareil.", "Les alertes n'ont pas pu être activées sur cet appareil."
    }
    unexpected = [e for e in page.errors if not e.startswith("Failed to load resource") and "Push API" not in e]
    assert unexpected == []


@pytest.mark.django_db
def test_demo_loader_is_idempotent_and_fills_a_week_of_indices(rouen, aix):
    """The demo loader creates 9 stations, a week of hourly values and daily indices; a rerun adds nothing."""
    from citypocket.air.demo import load_demo
    from citypocket.sensors.models import Observation, Sensor

    load_demo()
    observations = Observation.objects.count()
    load_demo()
    assert Sensor.objects.filter(kind="air", city=rouen).count() == 6
    assert Sensor.objects.filter(kind="air", city=aix).count() == 3
    assert Sensor.objects.get(external_id="FR25036").metadata["demo_history"] == "synthetic"
    assert set(Sensor.objects.get(external_id="FR25035").datastreams.values_list("property", flat=True)) == {
        "no2", "o3", "pm10", "pm25", "so2"}
    assert Observation.objects.count() - observations <= 39  # at most the hour that began between the runs
    city_days = AirIndexDaily.objects.filter(city=rouen, station__isnull=True).exclude(level=0)
    assert city_days.count() >= 7


@pytest.mark.django_db
def test_demo_station_values_are_marked_simulated_and_real_ones_are_not(rouen):
    """/rouen/air/ in the demo says the station values are simulated, in French and English, and the API
    says so per station; stations of a real deployment (no demo flag) show no such mark."""
    ensure_demo_stations()
    ingest_day(rouen)
    url = reverse("air:page", kwargs={"city": "rouen"})
    french = Client().get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    palais = french.split('id="station-FR25036"', 1)[1].split("</li>", 1)[0]
    assert "données simulées (démo)" in palais and "simulated data (demo)" in english
    stations = Client().get("/api/v1/cities/rouen/air/stations").json()["features"]
    assert stations and all(feature["properties"]["simulated"] for feature in stations)
    ngsi = Client().get("/api/v1/cities/rouen/air/stations", {"format": "ngsi-ld"}).json()
    assert all("simulated" in entity["source"]["value"] for entity in ngsi)
    home = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    tile = home.split('tile tile-air', 1)[1].split("</li>", 1)[0]
    assert "Indice ATMO" in tile and "données simulées (démo)" in tile  # the index computed from them too

    # A real deployment (`--no-demo`): the same station registered by the city, without the demo's flag.
    for sensor in rouen.sensors.filter(kind="air"):
        ensure_sensor(city=rouen, external_id=sensor.external_id, kind="air", name=sensor.name, lat=sensor.lat,
                      lon=sensor.lon, properties={}, metadata={"station_code": sensor.external_id})
    french = Client().get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Espace du Palais" in french and "simulée" not in french and "simulated" not in french
    assert "simulées" not in Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    stations = Client().get("/api/v1/cities/rouen/air/stations").json()["features"]
    assert not any(feature["properties"]["simulated"] for feature in stations)
    ngsi = Client().get("/api/v1/cities/rouen/air/stations", {"format": "ngsi-ld"}).json()
    assert ngsi and all(entity["source"]["value"] == "CityPocket" for entity in ngsi)
