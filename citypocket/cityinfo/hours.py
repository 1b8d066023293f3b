"""Opening hours: is a place open now, until when, and when does it open next — in the city's time.

The hours are OpenStreetMap `opening_hours` text, read by `opening-hours-py` (the Rust parser of
the `opening-hours` crate), which knows the French public holidays (`PH`) when given the country.
The evaluation happens in the city's time zone, never the server's: "09:00" is 09:00 in Rouen.

Exceptional closures are not written into the text (appending `; 2026Dec24 off` after a fallback
rule `||` would change its meaning); they are whole local days taken out of the open spans here.

Every city of the platform is a French commune (INSEE codes), so holidays are France's national
ones. Alsace-Moselle's two extra days (Good Friday, 26 December) are not known by country alone.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from opening_hours import OpeningHours, State, validate

HOLIDAY_COUNTRY = "FR"
# How far ahead "opens on …" looks: a place closed for longer is just "closed".
HORIZON = timedelta(days=62)
# How far ahead a page carries the open intervals from which the device recomputes "open now", so
# that a copy read offline later still tells the truth (core/static/core/app.js, docs/offline.md).
DEVICE_WINDOW = timedelta(days=7)


def is_valid_expression(text: str) -> bool:
    """True when the OpenStreetMap parser reads `text`."""
    try:
        return bool(validate(text))
    except Exception:  # the parser raises its own errors on some inputs instead of answering False
        return False


@lru_cache(maxsize=4096)
def _parsed(text: str, zone_name: str) -> OpeningHours:
    # Parsing is cheap but lists evaluate every place on each request; the parsed rule is immutable.
    return OpeningHours(text, timezone=ZoneInfo(zone_name), country=HOLIDAY_COUNTRY,
                        auto_country=False, auto_timezone=False)


@dataclass(frozen=True)
class Closure:
    """Whole local days [first, last] when the place is closed whatever its usual hours say."""

    first: date
    last: date
    reason: str = ""


@dataclass(frozen=True)
class HoursNow:
    """A place's state at one instant: `open`, `closed` or `unknown`, and the next change."""

    state: str
    at: datetime  # the instant evaluated, in the city's zone
    change: datetime | None  # open: when it closes; closed: when it opens; None: not within HORIZON
    comment: str = ""  # the rule's comment ("sur rendez-vous") or the closure's reason
    intervals: tuple[tuple[datetime, datetime], ...] = ()  # open within DEVICE_WINDOW from `at`

    @property
    def intervals_json(self) -> str:
        return json.dumps([[_utc(start), _utc(end)] for start, end in self.intervals])

    @property
    def intervals_until(self) -> str:
        return _utc(self.at + DEVICE_WINDOW)

    @property
    def change_utc(self) -> str:
        return _utc(self.change) if self.change else ""

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def label(self) -> str:
        """"Open now — closes at 18:00", "Closed — opens Monday 9:00", in the active language."""
        if self.state == "unknown":
            return _("Opening hours unknown")
        if self.state == "open":
            if self.change is None:
                return _("Open now — open around the clock")
            return _("Open now — closes %(when)s") % {"when": _when(self.at, self.change)}
        if self.change is None:
            return _("Closed")
        return _("Closed — opens %(when)s") % {"when": _when(self.at, self.change)}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(now: datetime, then: datetime) -> str:
    """"at 18:00", "tomorrow at 9:00", "Monday at 9:00", "on 2 January at 9:00" (active language)."""
    clock = formats.time_format(then, "G:i")
    days = (then.date() - now.date()).days
    if days == 0:
        return _("at %(time)s") % {"time": clock}
    if days == 1:
        return _("tomorrow at %(time)s") % {"time": clock}
    if days < 7:
        return _("%(weekday)s at %(time)s") % {"weekday": formats.date_format(then, "l"), "time": clock}
    return _("on %(date)s at %(time)s") % {"date": formats.date_format(then, "j F"), "time": clock}


def _closure_on(day: date, closures: Iterable[Closure]) -> Closure | None:
    return next((closure for closure in closures if closure.first <= day <= closure.last), None)


def _open_spans(rule: OpeningHours, start: datetime, end: datetime, closures: list[Closure]) -> Iterator[
        tuple[datetime, datetime]]:
    """The open spans between `start` and `end`, without the closed days, adjacent spans merged."""
    zone = start.tzinfo
    pending: tuple[datetime, datetime] | None = None
    for span_start, span_end, state, _comment in rule.intervals(start, end):
        if state != State.OPEN:
            continue
        for piece in _cut(span_start, span_end, closures, zone):
            if pending and pending[1] == piece[0]:
                pending = (pending[0], piece[1])
                continue
            if pending:
                yield pending
            pending = piece
    if pending:
        yield pending


def _cut(start: datetime, end: datetime, closures: list[Closure], zone) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) without the local days of the closures."""
    cursor = start
    while cursor < end:
        closure = _closure_on(cursor.date(), closures)
        if closure:
            cursor = datetime.combine(closure.last + timedelta(days=1), time(0), tzinfo=zone)
            continue
        following = [c.first for c in closures if c.first > cursor.date()]
        stop = min([datetime.combine(day, time(0), tzinfo=zone) for day in following] + [end])
        yield cursor, stop
        cursor = stop


def hours_at(text: str, *, zone: ZoneInfo, moment: datetime, closures: Iterable[Closure] = ()) -> HoursNow:
    """The state of a place with hours `text` at `moment` (aware), read in the time `zone`.

    Empty or unreadable hours are `unknown`: a place is never shown open on a guess.
    """
    local = moment.astimezone(zone)
    closures = sorted(closures, key=lambda closure: closure.first)
    if not text or not is_valid_expression(text):
        return HoursNow("unknown", local, None)
    rule = _parsed(text, zone.key)
    closed_today = _closure_on(local.date(), closures)
    state, comment = (State.CLOSED, closed_today.reason) if closed_today else rule.state(local)
    if state == State.UNKNOWN:
        return HoursNow("unknown", local, None, comment)
    spans = _open_spans(rule, local, local + HORIZON, closures)
    first = next(spans, None)
    week = tuple((start, min(end, local + DEVICE_WINDOW))
                 for start, end in _open_spans(rule, local, local + DEVICE_WINDOW, closures))
    if state == State.OPEN:
        # The first span starts now; it ends when the place closes (None: open beyond the horizon).
        closes = first[1] if first and first[1] < local + HORIZON else None
        return HoursNow("open", local, closes, comment, week)
    opens = first[0] if first else None
    return HoursNow("closed", local, opens, comment, week)


@dataclass(frozen=True)
class DayHours:
    """One local day of a place's week: its open spans (clock times, a span past midnight cut at it),
    or the exceptional closure that empties it."""

    day: date
    spans: tuple[tuple[time, time | None], ...]  # end None: until midnight; an end before the start: the next morning
    closure: Closure | None = None

    @property
    def label(self) -> str:
        """"9:00-12:00, 14:00-18:00" (with an en dash), "Closed", "Closed — Christmas", in the active language."""
        if self.closure:
            return _("Closed — %(reason)s") % {"reason": self.closure.reason} if self.closure.reason else _("Closed")
        if not self.spans:
            return _("Closed")
        if self.spans == ((time(0), None),):
            return _("Open around the clock")
        return ", ".join(f"{_clock(start)}\N{EN DASH}{_clock(end) if end else '24:00'}" for start, end in self.spans)


def _clock(moment: time) -> str:
    return formats.time_format(moment, "G:i")


def week_of(text: str, *, zone: ZoneInfo, moment: datetime, closures: Iterable[Closure] = (),
            days: int = 7) -> tuple[DayHours, ...]:
    """The open hours of each local day from `moment`'s day on, for the place page: a person reads
    "Monday 9:00-12:00, 14:00-18:00", not the OpenStreetMap text. Empty for unknown hours."""
    if not text or not is_valid_expression(text):
        return ()
    closures = sorted(closures, key=lambda closure: closure.first)
    rule = _parsed(text, zone.key)
    first_day = moment.astimezone(zone).date()
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone)
    per_day: dict[date, list[tuple[time, time | None]]] = {first_day + timedelta(days=n): [] for n in range(days)}
    for span_start, span_end in _open_spans(rule, start, end, closures):
        cursor = span_start
        while cursor < span_end:
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=zone)
            stop = min(span_end, midnight)
            per_day[cursor.date()].append((cursor.timetz().replace(tzinfo=None),
                                           None if stop == midnight else stop.timetz().replace(tzinfo=None)))
            cursor = stop
    # A night span (Fr 20:00-02:00) reads as one span of the evening it starts, not as two pieces.
    ordered = list(per_day)
    for day, following in pairwise(ordered):
        evening, morning = per_day[day], per_day[following]
        if evening and evening[-1][1] is None and morning and morning[0][0] == time(0) and morning[0][1] is not None:
            evening[-1] = (evening[-1][0], morning.pop(0)[1])
    return tuple(DayHours(day, tuple(spans), _closure_on(day, closures)) for day, spans in per_day.items())
