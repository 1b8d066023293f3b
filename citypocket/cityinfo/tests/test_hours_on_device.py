"""The open intervals a place's page carries, from which the device recomputes "open now" offline."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from citypocket.cityinfo.hours import DEVICE_WINDOW, Closure, hours_at

PARIS = ZoneInfo("Europe/Paris")
# A town hall's hours as OpenStreetMap writes them: a lunch break, late Thursdays, public holidays off.
TOWN_HALL = "Mo-We,Fr 08:30-12:00,13:30-17:00; Th 08:30-19:00; Sa 09:00-12:00; PH off"
# Christmas week 2026: 25 December is a public holiday, 24 December an exceptional closure.
START = datetime(2026, 12, 21, 7, 45, tzinfo=PARIS)
CLOSURES = (Closure(date(2026, 12, 24), date(2026, 12, 24), "inventaire"),)


def test_a_page_carries_the_week_s_open_intervals_in_utc():
    """Intervals in UTC ISO 8601, the exceptional closure and the public holiday left out."""
    hours = hours_at(TOWN_HALL, zone=PARIS, moment=START, closures=CLOSURES)
    intervals = json.loads(hours.intervals_json)
    assert intervals[0] == ["2026-12-21T07:30:00Z", "2026-12-21T11:00:00Z"]
    days = {start[:10] for start, _end in intervals}
    assert "2026-12-24" not in days and "2026-12-25" not in days and "2026-12-26" in days
    assert hours.intervals_until == "2026-12-28T06:45:00Z"


@settings(max_examples=300, deadline=None)
@given(minutes=st.integers(min_value=0, max_value=int(DEVICE_WINDOW.total_seconds() // 60) - 1))
def test_inside_an_interval_exactly_when_the_server_says_open(minutes):
    """At any minute of the week ahead, the device's answer equals the server's own reading."""
    hours = hours_at(TOWN_HALL, zone=PARIS, moment=START, closures=CLOSURES)
    when = START.astimezone(UTC) + timedelta(minutes=minutes)
    inside = any(start <= when < end for start, end in hours.intervals)
    assert inside == hours_at(TOWN_HALL, zone=PARIS, moment=when, closures=CLOSURES).is_open
