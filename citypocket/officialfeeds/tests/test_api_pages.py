"""The water-restrictions and weather-warning API (200, 404, 422 problem+json) and the water page in FR/EN."""

import pytest
from django.test import Client

from citypocket.officialfeeds import services, vigieau
from citypocket.officialfeeds.demo import load_demo, read_fixture
from testsupport import assert_problem, assert_tenant_isolated


@pytest.fixture
def demo(rouen, aix):
    load_demo()


@pytest.mark.django_db
def test_water_restrictions_api_answers_the_state_and_the_decision(demo):
    """Aix (alerte): level, label in the asked language, forbidden hours, rules split, order and source."""
    response = Client().get("/api/v1/cities/aix-en-provence/water-restrictions", {"commune": "13001", "lang": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["commune"] == "13001" and body["commune_name"] == "Aix-en-Provence"
    assert (body["level"], body["label"], body["demo"]) == ("alerte", "Alert", True)
    assert body["watering"] == {
        "answer": "outside_hours",
        "forbidden_hours": [{"start": "09:00", "end": "19:00"}],
        "text": "Yes, outside 09:00\u201319:00.",
    }
    assert [rule["name"] for rule in body["watering_rules"]] == [
        "Arrosage des jardins potagers",
        "Arrosage des pelouses, massifs fleuris",
    ]
    assert len(body["other_rules"]) == 2
    assert body["order_start"] == "2026-07-15" and body["source_url"].endswith(".pdf")
    assert "public" in response["Cache-Control"]
    french = Client().get("/api/v1/cities/aix-en-provence/water-restrictions", {"lang": "fr"}).json()
    assert french["label"] == "Alerte" and french["watering"]["text"] == "Oui, en dehors de 09:00\u201319:00."


@pytest.mark.django_db
def test_water_restrictions_api_errors_are_problems(demo):
    """Unknown city, a commune of another city: 404; a malformed code: 422; all problem+json."""
    client = Client()
    assert_problem(client.get("/api/v1/cities/nowhere/water-restrictions"), 404)
    assert_problem(client.get("/api/v1/cities/rouen/water-restrictions", {"commune": "13001"}), 404)
    body = assert_problem(client.get("/api/v1/cities/rouen/water-restrictions", {"commune": "76<x>"}), 422)
    assert body["errors"][0]["field"].endswith("commune")


@pytest.mark.django_db
def test_water_restrictions_api_is_404_before_the_first_reading(rouen):
    """A commune of the city never read yet: 404, not an invented 'no restriction'."""
    assert_problem(Client().get("/api/v1/cities/rouen/water-restrictions"), 404)


@pytest.mark.django_db
def test_another_citys_staff_get_the_strangers_404_for_a_commune(demo, rouen, aix):
    """Asking Rouen for Aix's commune answers 404 to everyone, staff of Aix included."""
    assert_tenant_isolated(
        city=rouen, other_city=aix, url="/api/v1/cities/rouen/water-restrictions?commune=13001", secrets=("Pays d'Aix",)
    )


@pytest.mark.django_db
def test_weather_warning_api(demo):
    """Rouen: yellow, phenomena sorted worst first; an unknown city 404."""
    body = Client().get("/api/v1/cities/rouen/weather-warning", {"lang": "fr"}).json()
    assert (body["department"], body["level"], body["label"]) == ("76", "yellow", "Jaune")
    assert body["phenomena"][0] == {"phenomenon": "wind", "label": "Vent", "level": "yellow"}
    assert body["bulletin_time"] == "2026-11-30T06:00:00Z"
    assert_problem(Client().get("/api/v1/cities/nowhere/weather-warning"), 404)


@pytest.mark.django_db
def test_weather_warning_api_is_404_before_the_first_reading(rouen):
    assert_problem(Client().get("/api/v1/cities/rouen/weather-warning"), 404)


@pytest.mark.django_db
def test_water_page_answers_in_french_and_in_english(demo):
    """The question, the plain answer, the level, the rules, the order date, the source and the warning panel."""
    html = Client().get("/aix-en-provence/water/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert html.count("<h1") == 1 and "Puis-je arroser mon jardin aujourd\u2019hui ?" in html
    assert "Oui, en dehors de 09:00\u201319:00." in html and "Alerte" in html
    assert "Règles d\u2019arrosage" in html and "Interdiction de 9 h à 19 h." in html
    assert "Arrêté en vigueur depuis le 15 juillet 2026" in html
    assert "2026_arrete_restriction_13.pdf" in html
    assert "Vigilance météo" in html and "Orange" in html and "Pluie-inondation" in html
    assert 'value="13001" selected' in html
    english = Client().get("/aix-en-provence/water/?lang=en").content.decode()
    assert "Can I water my garden today?" in english and "Yes, outside 09:00\u201319:00." in english
    assert "Order in force since July 15, 2026" in english and "Rain and flooding" in english


@pytest.mark.django_db
def test_water_page_says_no_in_a_crisis_and_yes_without_restriction(demo, aix):
    """Crise: 'No'; Rouen without restriction: 'Yes'."""
    services.record_water_state(
        city=aix, commune_code="13001", state=vigieau.parse_zones(read_fixture("vigieau_crise_13001.json"))
    )
    html = Client().get("/aix-en-provence/water/?lang=en").content.decode()
    assert "No, watering a garden is forbidden today." in html and "Crisis" in html
    history = html.split('id="history-title"', 1)[1]
    assert history.index("Crisis") < history.index("Alert")  # the newest change first, in words
    rouen = Client().get("/rouen/water/?lang=en").content.decode()
    assert "Yes, no rule forbids watering a garden today." in rouen and "No restriction" in rouen


@pytest.mark.django_db
def test_water_page_without_any_reading_still_answers(rouen):
    """Nothing read yet: the page says so and links the national service, never a 500."""
    response = Client().get("/rouen/water/?lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "have not been read yet" in html and "No weather warning has been read yet." in html


@pytest.mark.django_db
def test_city_home_tile_shows_the_answer(demo):
    html = Client().get("/aix-en-provence/?lang=en").content.decode()
    assert "Can I water my garden today?" in html and "Yes, outside 09:00\u201319:00." in html
