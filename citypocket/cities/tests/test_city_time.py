"""City time helpers: the city's zone, its "today" and the bounds of its local days, DST included."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from citypocket.cities.models import City


def paris() -> City:
    return City(slug="rouen", name="Rouen", timezone="Europe/Paris")


def test_zone_is_the_city_time_zone_and_follows_an_edit():
    """`city.zone` is the ZoneInfo of `timezone`, the same instance each time, and follows a change."""
    city = paris()
    assert city.zone == ZoneInfo("Europe/Paris")
    assert city.zone is city.zone
    city.timezone = "America/Cayenne"
    assert city.zone == ZoneInfo("America/Cayenne")


def test_local_today_is_the_city_calendar_date_not_utc():
    """At 23:30 UTC in summer it is already tomorrow in Paris; a moment in the morning is the same day."""
    city = paris()
    assert city.local_today(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert city.local_today(datetime(2026, 6, 30, 8, 0, tzinfo=UTC)) == date(2026, 6, 30)
    assert City(timezone="America/Cayenne").local_today(datetime(2026, 7, 1, 2, 0, tzinfo=UTC)) == date(2026, 6, 30)


def test_local_today_defaults_to_now(monkeypatch):
    """Without a moment, today is the city's date of `timezone.now()`."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 31, 23, 15, tzinfo=UTC))
    assert paris().local_today() == date(2027, 1, 1)


def test_local_today_refuses_a_naive_moment():
    """A naive datetime has no instant: it is refused rather than read in the server's zone."""
    with pytest.raises(ValueError):
        paris().local_today(datetime(2026, 6, 30, 12, 0))


def test_day_bounds_of_an_ordinary_day_are_the_two_local_midnights():
    """A winter day in Paris runs from 23:00 UTC the day before to 23:00 UTC, 24 hours, half-open."""
    start, end = paris().day_bounds(date(2026, 1, 15))
    assert start == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 1, 15, 23, 0, tzinfo=UTC)
    assert start.tzinfo is UTC and end - start == timedelta(hours=24)
    assert paris().day_bounds(date(2026, 1, 16))[0] == end  # consecutive days meet, never overlap


@pytest.mark.parametrize(
    ("day", "hours", "start_utc"),
    [
        (date(2026, 3, 29), 23, datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # clocks go forward at 02:00
        (date(2026, 10, 25), 25, datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),  # clocks go back at 03:00
    ],
)
def test_day_bounds_on_a_clock_change_day_last_23_or_25_hours(day, hours, start_utc):
    """The spring-forward day lasts 23 h and the fall-back day 25 h; both start at local midnight."""
    city = paris()
    start, end = city.day_bounds(day)
    assert start == start_utc
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(city.zone).replace(tzinfo=None) == datetime.combine(day, datetime.min.time())
    assert end.astimezone(city.zone).replace(tzinfo=None) == datetime.combine(day + timedelta(days=1),
                                                                              datetime.min.time())
    assert city.local_today(start) == day
    assert city.local_today(end - timedelta(microseconds=1)) == day
    assert city.local_today(end) == day + timedelta(days=1)


def test_day_bounds_start_after_a_gap_at_midnight():
    """Where the clocks jump at midnight (Santiago, 2026-09-06) the day starts at the first instant, 01:00."""
    city = City(timezone="America/Santiago")
    start, end = city.day_bounds(date(2026, 9, 6))
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert start.astimezone(city.zone).hour == 1
    assert end - start == timedelta(hours=23)
    assert city.day_bounds(date(2026, 9, 5))[1] == start
