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


def test_waste_collection_dataset_has_one_row_per_round_and_stream(client, rouen, aix):
    """The demo's rounds and rules as open data: keyed by round and stream, marked simulated, Rouen's only;
    the glass rule of Rouen's centre is every other Friday."""
    from citypocket.cityinfo.waste_demo import load_waste
    from citypocket.opendata.services import sync_platform_datasets

    load_waste()
    dataset = get_platform_dataset("waste-collection")
    rows = list(dataset.values(rouen))
    assert rows and all(row["simulated"] for row in rows)
    assert len({(row["zone_slug"], row["stream"]) for row in rows}) == len(rows)
    assert {row["zone_slug"] for row in rows}.isdisjoint({row["zone_slug"] for row in dataset.values(aix)})
    glass = [row for row in rows if row["stream"] == "glass" and "FR" in row["rrule"]]
    assert glass and "INTERVAL=2" in glass[0]["rrule"]
    sync_platform_datasets(city=rouen)
    csv = client.get("/api/v1/cities/rouen/data/waste-collection/rows?format=csv")
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("zone_slug,zone_name,stream,rrule") and len(lines) == len(rows) + 1
