"""Recurring events expanded in the city's time zone with python-dateutil."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from citypocket.cityinfo.recurrence import is_valid_rrule, occurrences, series_end

PARIS = ZoneInfo("Europe/Paris")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


FIRST, LAST = datetime(2026, 3, 21, 10, tzinfo=PARIS), datetime(2026, 3, 21, 12, tzinfo=PARIS)


def expand(rule, start, end, exdates=()):
    """Occurrences of a two-hour event first held on Saturday 21 March 2026 at 10:00 in Paris."""
    return list(occurrences(starts_at=FIRST, ends_at=LAST, rule=rule, exdates=list(exdates), zone=PARIS,
                            start=start, end=end))


def test_a_weekly_event_keeps_its_local_time_across_the_change_to_summer_time():
    """Saturday 10:00 before and after 29 March 2026: 09:00 UTC, then 08:00 UTC."""
    found = expand("FREQ=WEEKLY;COUNT=3", local(2026, 3, 1), local(2026, 5, 1))
    assert [begin for begin, _end in found] == [local(2026, 3, 21, 10), local(2026, 3, 28, 10), local(2026, 4, 4, 10)]
    assert [begin.astimezone(UTC).hour for begin, _end in found] == [9, 9, 8]
    assert all((end - begin).total_seconds() == 7200 for begin, end in found)


def test_only_the_occurrences_overlapping_the_window_come_out_and_exdates_are_left_out():
    found = expand("FREQ=WEEKLY", local(2026, 4, 1), local(2026, 4, 19), exdates=["2026-04-11T10:00"])
    assert [begin.date().isoformat() for begin, _end in found] == ["2026-04-04", "2026-04-18"]


def test_an_occurrence_going_on_at_the_start_of_the_window_is_included():
    found = expand("FREQ=DAILY", local(2026, 4, 2, 11), local(2026, 4, 2, 23))
    assert [begin for begin, _end in found] == [local(2026, 4, 2, 10)]


def test_a_floating_until_is_read_as_local_time():
    """UNTIL without Z (as people write it) is the city's time: the 4 April occurrence is the last."""
    found = expand("FREQ=WEEKLY;UNTIL=20260404T100000", local(2026, 3, 1), local(2026, 6, 1))
    assert len(found) == 3


def test_series_end_is_the_end_of_the_last_occurrence_or_none_when_endless():
    first, last = local(2026, 3, 21, 10), local(2026, 3, 21, 12)
    assert series_end(starts_at=first, ends_at=last, rule="FREQ=WEEKLY;COUNT=3", exdates=[], zone=PARIS) == \
        datetime(2026, 4, 4, 10, tzinfo=UTC)
    assert series_end(starts_at=first, ends_at=last, rule="FREQ=WEEKLY", exdates=[], zone=PARIS) is None
    assert series_end(starts_at=first, ends_at=last, rule="", exdates=[], zone=PARIS) == last


def test_rrule_validation():
    assert is_valid_rrule("FREQ=WEEKLY;BYDAY=SA;COUNT=8")
    for bad in ("", "RRULE:FREQ=WEEKLY", "FREQ=SOMETIMES", "BYDAY=XX", "FREQ=WEEKLY\nEXDATE:20260101"):
        assert not is_valid_rrule(bad), bad
