"""Live status of a car park from its latest `available_spots` reading.

Rules (in this order, see docs/mobility.md):
- `closed`: the car park has opening hours and the moment is outside them;
- `unknown` and `stale`: no reading, or the latest reading is older than MOBILITY_STALE_MINUTES
  (15 by default) — `available` is then null: a stale number is never shown as if it were live;
- `full`: 0 free spaces;
- `almost_full`: fewer than 10 % of the capacity free (MOBILITY_ALMOST_FULL_SHARE);
- `open` otherwise.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

OPEN = "open"
ALMOST_FULL = "almost_full"
FULL = "full"
CLOSED = "closed"
UNKNOWN = "unknown"

STATUS_LABELS = {
    OPEN: _("Open"),
    ALMOST_FULL: _("Almost full"),
    FULL: _("Full"),
    CLOSED: _("Closed"),
    UNKNOWN: _("Unknown"),
}
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def _parse(text: str) -> time:
    hours, minutes = text.split(":")
    hours_i, minutes_i = int(hours), int(minutes)
    if hours_i == 24 and minutes_i == 0:
        return time(23, 59, 59, 999999)
    return time(hours_i, minutes_i)


def validate_opening_hours(value) -> None:
    """Raises ValueError unless `value` is {} or {"mo": [["HH:MM", "HH:MM"], ...], ...}."""
    if not isinstance(value, dict):
        raise ValueError("opening hours must be an object")
    for day, ranges in value.items():
        if day not in WEEKDAYS or not isinstance(ranges, list):
            raise ValueError(f"unknown weekday {day!r}")
        for item in ranges:
            if not (isinstance(item, list) and len(item) == 2):
                raise ValueError("each range is [start, end]")
            _parse(item[0]), _parse(item[1])


def is_open_at(opening_hours: dict, moment: datetime, tz: str) -> bool:
    """True when `moment` falls in the opening hours (local time of `tz`); {} means always open."""
    if not opening_hours:
        return True
    local = moment.astimezone(ZoneInfo(tz))
    clock = local.time().replace(tzinfo=None)
    for start_text, end_text in opening_hours.get(WEEKDAYS[local.weekday()], []):
        start, end = _parse(start_text), _parse(end_text)
        if start <= end and start <= clock < end:
            return True
        if start > end and (clock >= start or clock < end):  # overnight range, e.g. 22:00-02:00
            return True
    return False


@dataclass(frozen=True, slots=True)
class LiveStatus:
    status: str
    available: int | None
    observed_at: datetime | None
    stale: bool


def live_status(
    *,
    capacity: int | None,
    opening_hours: dict,
    tz: str,
    reading_value: float | None,
    reading_time: datetime | None,
    now: datetime,
) -> LiveStatus:
    """The status of a car park at `now` from its latest reading (see the module docstring)."""
    stale_after = timedelta(minutes=settings.MOBILITY_STALE_MINUTES)
    stale = reading_time is None or now - reading_time > stale_after
    available = None if stale or reading_value is None else max(0, round(reading_value))
    if not is_open_at(opening_hours, now, tz):
        return LiveStatus(CLOSED, available, reading_time, stale)
    if available is None:
        return LiveStatus(UNKNOWN, None, reading_time, stale)
    if available == 0:
        return LiveStatus(FULL, 0, reading_time, stale)
    if capacity and available < settings.MOBILITY_ALMOST_FULL_SHARE * capacity:
        return LiveStatus(ALMOST_FULL, available, reading_time, stale)
    return LiveStatus(OPEN, available, reading_time, stale)


# From a minute's start, its last moment but one: a range that ends at 24:00 ends at 23:59:59.999999
# (see _parse), so is_open_at may judge that minute's last microsecond apart from the rest of it.
_LAST_OF_MINUTE = timedelta(minutes=1, microseconds=-2)


def unchanged_through(*, opening_hours: dict, tz: str, reading_time: datetime | None, now: datetime) -> datetime | None:
    """The last moment through which live_status, with everything but the moment kept, still gives what it
    gives at `now` (None: for good). It moves when a fresh reading turns stale, and with opening hours,
    at most at a minute's end: they are written to the minute, and the city's offset from UTC is a
    whole number of minutes (otherwise: `now` itself)."""
    through = None
    stale_after = timedelta(minutes=settings.MOBILITY_STALE_MINUTES)
    if reading_time is not None and now - reading_time <= stale_after:
        through = reading_time + stale_after
    if opening_hours:
        offset = now.astimezone(ZoneInfo(tz)).utcoffset()
        if offset is None or offset % timedelta(minutes=1):
            return now
        minute_end = now.astimezone(UTC).replace(second=0, microsecond=0) + _LAST_OF_MINUTE
        through = minute_end if through is None else min(through, minute_end)
    return through
