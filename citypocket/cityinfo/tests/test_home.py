"""The city home's "what matters now" from city information: today's events, open services, the search
form, the slot of the next waste collection (filled by cityinfo/home.js from the saved address)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from citypocket.cityinfo import demo
from citypocket.cityinfo.models import PlaceKind
from citypocket.cityinfo.tests.factories import EventFactory, PlaceFactory


@pytest.fixture
def demo_rouen(rouen, aix):
    demo.load()
    return rouen


def tile(html: str, slug: str) -> str:
    start = html.index(f'<li class="tile tile-{slug}">')
    following = html.find('<li class="tile ', start + 1)
    return html[start:following if following != -1 else len(html)]


def test_home_shows_todays_events_and_open_services_on_demo_data(client, demo_rouen):
    html = client.get("/rouen/").content.decode()
    agenda = tile(html, "agenda")
    assert re.search(r'<time datetime="[^"]+">\d{1,2}:\d{2}</time> <a href="/rouen/agenda/[\w-]+/">', agenda)
    places = tile(html, "places")
    # demo fountains and defibrillators are open around the clock: something is open at any hour
    assert re.search(r'<a href="/rouen/places/[\w-]+/">[^<]+</a> — (Ouvert|Open)', places)
    assert 'href="/rouen/places/?open_now=on"' in places


def test_staffed_services_come_before_the_round_the_clock_ones(client, rouen):
    PlaceFactory(city=rouen, name="Fontaine A", kind=PlaceKind.DRINKING_WATER, opening_hours="24/7")
    PlaceFactory(city=rouen, name="Mairie B", kind=PlaceKind.TOWN_HALL, opening_hours="24/7")
    PlaceFactory(city=rouen, name="Fermé C", kind=PlaceKind.LIBRARY, opening_hours="off")
    places = tile(client.get("/rouen/").content.decode(), "places")
    assert places.index("Mairie B") < places.index("Fontaine A")
    assert "Fermé C" not in places


def test_home_lists_at_most_three_events_of_today(client, rouen):
    # Under way now, so it falls in "today" whatever the hour, midnight included.
    now = timezone.now()
    for number in range(5):
        EventFactory(city=rouen, title_fr=f"Concert {number}", starts_at=now - dt.timedelta(minutes=1),
                     ends_at=now + dt.timedelta(minutes=1))
    agenda = tile(client.get("/rouen/").content.decode(), "agenda")
    assert agenda.count('href="/rouen/agenda/evenement-') == 3
    assert "5 événements aujourd\u2019hui" in agenda or "5 événements aujourd'hui" in agenda


def test_home_has_the_search_form_and_a_hidden_waste_slot(client, rouen):
    html = client.get("/rouen/").content.decode()
    search = tile(html, "search")
    assert 'role="search"' in search and 'action="/rouen/search/"' in search
    assert '<label for="home-search-q">' in search
    assert '<div id="next-collection" hidden data-city="rouen">' in html
    assert "/static/cityinfo/home.js" in html


def test_home_has_a_waste_tile_linking_the_collection_days_and_the_sorting_guide(client, rouen):
    html = client.get("/rouen/").content.decode()
    waste = tile(html, "waste")
    assert 'href="/rouen/waste/"' in waste and 'href="/rouen/waste/guide/"' in waste
    assert '<div id="next-collection" hidden data-city="rouen">' in waste
