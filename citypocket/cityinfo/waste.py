"""Waste collection: which zone an address is in, its collection dates per stream, the month view,
the iCalendar subscription and the sorting guide.

Dates are whole local days. A rule's RRULE is expanded with python-dateutil from its first date;
a date that falls on a French public holiday (known from the same source as the opening hours:
`opening-hours-py` with country FR, see `cityinfo.hours`) is moved to the next working day (not a
Sunday nor a holiday), dropped, or kept, as the rule says.
"""

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.db.models import Q
from icalendar import Alarm, Calendar
from icalendar import Event as VEvent
from opening_hours import OpeningHours, State

from citypocket.cityinfo.addresses import AddressHit, normalise, search_text
from citypocket.cityinfo.hours import HOLIDAY_COUNTRY
from citypocket.cityinfo.waste_models import (
    COLLECTED_STREAMS,
    CollectionRule,
    HolidayShift,
    SortingItem,
    Stream,
    WasteZone,
    WasteZoneStreet,
)

MAX_SPAN = timedelta(days=400)
PARIS = ZoneInfo("Europe/Paris")
# "The evening before" for an all-day event starting at 00:00: 19:00 the day before.
REMINDER_TRIGGER = timedelta(hours=-5)
STREAM_ORDER = {stream.value: index for index, stream in enumerate(COLLECTED_STREAMS)}


@lru_cache(maxsize=1)
def _holiday_rule() -> OpeningHours:
    return OpeningHours("PH", timezone=PARIS, country=HOLIDAY_COUNTRY, auto_country=False, auto_timezone=False)


@lru_cache(maxsize=2048)
def is_public_holiday(day: date) -> bool:
    """France's national public holidays, as `PH` of the opening hours."""
    state, _comment = _holiday_rule().state(datetime.combine(day, time(12), tzinfo=PARIS))
    return state == State.OPEN


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() == 6 or is_public_holiday(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Collection:
    day: date
    stream: str
    usual_day: date  # the date the rule gives; differs from `day` when a holiday moved it

    @property
    def moved(self) -> bool:
        return self.day != self.usual_day

    @property
    def label(self) -> str:
        return Stream(self.stream).label


def rule_dates(rule: CollectionRule, start: date, end: date) -> list[Collection]:
    """The collections of one rule in [start, end), holidays applied."""
    if rule.on_appointment or not rule.rrule:
        return []
    first = datetime.combine(rule.starts_on, time())
    # Look a week before `start`: a holiday may push a date from just before into the period.
    series = rrulestr(rule.rrule, dtstart=first)
    window_start = datetime.combine(max(start - timedelta(days=7), rule.starts_on), time())
    window_end = datetime.combine(end, time())
    if rule.ends_on:
        window_end = min(window_end, datetime.combine(rule.ends_on + timedelta(days=1), time()))
    found = []
    for moment in series.between(window_start, window_end, inc=True):
        usual = moment.date()
        day = usual
        if is_public_holiday(usual):
            if rule.holiday_shift == HolidayShift.SKIP:
                continue
            if rule.holiday_shift == HolidayShift.NEXT_DAY:
                day = _next_working_day(usual)
        if start <= day < end:
            found.append(Collection(day=day, stream=rule.stream, usual_day=usual))
    return found


def zone_collections(zone: WasteZone, start: date, end: date, *, stream: str | None = None) -> list[Collection]:
    """Every collection of the zone in [start, end), by date then stream."""
    if end - start > MAX_SPAN:
        raise ValueError("period too long")
    rules = zone.rules.all()
    if stream:
        rules = rules.filter(stream=stream)
    items = [item for rule in rules for item in rule_dates(rule, start, end)]
    return sorted(items, key=lambda item: (item.day, STREAM_ORDER.get(item.stream, 99)))


@dataclass(frozen=True)
class StreamNext:
    rule: CollectionRule
    next: Collection | None

    @property
    def stream(self) -> str:
        return self.rule.stream


def next_by_stream(zone: WasteZone, today: date) -> list[StreamNext]:
    """Per stream of the zone: its rule and its next collection from `today` (within 10 weeks)."""
    rules = sorted(zone.rules.all(), key=lambda rule: STREAM_ORDER.get(rule.stream, 99))
    result = []
    for rule in rules:
        upcoming = rule_dates(rule, today, today + timedelta(days=70))
        result.append(StreamNext(rule=rule, next=upcoming[0] if upcoming else None))
    return result


def month_weeks(zone: WasteZone, year: int, month: int) -> list[list[tuple[date | None, list[Collection]]]]:
    """The month as weeks (Monday first) of (day or None, collections of that day)."""
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1)
    by_day: dict[date, list[Collection]] = {}
    for item in zone_collections(zone, first, last):
        by_day.setdefault(item.day, []).append(item)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([(day if day.month == month else None, by_day.get(day, []) if day.month == month else [])
                      for day in week])
    return weeks


def zone_for_address(city, hit: AddressHit) -> WasteZone | None:
    """The city's zone whose streets cover the address (a street range before a whole street)."""
    key = normalise(hit.street)
    if not key:
        return None
    candidates = WasteZoneStreet.objects.filter(zone__city=city, street_key=key).select_related("zone")
    matching = [row for row in candidates if row.covers(hit.number_int)]
    if not matching:
        return None
    matching.sort(key=lambda row: (row.number_from is None and row.number_to is None, row.parity == "all"))
    return matching[0].zone


def search_sorting_guide(city, query: str, *, limit: int = 20) -> list[SortingItem]:
    """Items of the city's guide whose names or synonyms (French or English) start with every word."""
    words = normalise(query[:100]).split()[:6]
    if not words:
        return []
    condition = Q(city=city)
    for word in words:
        condition &= Q(search_text__contains=f" {word}")
    items = list(SortingItem.objects.filter(condition)[:200])
    phrase = search_text(query)
    # Exact name first, then names starting with the query, then the rest alphabetically.
    items.sort(key=lambda item: (phrase.strip() not in (search_text(item.name_fr).strip(),
                                                         search_text(item.name_en).strip()),
                                 not item.search_text.startswith(phrase.rstrip()), normalise(item.name_fr)))
    return items[:limit]


def collection_uid(zone: WasteZone, item: Collection) -> str:
    """Stable across downloads: the zone, the stream and the usual date (a move keeps the UID)."""
    return f"waste-{zone.slug}-{item.stream}-{item.usual_day:%Y%m%d}@{zone.city.slug}.citypocket"


def zone_to_ics(zone: WasteZone, items: list[Collection], *, language: str, url: str, reminder: bool,
                stamp: datetime) -> bytes:
    """An iCalendar of the zone's collections: all-day events (`DTSTART;VALUE=DATE`), a stable UID,
    the usual date in the description when a holiday moved it, and with `reminder` a VALARM at 19:00
    the evening before."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    with override(language):
        cal = Calendar()
        cal.add("prodid", "-//CityPocket//waste//FR")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("Waste collection — %(zone)s") % {"zone": zone.name(language)})
        cal.add("x-wr-timezone", zone.city.timezone)
        cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
        for item in items:
            event = VEvent()
            event.add("uid", collection_uid(zone, item))
            event.add("dtstamp", stamp)
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
            event.add("summary", str(Stream(item.stream).label))
            event.add("transp", "TRANSPARENT")
            if item.moved:
                event.add("description", _("Moved from %(day)s (public holiday).") % {
                    "day": item.usual_day.isoformat()})
            event.add("categories", [item.stream])
            event.add("url", url)
            if reminder:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", _("Tomorrow: %(stream)s") % {"stream": Stream(item.stream).label})
                alarm.add("trigger", REMINDER_TRIGGER)
                event.add_component(alarm)
            cal.add_component(event)
        return cal.to_ical()


def zones_of(city) -> list[WasteZone]:
    return list(WasteZone.objects.filter(city=city).prefetch_related("rules"))
