"""The places pages: list with filters and "near me" without JavaScript, one place, the city-home tile."""

import re

import pytest
from django.utils import timezone

from citypocket.cityinfo import demo
from citypocket.cityinfo.models import Event, Place, PlaceKind
from citypocket.cityinfo.tests.factories import PlaceClosureFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(rouen, aix):
    PlaceFactory(city=rouen, slug="mairie", name="Mairie de test", opening_hours="24/7", lat=49.4433, lon=1.0999)
    PlaceFactory(city=rouen, slug="toilettes", name="Toilettes de test", kind=PlaceKind.TOILETS,
                 opening_hours="off", wheelchair="no", lat=49.4428, lon=1.0880)
    PlaceFactory(city=aix, slug="mairie", name="Mairie d'Aix")


def test_places_page_lists_the_citys_places_with_their_state(client, places):
    response = client.get("/rouen/places/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Mairie de test" in text and "Toilettes de test" in text and "Mairie d&#x27;Aix" not in text
    assert "Open now — open around the clock" in text
    assert '<html lang="en"' in text


def test_places_page_filters_without_javascript(client, places):
    """A plain GET: kind, accessible and open now each narrow the list."""
    by_kind = client.get("/rouen/places/", {"kind": "toilets"}).content.decode()
    accessible = client.get("/rouen/places/", {"accessible": "on"}).content.decode()
    open_now = client.get("/rouen/places/", {"open_now": "on"}).content.decode()
    assert "Toilettes de test" in by_kind and "Mairie de test" not in by_kind
    assert "Mairie de test" in accessible and "Toilettes de test" not in accessible
    assert "Mairie de test" in open_now and "Toilettes de test" not in open_now


def test_near_me_sorts_by_distance_and_says_how_far(client, places):
    text = client.get("/rouen/places/", {"lat": "49.4428", "lon": "1.0881"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text.index("Toilettes de test") < text.index("Mairie de test")
    assert re.search(r"\b\d+ m away", text)


def test_a_position_with_one_coordinate_is_an_error_next_to_the_form(client, places):
    response = client.get("/rouen/places/", {"lat": "49.44"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "Give both the latitude and the longitude, or neither." in response.content.decode()


def test_place_page_shows_contact_accessibility_hours_and_closures(client, rouen):
    place = PlaceFactory(city=rouen, slug="bibliotheque", name="Bibliothèque de test", phone="02 35 00 00 00",
                         hearing_loop=True)
    today = rouen.local_today(timezone.now())
    PlaceClosureFactory(place=place, starts_on=today, ends_on=today, reason_en="Stocktaking")
    text = client.get("/rouen/places/bibliotheque/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Bibliothèque de test</h1>" in text
    assert 'href="tel:0235000000"' in text and "Hearing loop" in text
    assert "Mo-Fr 09:00-18:00; PH off" in text and "Stocktaking" in text
    assert "Closed" in text
    week = text.split('class="ci-week"', 1)[1].split("</table>", 1)[0]
    assert week.count("<tr") == 7 and week.count('aria-current="date"') == 1
    assert "Closed — Stocktaking" in week.split("</tr>", 1)[0]  # today's row
    assert "9:00\u201318:00" in week  # a usual working day of the next seven


def test_a_place_of_another_city_is_a_404_page(client, places, aix):
    PlaceFactory(city=aix, slug="pavillon")
    assert client.get("/rouen/places/pavillon/").status_code == 404
    assert client.get("/atlantis/places/").status_code == 404


def test_demo_loader_is_idempotent_and_marks_every_place_and_event_as_demo(rouen, aix):
    """Places, one closure per city and events; a second run changes nothing; demo events sit at demo places."""
    demo.load()
    first = Place.objects.count()
    closures = sum(place.closures.count() for place in Place.objects.all())
    events = set(Event.objects.values_list("pk", "updated_at"))
    summary = demo.load()
    assert "0 created, 0 updated" in summary and set(Event.objects.values_list("pk", "updated_at")) == events
    assert Place.objects.count() == first == 15 and len(events) == 9
    assert not Event.objects.filter(is_demo=False).exists()
    assert Event.objects.get(city=rouen, slug="l-heure-du-conte-demo").venue.slug == "bibliotheque-villon"
    assert sum(place.closures.count() for place in Place.objects.all()) == closures == 2
    assert not Place.objects.filter(is_demo=False).exists()
    assert all(place.provenance.startswith("CityPocket demo") for place in Place.objects.all())


def test_city_home_tile_counts_the_places_open_now(client, places):
    text = client.get("/rouen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "public service open now" in text or "public services open now" in text
