"""iCalendar (RFC 5545) export of meetings, with the icalendar package.

Each VEVENT has a stable UID; DTSTART/DTEND in the city's time zone (TZID, with the VTIMEZONE the
calendar needs); DTSTAMP and LAST-MODIFIED are the meeting's last change (a feed without METHOD:
"the date and time that the information associated with the calendar component was last revised",
RFC 5545 §3.8.7.2), CREATED its creation; SEQUENCE grows with each change of time, place or
cancellation (`Meeting.save`), so a calendar application replaces its copy; a cancelled meeting
stays in the feed with STATUS:CANCELLED.
"""

from icalendar import Calendar, Event

from citypocket.core.ical import add_revision
from citypocket.participation.models import Meeting


def meetings_to_ics(meetings: list[Meeting], *, city) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//CityPocket//participation//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"CityPocket {city.name}")
    calendar.add("x-wr-timezone", city.timezone)
    zone = city.zone
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}-{city.slug}@citypocket")
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at.astimezone(zone))
        event.add("dtend", meeting.ends_at.astimezone(zone))
        add_revision(event, modified=meeting.updated_at, created=meeting.created_at, sequence=meeting.sequence)
        event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
        lines = [meeting.description] if meeting.description else []
        lines += [f"{item.position}. {item.title}" for item in meeting.agenda.all()]
        if lines:
            event.add("description", "\n".join(lines))
        if meeting.place:
            event.add("location", meeting.place)
        if meeting.online_url:
            event.add("url", meeting.online_url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
