"""The parking page (without and with JavaScript) and the city-home tile."""

import base64
import re

import pytest
from django.urls import reverse

from citypocket.mobility.tests.conftest import push

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.mark.django_db
def test_parking_page_lists_car_parks_with_live_numbers_and_freshness(client, demo_parks, minutes_ago):
    """The page lists every car park with its live number, and marks a stale one grey without a number."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 640)
    push(aix, "AIX-P-MIGNET", 300, at=minutes_ago(20))
    url = reverse("mobility:page", kwargs={"city": "aix-en-provence"})
    assert url == "/aix-en-provence/parking/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Rotonde" in html and "Mignet" in html and "Vieux-Marché" not in html
    rotonde = re.search(r'data-car-park="rotonde">(.*?)</li>', html, re.S).group(1)
    assert '<strong data-role="available">640</strong>' in rotonde
    mignet = re.search(r'<li class="card cp-is-stale" data-car-park="mignet">(.*?)</li>', html, re.S).group(1)
    assert "data-role=\"available\"" not in mignet and "stale" in mignet
    # One destination field with the city's places as suggestions; no latitude or longitude to type.
    assert 'id="id_q"' in html and 'list="destinations"' in html and 'method="get"' in html
    assert '<option value="La Rotonde (fontaine)">' in html
    assert 'type="hidden" name="lat"' in html and 'type="number" name="lat"' not in html
    assert "Latitude" not in html
    assert response.context["city"] == aix


@pytest.mark.django_db
def test_parking_page_search_without_javascript(client, demo_parks):
    """Choosing a landmark and submitting the GET form shows ranked results with reasons and the greener option."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 0)
    push(aix, "AIX-P-MEJANES", 420)
    push(aix, "AIX-P-KRYPTON", 120)
    response = client.get("/aix-en-provence/parking/", {"place": "rotonde", "max_walk_m": 1000})
    html = response.content.decode()
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.results[0].car_park.slug == "mejanes"
    assert outcome.alternative.car_park.slug == "krypton"
    results = html.split('id="results"')[1]
    ranked = results.split('class="cp-results"')[1]
    assert ranked.index("Méjanes") < ranked.index("Rotonde")
    # The results come before the search form and the list of all car parks.
    assert html.index('id="results-title"') < html.index('id="search-form"') < html.index('id="list-title"')
    assert "min" in results and "Krypton" in results
    assert "Places libres prévues pour une arrivée à" in results


@pytest.mark.django_db
def test_parking_page_reports_missing_destination(client, demo_parks):
    """Submitting without a destination explains what is missing instead of failing."""
    response = client.get("/aix-en-provence/parking/", {"place": "", "lat": ""})
    assert response.status_code == 200
    assert response.context["outcome"] is None
    assert 'role="alert"' in response.content.decode()
    assert client.get("/nowhere/parking/").status_code == 404


@pytest.mark.django_db
def test_city_home_tile_shows_free_spaces_near_centre(client, demo_parks):
    """The city home's parking tile sums the live free spaces of car parks near the centre."""
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 600)
    push(aix, "AIX-P-MEJANES", 40)
    response = client.get("/aix-en-provence/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "640" in html and "/aix-en-provence/parking/" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_parking_page_in_chromium_is_accessible_and_keyboard_usable(page, live_server, axe):
    """In Chromium: no console error, axe reports nothing, live numbers refresh, a keyboard-only search works."""
    from playwright.sync_api import expect

    from citypocket.mobility import demo
    from testsupport import demo_city

    aix = demo_city("aix-en-provence")
    demo_city("rouen")
    demo.load(history=False)
    push(aix, "AIX-P-ROTONDE", 0)
    push(aix, "AIX-P-MEJANES", 420)
    # Tiles are never fetched: a blank tile answers them, so that no console error can hide among theirs.
    page.context.route("**/tile.openstreetmap.org/**",
                       lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
    page.clock.install()
    page.goto(f"{live_server.url}/aix-en-provence/parking/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    page.locator("#map").scroll_into_view_if_needed()  # Leaflet comes when the map nears the screen
    page.wait_for_selector("#map.leaflet-container")
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator('[data-car-park="mejanes"] [data-role="available"]').first.inner_text() == "420"
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    # A minute later the numbers refresh from the API without reloading the page.
    push(aix, "AIX-P-MEJANES", 17)
    page.clock.run_for(61_000)
    expect(page.locator('#car-park-list [data-car-park="mejanes"] [data-role="available"]')).to_have_text("17")
    # Keyboard only: type the destination's name, submit with Enter.
    page.focus("#id_q")
    page.keyboard.type("rotonde")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "q=rotonde" in page.url
    assert page.evaluate("document.activeElement.id") == "results-title"
    first = page.locator(".cp-results > li").first
    assert "Méjanes" in first.inner_text()
    assert page.locator(".cp-greener").count() == 1
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert page.errors == []


@pytest.mark.django_db
def test_parking_destination_can_be_an_address_of_the_one_address_search(client, demo_parks):
    """An address typed as the destination is found by the app's address search (cityinfo.addresses)."""
    from citypocket.cityinfo.waste_demo import load_waste

    load_waste()  # the demo address extract
    aix = demo_parks["aix"]
    push(aix, "AIX-P-ROTONDE", 300)
    response = client.get("/aix-en-provence/parking/", {"address": "20 cours mirabeau", "max_walk_m": 1000})
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome is not None and outcome.results
    assert response.context["form"].cleaned_data["lat"] == pytest.approx(43.5265)
    unknown = client.get("/aix-en-provence/parking/", {"address": "rue qui n'existe pas", "lang": "en"})
    assert unknown.context["outcome"] is None
    assert "No address or place of the city matches" in unknown.content.decode()


@pytest.mark.django_db
def test_parking_destination_is_typed_as_a_place_or_a_street_and_offers_other_matches(client, demo_parks):
    """A place's name (or its first words) and a street name both work; other matching addresses are links."""
    from citypocket.cityinfo.waste_demo import load_waste

    load_waste()
    by_name = client.get("/rouen/parking/", {"q": "gros horloge"})
    assert by_name.context["form"].cleaned_data["lat"] == pytest.approx(49.4413)
    assert by_name.context["form"].destination_label == "Gros-Horloge"
    by_street = client.get("/rouen/parking/", {"q": "rue jeanne d'arc", "lang": "en"})
    html = by_street.content.decode()
    assert by_street.context["outcome"] is not None
    assert "Rue Jeanne d'Arc" in by_street.context["form"].destination_label
    assert 'id="other-matches"' in html and "q=" in html.split('id="other-matches"')[1]
    missing = client.get("/rouen/parking/", {"q": "zzzz nowhere", "lang": "en"})
    assert missing.context["outcome"] is None
    assert "No address or place of the city matches" in missing.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rouen_street_typed_and_searched_shows_ranked_car_parks_at_the_top_of_a_phone_screen(page, live_server, axe):
    """From /rouen/parking/ at 390x844: typing a street name and pressing Search shows ranked car parks
    on the first screen, focus on their heading, without any coordinate typed."""
    from citypocket.cityinfo.waste_demo import load_waste
    from citypocket.mobility import demo
    from testsupport import demo_city

    rouen = demo_city("rouen")
    demo.load(history=False)
    load_waste()
    push(rouen, "ROUEN-P-VIEUX-MARCHE", 120)
    page.context.route("**/tile.openstreetmap.org/**",
                       lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/rouen/parking/")
    assert page.locator("#id_lat").get_attribute("type") == "hidden"
    page.fill("#id_q", "rue jeanne")
    with page.expect_navigation():
        page.click("#search-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "results-title"
    first = page.locator(".cp-results > li").first
    box = first.bounding_box()
    assert box is not None and -1 <= box["y"] < 844 - 40, box
    heading = page.locator("#results-title").bounding_box()
    assert -1 <= heading["y"] < 844 / 2, heading
    assert page.locator(".cp-results > li").count() >= 2
    assert page.locator(".cp-tariff").first.inner_text() != ""
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert page.errors == []
