"""Events imported from an iCalendar feed and an OpenAgenda export: kept, refused with a reason,
idempotent by source id; and the scheduled feed import (task per feed, HTTP mocked)."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx
from django.core.management import call_command

from citypocket.cityinfo.agenda_imports import parse_ical, parse_openagenda
from citypocket.cityinfo.models import Event
from citypocket.cityinfo.services import import_events
from citypocket.cityinfo.tests.factories import EventFeedFactory, PlaceFactory

FIXTURES = Path(__file__).parent / "fixtures"
ICS = (FIXTURES / "agenda-rouen.ics").read_bytes()
OPENAGENDA = (FIXTURES / "openagenda-aix.json").read_bytes()
PARIS = ZoneInfo("Europe/Paris")


def test_ical_feed_keeps_series_one_offs_and_all_day_events_and_says_why_it_refuses():
    parsed = parse_ical(ICS, zone=PARIS)
    records = {record.source_id: record for record in parsed.records}
    assert set(records) == {"20261003-atelier-velo@agenda.rouen.example", "20261212-concert-noel@agenda.rouen.example",
                            "20261205-braderie@agenda.rouen.example"}
    bikes = records["20261003-atelier-velo@agenda.rouen.example"]
    assert bikes.starts_at == datetime(2026, 10, 3, 10, tzinfo=PARIS)
    assert bikes.rrule == "FREQ=WEEKLY;UNTIL=20261219T090000Z;BYDAY=SA"
    assert bikes.exdates == ("2026-10-31T10:00:00",)
    assert bikes.categories == ("Atelier", "Mobilité")
    assert bikes.description_fr.endswith("Outils fournis.")
    assert records["20261212-concert-noel@agenda.rouen.example"].status == "cancelled"
    fair = records["20261205-braderie@agenda.rouen.example"]
    assert (fair.starts_at, fair.ends_at) == (datetime(2026, 12, 5, tzinfo=PARIS), datetime(2026, 12, 7, tzinfo=PARIS))
    assert [(item.item, item.reason) for item in parsed.rejected] == [
        ("20261003-atelier-velo@agenda.rouen.example", "an override of one occurrence (the series is kept)"),
        ("#4", "no UID"),
    ]


def test_openagenda_export_gives_one_event_per_timing_with_access_status_and_booking():
    parsed = parse_openagenda(OPENAGENDA)
    records = {record.source_id: record for record in parsed.records}
    assert set(records) == {"41852093", "41852093#1", "41852094"}
    workshop = records["41852093"]
    assert (workshop.title_fr, workshop.title_en) == ("Atelier de calligraphie", "Calligraphy workshop")
    assert workshop.starts_at == datetime(2026, 12, 5, 13, tzinfo=UTC)
    assert (workshop.is_free, workshop.wheelchair, workshop.hearing_loop) == (True, True, False)
    assert workshop.booking_url == "https://billetterie.example/calligraphie"
    assert workshop.description_en == "An introduction to Latin calligraphy, materials provided."
    assert records["41852093#1"].starts_at == datetime(2026, 12, 12, 13, tzinfo=UTC)
    jazz = records["41852094"]
    assert (jazz.status, jazz.is_free, jazz.price, jazz.hearing_loop) == ("cancelled", False, "12 €", True)
    assert [(item.item, item.reason) for item in parsed.rejected] == [
        ("41852095", "no timings, or a timing without begin, end and offset")]


@pytest.mark.parametrize("text", [b"", b"nope", b"[]", b'{"events": 3}'])
def test_an_unreadable_openagenda_file_is_one_rejection(text):
    assert [item.item for item in parse_openagenda(text).rejected] == ["file"]


def test_an_unreadable_ical_file_is_one_rejection():
    assert [item.item for item in parse_ical(b"BEGIN:VCALENDAR\r\nnot a line", zone=PARIS).rejected] == ["file"]


@pytest.mark.django_db
def test_importing_a_feed_twice_creates_then_changes_nothing_and_finds_the_venue(rouen):
    library = PlaceFactory(city=rouen, slug="villon", name="Bibliothèque Villon", lat=49.44475, lon=1.0952)
    first = import_events(city=rouen, parsed=parse_ical(ICS, zone=PARIS), source="ical")
    second = import_events(city=rouen, parsed=parse_ical(ICS, zone=PARIS), source="ical")
    assert (first.created, second.created, second.updated, second.unchanged) == (3, 0, 0, 3)
    bikes = Event.objects.get(city=rouen, source_id="20261003-atelier-velo@agenda.rouen.example")
    assert bikes.venue == library  # "Bibliothèque Villon, rue…" starts with the place's name
    assert bikes.series_ends_at == datetime(2026, 12, 19, 11, tzinfo=UTC)
    assert sorted(bikes.categories.values_list("slug", flat=True)) == ["atelier", "mobilite"]


@pytest.mark.django_db
def test_an_openagenda_event_is_held_at_the_place_within_75_m(aix):
    mejanes = PlaceFactory(city=aix, slug="mejanes", name="Méjanes", lat=43.52360, lon=5.44180)
    import_events(city=aix, parsed=parse_openagenda(OPENAGENDA), source="openagenda")
    assert Event.objects.get(city=aix, source_id="41852093").venue == mejanes
    assert Event.objects.get(city=aix, source_id="41852094").venue is None


@pytest.mark.django_db
def test_import_events_command_reads_ics_and_json(rouen, aix, tmp_path):
    (tmp_path / "a.ics").write_bytes(ICS)
    (tmp_path / "b.json").write_bytes(OPENAGENDA)
    out = StringIO()
    call_command("import_events", "rouen", str(tmp_path / "a.ics"), stdout=out, stderr=StringIO())
    call_command("import_events", "aix-en-provence", str(tmp_path / "b.json"), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == ["3 created, 0 updated, 0 unchanged, 2 rejected, 0 warnings",
                                           "3 created, 0 updated, 0 unchanged, 1 rejected, 0 warnings"]


@pytest.mark.django_db
@respx.mock
def test_import_event_feeds_enqueues_a_task_per_active_feed_that_imports_it(rouen):
    """With the immediate task backend, the command's tasks run at once: the feed is fetched and imported."""
    feed = EventFeedFactory(city=rouen, url="https://agenda.rouen.example/export.ics")
    EventFeedFactory(city=rouen, is_active=False, url="https://agenda.rouen.example/old.ics")
    respx.get("https://agenda.rouen.example/export.ics").mock(return_value=httpx.Response(200, content=ICS))
    out = StringIO()
    call_command("import_event_feeds", stdout=out)
    assert out.getvalue().strip() == "1 feed import(s) enqueued"
    feed.refresh_from_db()
    assert feed.last_result == "3 created, 0 updated, 0 unchanged, 2 rejected, 0 warnings"
    assert Event.objects.filter(city=rouen, source=f"feed-{feed.pk}").count() == 3


@pytest.mark.django_db
@respx.mock
def test_a_feed_that_cannot_be_downloaded_is_recorded_not_raised(rouen):
    feed = EventFeedFactory(city=rouen, url="https://agenda.rouen.example/down.ics")
    respx.get("https://agenda.rouen.example/down.ics").mock(return_value=httpx.Response(503))
    call_command("import_event_feeds", stdout=StringIO())
    feed.refresh_from_db()
    assert feed.last_result == "0 created, 0 updated, 0 unchanged, 1 rejected, 0 warnings"
    assert not Event.objects.exists()
