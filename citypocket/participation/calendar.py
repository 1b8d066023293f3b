"""iCalendar (RFC 5545) export of meetings, with the icalendar package."""

from icalendar import Calendar, Event

from citypocket.participation.models import Meeting


def meetings_to_ics(meetings: list[Meeting], *, city) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//CityPocket//participation//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CityPocket {city.name}")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}-{city.slug}@citypocket")
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("dtstamp", meeting.starts_at)
        lines = [meeting.description] if meeting.description else []
        lines += [f"{item.position}. {item.title}" for item in meeting.agenda.all()]
        if lines:
            event.add("description", "\n".join(lines))
        if meeting.place:
            event.add("location", meeting.place)
        if meeting.online_url:
            event.add("url", meeting.online_url)
        calendar.add_component(event)
    return calendar.to_ical()
