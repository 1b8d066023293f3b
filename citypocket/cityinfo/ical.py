"""iCalendar (RFC 5545) feeds of the agenda, with the icalendar package.

Every event keeps its own UID (stable across feeds and edits), its first DTSTART/DTEND in the
city's time zone (TZID, with the VTIMEZONE the calendar needs) and its RRULE/EXDATE when it
repeats, so that a calendar application expands the series itself and follows later changes:
DTSTAMP and LAST-MODIFIED are the event's last change, CREATED its creation (when known), SEQUENCE
grows with each change of its time, place, recurrence or status (`Event.save`, the helper shared
with the meetings' calendar, `core/ical.py`); a cancelled event stays with STATUS:CANCELLED.
"""

from icalendar import Calendar
from icalendar import Event as VEvent

from citypocket.cityinfo.models import Event, EventStatus
from citypocket.cityinfo.recurrence import local_exdates
from citypocket.core.ical import add_revision

ICAL_STATUS = {EventStatus.SCHEDULED: "CONFIRMED", EventStatus.FULL: "CONFIRMED",
               EventStatus.POSTPONED: "TENTATIVE", EventStatus.CANCELLED: "CANCELLED"}


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{event.city.slug}.citypocket"


def _vevent(event: Event, *, language: str, url: str) -> VEvent:
    zone = event.city.zone
    item = VEvent()
    item.add("uid", event_uid(event))
    add_revision(item, modified=event.updated_at, created=event.created_at, sequence=event.sequence)
    item.add("summary", event.title(language))
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    if event.rrule:
        item.add("rrule", Calendar.types_factory.for_property("rrule").from_ical(event.rrule))
        for moment in local_exdates(list(event.exdates), zone):
            item.add("exdate", moment)
    item.add("status", ICAL_STATUS[event.status])
    description = event.description(language)
    extras = [event.price] if event.price else []
    if event.status == EventStatus.FULL:
        extras.append("Complet" if language == "fr" else "Full")
    if extras or description:
        item.add("description", "\n\n".join(part for part in (description, " · ".join(extras)) if part))
    if event.venue:
        where = ", ".join(part for part in (event.venue.name, event.venue.address) if part)
    else:
        where = event.location
    if where:
        item.add("location", where)
    if event.venue:
        item.add("geo", (event.venue.lat, event.venue.lon))
    categories = [category.name(language) for category in event.categories.all()]
    if categories:
        item.add("categories", categories)
    item.add("url", url)
    return item


def events_to_ics(events, *, city, name: str, language: str, url_of) -> bytes:
    """A calendar of `events` (each with its RRULE), its VTIMEZONE included; `url_of(event)` is its page."""
    calendar = Calendar()
    calendar.add("prodid", "-//CityPocket//cityinfo//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", city.timezone)
    for event in events:
        event.city = city
        calendar.add_component(_vevent(event, language=language, url=url_of(event)))
    calendar.add_missing_timezones()
    return calendar.to_ical()
