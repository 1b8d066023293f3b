"""Recurring events: an RFC 5545 RRULE expanded with python-dateutil, in the city's local time.

The rule is applied to the first start *as a local wall-clock time* (dateutil keeps the tzinfo and
the wall clock of an aware `dtstart`), so a weekly 10:00 stays at 10:00 across the change to summer time;
each occurrence lasts as long as the first one. Excluded dates (EXDATE) are local start times.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr

# A series without COUNT or UNTIL is expanded this far at most, for a feed or a page.
MAX_OCCURRENCES = 1000


UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


def _utc_until(text: str, zone: ZoneInfo) -> str:
    """The rule with a floating UNTIL (local date or time) written in UTC, as RFC 5545 asks when the
    start has a time zone (dateutil refuses the mix)."""

    def to_utc(match: re.Match) -> str:
        if match.group(3):
            return match.group(0)
        local = datetime.strptime(match.group(1) + (match.group(2) or "T235959"), "%Y%m%dT%H%M%S")
        return "UNTIL=" + local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return UNTIL.sub(to_utc, text)


def _rule(text: str, first: datetime) -> rrule:
    """The rule applied from `first`, an aware local start: dateutil keeps its wall-clock time."""
    return rrulestr(_utc_until(text, first.tzinfo), dtstart=first, forceset=False, ignoretz=False)


def is_valid_rrule(text: str) -> bool:
    """True when dateutil reads `text` as one RRULE value (FREQ=…;…), without the "RRULE:" prefix."""
    if not text or text.upper().startswith(("RRULE:", "DTSTART", "EXDATE")) or "\n" in text:
        return False
    try:
        return isinstance(_rule(text, datetime(2026, 1, 1, tzinfo=UTC)), rrule)
    except (ValueError, TypeError, KeyError):
        return False


def local_exdates(exdates: list[str], zone: ZoneInfo) -> list[datetime]:
    """The excluded start times as aware datetimes of the zone; a text that is not a time is ignored."""
    out = []
    for text in exdates:
        try:
            moment = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue
        out.append(moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone))
    return out


def _series(rule: str, exdates: list[str], first: datetime) -> rruleset:
    series = rruleset()
    series.rrule(_rule(rule, first))
    for excluded in local_exdates(exdates, first.tzinfo):
        series.exdate(excluded)
    return series


def occurrences(*, starts_at: datetime, ends_at: datetime, rule: str, exdates: list[str], zone: ZoneInfo,
                start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The (start, end) of each occurrence that overlaps [start, end), in the city's zone, in order."""
    first = starts_at.astimezone(zone)
    duration = ends_at - starts_at
    if not rule:
        if starts_at < end and ends_at > start:
            yield first, ends_at.astimezone(zone)
        return
    series = _series(rule, exdates, first)
    for count, begin in enumerate(series.xafter(start - duration, inc=True)):
        if begin >= end or count >= MAX_OCCURRENCES:
            return
        # The duration is added in UTC: a 2-hour event over the clock change still lasts 2 hours.
        finish = (begin.astimezone(UTC) + duration).astimezone(zone)
        if finish > start:
            yield begin, finish


def series_end(*, starts_at: datetime, ends_at: datetime, rule: str, exdates: list[str],
               zone: ZoneInfo) -> datetime | None:
    """The end of the last occurrence (UTC), or None for an endless series."""
    if not rule:
        return ends_at
    first = starts_at.astimezone(zone)
    parsed = _rule(rule, first)
    if parsed._count is None and parsed._until is None:
        return None
    last = None
    for count, last in enumerate(_series(rule, exdates, first)):  # noqa: B007 (finds the last one)
        if count >= MAX_OCCURRENCES:
            break
    if last is None:
        return ends_at
    return last.astimezone(UTC) + (ends_at - starts_at)
