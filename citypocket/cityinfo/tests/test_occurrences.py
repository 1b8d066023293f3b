"""The agenda's materialised occurrences: kept in step with every writer, carried on to the horizon,
read in a bounded number of queries, and giving what expanding the rules gives (a DST week included)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from citypocket.cityinfo import occurrences, selectors
from citypocket.cityinfo.agenda_imports import parse_ical
from citypocket.cityinfo.models import Event, EventOccurrence
from citypocket.cityinfo.services import import_events, refresh_series_end
from citypocket.cityinfo.tests.factories import EventCategoryFactory, EventFactory, PlaceFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
ICS = (Path(__file__).parent / "fixtures" / "agenda-rouen.ics").read_bytes()


def stored(event) -> list[tuple[datetime, datetime]]:
    return list(EventOccurrence.objects.filter(event=event).order_by("starts_at").values_list("starts_at", "ends_at"))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_rows_follow_create_update_and_delete(rouen):
    event = EventFactory(city=rouen, rrule="FREQ=WEEKLY;COUNT=3")
    assert [start for start, _end in stored(event)] == [utc(2026, 12, 12, 9), utc(2026, 12, 19, 9),
                                                         utc(2026, 12, 26, 9)]
    assert event.occurrences_until == occurrences.COMPLETE
    event.rrule, event.exdates = "FREQ=WEEKLY;COUNT=2", ["2026-12-19T10:00"]
    refresh_series_end(event)
    event.save()
    assert stored(event) == [(utc(2026, 12, 12, 9), utc(2026, 12, 12, 11))]
    event.rrule = ""
    event.starts_at, event.ends_at = utc(2027, 1, 9, 9), utc(2027, 1, 9, 10)
    event.save()
    assert stored(event) == [(utc(2027, 1, 9, 9), utc(2027, 1, 9, 10))]
    pk = event.pk
    event.delete()
    assert not EventOccurrence.objects.filter(event_id=pk).exists()


def test_an_import_materialises_created_and_updated_events(rouen):
    import_events(city=rouen, parsed=parse_ical(ICS, zone=PARIS), source="ical")
    bikes = Event.objects.get(city=rouen, source_id="20261003-atelier-velo@agenda.rouen.example")
    assert stored(bikes)[-1][1] == bikes.series_ends_at == utc(2026, 12, 19, 11)
    assert not Event.objects.filter(city=rouen, occurrences_until__isnull=True).exists()
    for event in Event.objects.filter(city=rouen):
        assert EventOccurrence.objects.filter(event=event, city=rouen).exists()
    parsed = parse_ical(ICS, zone=PARIS)
    moved = [replace(record, starts_at=record.starts_at + timedelta(hours=2), ends_at=record.ends_at + timedelta(hours=2))
             if record.source_id == bikes.source_id else record for record in parsed.records]
    summary = import_events(city=rouen, parsed=replace(parsed, records=moved), source="ical")
    assert summary.updated == 1
    assert stored(bikes)[0][0] == bikes.starts_at + timedelta(hours=2)  # 12:00 instead of 10:00


def test_an_endless_series_is_cut_at_the_horizon_and_carried_on_each_night(rouen):
    now = utc(2026, 12, 1, 12)
    event = EventFactory(city=rouen, rrule="FREQ=DAILY")
    occurrences.sync_event(event, now=now)
    horizon = now + timedelta(days=occurrences.HORIZON_DAYS)
    assert Event.objects.get(pk=event.pk).occurrences_until == horizon
    assert stored(event)[-1][0] == utc(2028, 1, 5, 9)  # the last 10:00 in Paris before the horizon
    assert occurrences.extend(now=now) == 0  # nothing is short of the horizon yet
    later = now + timedelta(days=30)
    assert occurrences.extend(now=later) == 1
    assert stored(event)[-1][0] == utc(2028, 2, 4, 9)
    # A period past the stored rows is expanded from the rule: still listed, never lost.
    start, end = utc(2029, 6, 1), utc(2029, 6, 3)
    assert [item.starts_at for item in selectors.list_occurrences(city=rouen, start=start, end=end)] == [
        datetime(2029, 6, 1, 10, tzinfo=PARIS), datetime(2029, 6, 2, 10, tzinfo=PARIS)]


def test_events_written_without_signal_are_listed_and_rebuilt_by_the_command(rouen):
    event = Event(city=rouen, slug="bulk", title_fr="En masse", starts_at=utc(2026, 12, 12, 9),
                  ends_at=utc(2026, 12, 12, 11), rrule="FREQ=WEEKLY;COUNT=2")
    refresh_series_end(event)
    Event.objects.bulk_create([event])
    start, end = utc(2026, 12, 18), utc(2026, 12, 21)
    assert [item.event.slug for item in selectors.list_occurrences(city=rouen, start=start, end=end)] == ["bulk"]
    out = StringIO()
    call_command("rebuild_occurrences", "--city", "rouen", stdout=out)
    assert "1 event(s)" in out.getvalue()
    assert EventOccurrence.objects.filter(event__slug="bulk").count() == 2
    assert [item.event.slug for item in selectors.list_occurrences(city=rouen, start=start, end=end)] == ["bulk"]


def test_the_weekend_is_read_in_a_bounded_number_of_queries(rouen, django_assert_max_num_queries):
    category = EventCategoryFactory(city=rouen, slug="marches")
    place = PlaceFactory(city=rouen, slug="halle", lat=49.44, lon=1.09)
    for i in range(30):
        event = EventFactory(city=rouen, venue=place if i % 2 else None,
                             rrule="FREQ=WEEKLY" if i % 3 == 0 else "")
        event.categories.add(category)
    start, end = selectors.compute_period(city=rouen, when="weekend", moment=utc(2026, 12, 10, 12))
    # the period's rows with their events' sort keys, the events left to expand; then the page's
    # events and their categories
    with django_assert_max_num_queries(4):
        items = selectors.list_occurrences(city=rouen, start=start, end=end, category="marches", near=(49.44, 1.09))
        assert len(items) == 30 and {len(item.event.categories.all()) for item in items} == {1}


def test_a_page_of_the_agenda_builds_only_its_own_events(rouen, django_assert_num_queries):
    """The order and the count come from rows; only the events of the page asked for are read."""
    for i in range(12):
        EventFactory(city=rouen, slug=f"e{i:02d}", title_fr=f"Événement {i:02d}",
                     starts_at=utc(2026, 12, 12, 9) + timedelta(hours=i), ends_at=utc(2026, 12, 12, 10) + timedelta(hours=i))
    start, end = selectors.compute_period(city=rouen, when="weekend", moment=utc(2026, 12, 10, 12))
    with django_assert_num_queries(2):
        items = selectors.list_occurrences(city=rouen, start=start, end=end)
        assert len(items) == 12
    with django_assert_num_queries(2):  # the page's events, their categories
        page = items[4:8]
    assert [item.event.slug for item in page] == ["e04", "e05", "e06", "e07"]
    assert [item.starts_at.hour for item in page] == [14, 15, 16, 17]  # Europe/Paris, UTC+1 in December
    with django_assert_num_queries(0):  # already read
        assert items[5].event.slug == "e05"


def test_a_dst_week_gives_what_expanding_the_rules_gives(rouen, aix):
    """Week of the change to summer time (29 March 2026): series across it, an excluded date, an event
    over the night of the change, a finished series; the table and the rules agree, in order."""
    hall = PlaceFactory(city=rouen, slug="halle", lat=49.44, lon=1.09)
    free = EventCategoryFactory(city=rouen, slug="gratuit")
    specs = [
        ("marche", utc(2026, 3, 7, 9), 3, "FREQ=WEEKLY;BYDAY=SA,SU", []),
        ("yoga", utc(2026, 3, 2, 17), 1, "FREQ=DAILY", ["2026-03-27T18:00"]),
        ("nuit", utc(2026, 3, 28, 23), 4, "", []),
        ("fini", utc(2026, 3, 1, 9), 2, "FREQ=WEEKLY;UNTIL=20260320", []),
        ("mois", utc(2025, 12, 31, 10), 2, "FREQ=MONTHLY;BYMONTHDAY=-1", []),
    ]
    for i, (slug, start, hours, rule, exdates) in enumerate(specs):
        event = EventFactory(city=rouen, slug=slug, title_fr=slug.capitalize(), starts_at=start,
                             ends_at=start + timedelta(hours=hours), rrule=rule, exdates=exdates,
                             venue=hall if i % 2 else None, is_free=bool(i % 2), wheelchair=i < 2)
        if i % 2:
            event.categories.add(free)
    EventFactory(city=aix, slug="ailleurs", starts_at=utc(2026, 3, 28, 9), ends_at=utc(2026, 3, 28, 10))
    start, end = rouen.day_bounds(datetime(2026, 3, 23).date())[0], rouen.day_bounds(datetime(2026, 3, 30).date())[0]
    filters = [{}, {"free": True}, {"accessible": True}, {"category": "gratuit"}, {"near": (49.44, 1.09)}]

    def listed():
        return [[(item.event.slug, item.starts_at, item.ends_at, item.distance_m)
                 for item in selectors.list_occurrences(city=rouen, start=start, end=end, **kwargs)]
                for kwargs in filters]

    from_table = listed()
    Event.objects.update(occurrences_until=None)  # every rule expanded per request, as before the table
    assert listed() == from_table
    everything = from_table[0]
    assert ("marche", datetime(2026, 3, 28, 10, tzinfo=PARIS)) in [(s, b) for s, b, _e, _d in everything]
    assert ("marche", datetime(2026, 3, 29, 10, tzinfo=PARIS)) in [(s, b) for s, b, _e, _d in everything]
    assert [b.hour for s, b, _e, _d in everything if s == "yoga"] == [18] * 6  # 27 March excluded
    nuit = next(item for item in everything if item[0] == "nuit")
    assert (nuit[1], nuit[2]) == (datetime(2026, 3, 29, 0, tzinfo=PARIS), datetime(2026, 3, 29, 5, tzinfo=PARIS))
    assert "fini" not in {item[0] for item in everything}
    assert [s for s, *_ in everything] == [s for s, *_ in sorted(everything, key=lambda item: item[1])]


def test_a_long_exhibition_is_listed_in_a_weekend_far_from_its_start(rouen):
    """An occurrence longer than LONG_OCCURRENCE is read from its own index, not the start range."""
    exhibition = EventFactory(city=rouen, slug="expo", starts_at=utc(2026, 10, 1, 8), ends_at=utc(2027, 1, 31, 17))
    EventFactory(city=rouen, slug="passe", starts_at=utc(2026, 12, 1, 8), ends_at=utc(2026, 12, 2, 8))
    assert EventOccurrence.objects.get(event=exhibition).is_long
    start, end = selectors.compute_period(city=rouen, when="weekend", moment=utc(2026, 12, 10, 12))
    assert [item.event.slug for item in selectors.list_occurrences(city=rouen, start=start, end=end)] == ["expo"]
