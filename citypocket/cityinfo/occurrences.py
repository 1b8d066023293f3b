"""The agenda's materialised occurrences: every occurrence of an event, one row each, up to a horizon.

An event's rows are rewritten whenever it is saved (a `post_save` signal, so the services, the back
office and the iCalendar/OpenAgenda imports are all covered) and go with it (cascade). A series is
stored from its first occurrence up to HORIZON_DAYS from now (an endless one is cut there), at most
MAX_STORED rows; `Event.occurrences_until` records up to when the rows are complete. The nightly
`extend_occurrences` job moves the horizon on; `citypocket rebuild_occurrences` redoes everything.

What a signal cannot see (`bulk_create`, `QuerySet.update`) leaves `occurrences_until` null or
short: the agenda then expands those events' rules itself (selectors.list_occurrences), so a
missed write is slower, never wrong.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from citypocket.cityinfo.models import LONG_OCCURRENCE, Event, EventOccurrence
from citypocket.cityinfo.recurrence import _series

HORIZON_DAYS = 400
MAX_STORED = 3000
# Stored in `occurrences_until` when every occurrence of the event is in the table.
COMPLETE = datetime(9999, 1, 1, tzinfo=UTC)


def expand(event: Event, *, until: datetime) -> tuple[list[tuple[datetime, datetime]], datetime]:
    """The event's occurrences (UTC) starting before `until` (at most MAX_STORED), and the moment up to
    which they are complete (COMPLETE when the series is over)."""
    if not event.rrule:
        return [(event.starts_at, event.ends_at)], COMPLETE
    zone = event.city.zone
    duration = event.ends_at - event.starts_at
    found = []
    for begin in _series(event.rrule, list(event.exdates), event.starts_at.astimezone(zone)):
        if begin >= until:
            return found, until
        if len(found) >= MAX_STORED:
            return found, found[-1][0]
        start = begin.astimezone(UTC)
        found.append((start, start + duration))  # the duration in UTC, as recurrence.occurrences does
    return found, COMPLETE


def sync_event(event: Event, *, now: datetime | None = None) -> int:
    """Rewrites the event's rows up to the horizon; returns how many it has."""
    until = (now or timezone.now()) + timedelta(days=HORIZON_DAYS)
    rows, complete = expand(event, until=until)
    with transaction.atomic():
        EventOccurrence.objects.filter(event=event).delete()
        EventOccurrence.objects.bulk_create(
            [EventOccurrence(event=event, city_id=event.city_id, starts_at=start, ends_at=end,
                             is_long=end - start > LONG_OCCURRENCE) for start, end in rows],
            batch_size=1000)
        Event.objects.filter(pk=event.pk).update(occurrences_until=complete)
    event.occurrences_until = complete
    return len(rows)


def extend(*, now: datetime | None = None, city=None) -> int:
    """Re-materialises the events whose rows stop before the horizon (endless series, new ones)."""
    until = (now or timezone.now()) + timedelta(days=HORIZON_DAYS)
    events = Event.objects.filter(Q(occurrences_until__isnull=True) | Q(occurrences_until__lt=until))
    if city is not None:
        events = events.filter(city=city)
    count = 0
    for event in events.select_related("city").iterator(chunk_size=500):
        sync_event(event, now=now)
        count += 1
    return count


def rebuild(*, now: datetime | None = None, city=None) -> int:
    """Every event's rows rewritten (or one city's); returns the number of events."""
    events = Event.objects.all() if city is None else Event.objects.filter(city=city)
    count = 0
    for event in events.select_related("city").iterator(chunk_size=500):
        sync_event(event, now=now)
        count += 1
    return count


def on_event_saved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    """post_save of Event: its occurrences follow (not for fixtures loaded raw)."""
    if not raw:
        sync_event(instance)
