"""Reading events from iCalendar feeds and OpenAgenda JSON exports into one internal record.

As for places (`imports.py`), a parser never raises on an item: each VEVENT or OpenAgenda event
becomes an `EventRecord` or a `Rejected` with its reason, and `services.import_events` writes them.

iCalendar (RFC 5545, read with `icalendar`): UID, SUMMARY, DESCRIPTION, DTSTART/DTEND (with TZID,
in UTC, or a floating or all-day value read in the city's zone), DURATION, RRULE, EXDATE,
LOCATION, URL, CATEGORIES, STATUS (CANCELLED -> cancelled, TENTATIVE stays scheduled). A
recurrence-id override of one occurrence is left out (the series is kept).

OpenAgenda (the JSON export of an agenda, `{"events": [...]}`, v2 shape): `uid`, multilingual
`title`/`description` (`{"fr": …, "en": …}`), `timings` (each a `{begin, end}` with an offset:
one record per event with its first timing, the others as one-off events `uid#n`), `location`
(`name`, `address`, `latitude`, `longitude`), `keywords`, `conditions` (free when it says
"gratuit"/"free"), `registration` links, `accessibility` (`mi`: motor impairment -> wheelchair,
`hi`: hearing impairment -> hearing loop), `status` (1 scheduled, 2 rescheduled, 3 moved online,
4 postponed, 5 full, 6 cancelled).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from citypocket.cityinfo.imports import Rejected
from citypocket.cityinfo.models import EventStatus
from citypocket.cityinfo.recurrence import is_valid_rrule

OPENAGENDA_STATUS = {1: EventStatus.SCHEDULED, 2: EventStatus.SCHEDULED, 3: EventStatus.SCHEDULED,
                     4: EventStatus.POSTPONED, 5: EventStatus.FULL, 6: EventStatus.CANCELLED}
MAX_TEXT = {"title_fr": 200, "title_en": 200, "location": 300, "price": 120, "booking_url": 500, "rrule": 300}


@dataclass(frozen=True)
class EventRecord:
    source_id: str
    title_fr: str
    starts_at: datetime
    ends_at: datetime
    title_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    rrule: str = ""
    exdates: tuple[str, ...] = ()
    location: str = ""
    lat: float | None = None
    lon: float | None = None
    categories: tuple[str, ...] = ()
    is_free: bool = False
    price: str = ""
    wheelchair: bool = False
    hearing_loop: bool = False
    sign_language: bool = False
    booking_url: str = ""
    status: str = EventStatus.SCHEDULED


@dataclass
class ParsedEvents:
    records: list[EventRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _checked(item: str, values: dict) -> EventRecord | Rejected:
    too_long = next((name for name, limit in MAX_TEXT.items() if len(values.get(name) or "") > limit), None)
    if too_long:
        return Rejected(item, f"{too_long} is longer than {MAX_TEXT[too_long]} characters")
    if not values.get("title_fr"):
        return Rejected(item, "no title")
    if values["ends_at"] < values["starts_at"]:
        return Rejected(item, "ends before it starts")
    if values.get("rrule") and not is_valid_rrule(values["rrule"]):
        return Rejected(item, "RRULE not understood")
    return EventRecord(source_id=item, **values)


def _aware(value, zone: ZoneInfo, *, end: bool = False) -> datetime | None:
    """A DTSTART/DTEND value as an aware datetime: all-day dates start (or end) at local midnight."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    return None


def parse_ical(text: str | bytes, *, zone: ZoneInfo) -> ParsedEvents:
    """The events of an iCalendar feed; floating and all-day times are read in the city's zone."""
    parsed = ParsedEvents()
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        parsed.rejected.append(Rejected("file", f"not iCalendar: {error}"))
        return parsed
    for index, component in enumerate(calendar.walk("VEVENT")):
        item = str(component.get("UID") or "").strip()
        if not item:
            parsed.rejected.append(Rejected(f"#{index}", "no UID"))
            continue
        if component.get("RECURRENCE-ID") is not None:
            parsed.rejected.append(Rejected(item, "an override of one occurrence (the series is kept)"))
            continue
        try:
            start_value = component.decoded("DTSTART")
            starts_at = _aware(start_value, zone)
            if component.get("DTEND") is not None:
                ends_at = _aware(component.decoded("DTEND"), zone)
            elif component.get("DURATION") is not None:
                ends_at = starts_at + component.decoded("DURATION")
            else:
                all_day = not isinstance(start_value, datetime)
                ends_at = starts_at + (timedelta(days=1) if all_day else timedelta(0))
            rule = component.get("RRULE")
            rule_text = rule.to_ical().decode() if rule is not None else ""
            exdates = []
            for group in component.get("EXDATE", []) if isinstance(component.get("EXDATE"), list) else (
                    [component["EXDATE"]] if component.get("EXDATE") is not None else []):
                for moment in group.dts:
                    exdates.append(_aware(moment.dt, zone).astimezone(zone).replace(tzinfo=None).isoformat())
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            parsed.rejected.append(Rejected(item, f"dates not understood: {error}"))
            continue
        if starts_at is None or ends_at is None:
            parsed.rejected.append(Rejected(item, "no start"))
            continue
        categories = []
        for value in component.get("CATEGORIES", []) if isinstance(component.get("CATEGORIES"), list) else (
                [component["CATEGORIES"]] if component.get("CATEGORIES") is not None else []):
            categories += [str(category).strip() for category in value.cats if str(category).strip()]
        status = str(component.get("STATUS") or "").upper()
        result = _checked(item, {
            "title_fr": str(component.get("SUMMARY") or "").strip(),
            "description_fr": str(component.get("DESCRIPTION") or "").strip(),
            "starts_at": starts_at, "ends_at": ends_at, "rrule": rule_text, "exdates": tuple(exdates),
            "location": str(component.get("LOCATION") or "").strip(),
            "categories": tuple(categories),
            "booking_url": str(component.get("URL") or "").strip(),
            "status": EventStatus.CANCELLED if status == "CANCELLED" else EventStatus.SCHEDULED,
        })
        (parsed.records if isinstance(result, EventRecord) else parsed.rejected).append(result)
    return parsed


def _text(value, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or "").strip()
    return str(value or "").strip() if language == "fr" else ""


def _timing(timing) -> tuple[datetime, datetime] | None:
    try:
        begin = datetime.fromisoformat(str(timing["begin"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(timing["end"]).replace("Z", "+00:00"))
    except (TypeError, KeyError, ValueError):
        return None
    if begin.tzinfo is None or end.tzinfo is None:
        return None
    return begin, end


def parse_openagenda(text: str | bytes) -> ParsedEvents:
    """The events of an OpenAgenda JSON export (see the module docstring for the fields read)."""
    parsed = ParsedEvents()
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        parsed.rejected.append(Rejected("file", f"not JSON: {error}"))
        return parsed
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        parsed.rejected.append(Rejected("file", 'not an OpenAgenda export (no "events" list)'))
        return parsed
    for index, event in enumerate(events):
        if not isinstance(event, dict) or not event.get("uid"):
            parsed.rejected.append(Rejected(f"#{index}", "no uid"))
            continue
        item = str(event["uid"])
        timings = [_timing(timing) for timing in event.get("timings") or []]
        if not timings or None in timings:
            parsed.rejected.append(Rejected(item, "no timings, or a timing without begin, end and offset"))
            continue
        location = event.get("location") if isinstance(event.get("location"), dict) else {}
        conditions = " ".join(_text(event.get("conditions"), language) for language in ("fr", "en"))
        access = event.get("accessibility") if isinstance(event.get("accessibility"), dict) else {}
        links = [entry.get("value") for entry in event.get("registration") or []
                 if isinstance(entry, dict) and entry.get("type") == "link"]
        keywords = event.get("keywords") if isinstance(event.get("keywords"), dict) else {}
        try:
            lat, lon = float(location.get("latitude")), float(location.get("longitude"))
        except (TypeError, ValueError):
            lat = lon = None
        common = {
            "title_fr": _text(event.get("title"), "fr"), "title_en": _text(event.get("title"), "en"),
            "description_fr": _text(event.get("longDescription") or event.get("description"), "fr"),
            "description_en": _text(event.get("longDescription") or event.get("description"), "en"),
            "location": ", ".join(str(part) for part in (location.get("name"), location.get("address")) if part),
            "lat": lat, "lon": lon,
            "categories": tuple(str(word) for word in keywords.get("fr") or [])[:10],
            "is_free": any(word in conditions.lower() for word in ("gratuit", "free", "entrée libre")),
            "price": _text(event.get("conditions"), "fr")[:120],
            "wheelchair": bool(access.get("mi")), "hearing_loop": bool(access.get("hi")),
            "booking_url": str(links[0]) if links else "",
            "status": OPENAGENDA_STATUS.get(event.get("status"), EventStatus.SCHEDULED),
        }
        for number, (begin, end) in enumerate(sorted(timings)):
            source_id = item if number == 0 else f"{item}#{number}"
            result = _checked(source_id, {**common, "starts_at": begin, "ends_at": end})
            (parsed.records if isinstance(result, EventRecord) else parsed.rejected).append(result)
    return parsed
