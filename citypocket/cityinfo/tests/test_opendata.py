"""City information's open datasets (cityinfo/opendata.py): public rows only, with their positions."""

import datetime as dt

from citypocket.cityinfo.tests.factories import EventFactory, PlaceFactory
from citypocket.opendata.registry import get_platform_dataset


def test_events_dataset_has_published_events_with_their_venue(rouen, aix):
    venue = PlaceFactory(city=rouen, slug="musee", lat=49.445, lon=1.094)
    EventFactory(city=rouen, slug="expo", venue=venue, rrule="FREQ=WEEKLY;COUNT=3")
    EventFactory(city=rouen, slug="cache", is_published=False)
    EventFactory(city=aix, slug="aix")
    dataset = get_platform_dataset("events")
    rows = list(dataset.values(rouen))
    assert [row["slug"] for row in rows] == ["expo"]
    assert rows[0]["venue_slug"] == "musee" and rows[0]["rrule"] == "FREQ=WEEKLY;COUNT=3"
    assert rows[0]["series_ends_at"] == rows[0]["ends_at"] + dt.timedelta(weeks=2)
    assert dataset.row_geometry(rows[0]) == {"type": "Point", "coordinates": [1.094, 49.445]}


def test_places_dataset_has_active_places_without_email(rouen):
    PlaceFactory(city=rouen, slug="mairie", email="contact@mairie.example")
    PlaceFactory(city=rouen, slug="fermee", is_active=False)
    dataset = get_platform_dataset("places")
    rows = list(dataset.values(rouen))
    assert [row["slug"] for row in rows] == ["mairie"]
    assert "email" not in rows[0]
    assert dataset.is_geographic
