"""The open intervals a page carries, from which the device recomputes "open now" (offline copies)."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from citypocket.safety.selectors import compute_open_intervals, is_open_at

PARIS = ZoneInfo("Europe/Paris")
HOURS = {"mon": [["09:00", "12:00"], ["14:00", "19:00"]], "fri": [["22:00", "03:00"]],
         "sat": [["10:00", "24:00"]], "sun": [["00:00", "01:00"]]}


def test_intervals_unroll_the_week_and_merge_what_touches():
    """Ranges become dated intervals over the week ahead; an opening until 24:00 and the next day's from 00:00 merge."""
    start = dt.datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)  # a Monday
    spans = compute_open_intervals(HOURS, start=start, zone=PARIS)
    as_text = [(s.strftime("%a %H:%M"), e.strftime("%a %H:%M")) for s, e in spans]
    assert as_text == [("Mon 09:00", "Mon 12:00"), ("Mon 14:00", "Mon 19:00"), ("Fri 22:00", "Sat 03:00"),
                       ("Sat 10:00", "Sun 01:00")]


def test_intervals_keep_the_wall_clock_across_the_change_to_summer_time():
    """On the Sunday clocks go forward (29 March 2026), 09:00 is still 09:00 local, i.e. 07:00 UTC."""
    spans = compute_open_intervals({"sun": [["09:00", "10:00"]]}, start=dt.datetime(2026, 3, 28, tzinfo=PARIS),
                                   zone=PARIS, days=2)
    assert [s.astimezone(dt.UTC).hour for s, _e in spans] == [7]


@settings(max_examples=300, deadline=None)
@given(minutes=st.integers(min_value=0, max_value=7 * 24 * 60 - 1))
def test_intervals_say_open_exactly_when_the_server_would(minutes):
    """At any minute of the coming week, "inside an interval" equals the server's own `is_open_at`."""
    start = dt.datetime(2026, 11, 30, 8, 7, tzinfo=PARIS)
    spans = compute_open_intervals(HOURS, start=start, zone=PARIS)
    when = (start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(PARIS)
    assert any(s <= when < e for s, e in spans) == is_open_at(HOURS, when)
