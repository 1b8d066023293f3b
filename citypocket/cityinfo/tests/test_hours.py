"""Opening hours read in the city's time zone, with French public holidays and exceptional closures."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from citypocket.cityinfo.hours import Closure, hours_at, is_valid_expression, week_of

PARIS = ZoneInfo("Europe/Paris")
OFFICE = "Mo-Fr 09:00-18:00; PH off"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_office_hours_are_closed_on_a_french_public_holiday_and_open_the_next_working_day():
    """The bar of the issue: closed at 10:00 on 14 July 2026 (a Tuesday), open at 10:00 the next day."""
    holiday = hours_at(OFFICE, zone=PARIS, moment=local(2026, 7, 14, 10, 0))
    next_day = hours_at(OFFICE, zone=PARIS, moment=local(2026, 7, 15, 10, 0))
    assert holiday.state == "closed" and holiday.change == local(2026, 7, 15, 9, 0)
    assert next_day.state == "open" and next_day.change == local(2026, 7, 15, 18, 0)


@pytest.mark.parametrize("holiday, next_working", [
    (date(2026, 12, 25), date(2026, 12, 28)),  # Christmas, a Friday: opens Monday
    (date(2026, 5, 25), date(2026, 5, 26)),  # Whit Monday (moves with Easter)
    (date(2026, 11, 11), date(2026, 11, 12)),  # Armistice
    (date(2027, 5, 6), date(2027, 5, 7)),  # Ascension 2027
])
def test_office_hours_follow_every_kind_of_french_holiday(holiday, next_working):
    """Fixed and moving holidays alike: closed that day at 10:00, opening at 9:00 on the next working day."""
    state = hours_at(OFFICE, zone=PARIS, moment=local(holiday.year, holiday.month, holiday.day, 10))
    assert state.state == "closed"
    assert state.change == local(next_working.year, next_working.month, next_working.day, 9)


def test_hours_are_read_in_the_city_time_not_the_servers():
    """08:30 UTC in July is 10:30 in Paris: open; the answer comes back in the city's zone."""
    state = hours_at(OFFICE, zone=PARIS, moment=datetime(2026, 7, 15, 8, 30, tzinfo=UTC))
    assert state.state == "open"
    assert state.at.utcoffset().total_seconds() == 7200


def test_an_exceptional_closure_closes_a_usual_working_day_and_gives_its_reason():
    """A closure on Thursday 24 December: closed with its reason, opens on Monday 28 (25 is Christmas)."""
    closure = Closure(date(2026, 12, 24), date(2026, 12, 24), "Inventaire")
    state = hours_at(OFFICE, zone=PARIS, moment=local(2026, 12, 24, 10), closures=[closure])
    assert (state.state, state.comment, state.change) == ("closed", "Inventaire", local(2026, 12, 28, 9))


def test_an_open_place_closes_early_when_a_closure_starts_the_next_day():
    """A place open past midnight closes at midnight when the next day is an exceptional closure."""
    closure = Closure(date(2026, 7, 16), date(2026, 7, 16))
    state = hours_at("Mo-Su 20:00-02:00", zone=PARIS, moment=local(2026, 7, 15, 23), closures=[closure])
    assert state.state == "open" and state.change == local(2026, 7, 16, 0, 0)


def test_always_open_and_unknown_hours():
    """24/7 is open with no closing time; empty or unreadable text is unknown, never open on a guess."""
    assert hours_at("24/7", zone=PARIS, moment=local(2026, 7, 14, 3)).change is None
    assert hours_at("", zone=PARIS, moment=local(2026, 7, 14, 10)).state == "unknown"
    assert hours_at("lundi matin", zone=PARIS, moment=local(2026, 7, 14, 10)).state == "unknown"
    assert not is_valid_expression("lundi matin") and is_valid_expression(OFFICE)


@pytest.mark.parametrize("language, moment, expected", [
    ("en", local(2026, 7, 15, 10), "Open now — closes at 18:00"),
    ("fr", local(2026, 7, 15, 10), "Ouvert — ferme à 18:00"),
    ("en", local(2026, 7, 17, 19), "Closed — opens Monday at 9:00"),
    ("fr", local(2026, 7, 17, 19), "Fermé — ouvre lundi à 9:00"),
    ("en", local(2026, 7, 15, 7), "Closed — opens at 9:00"),
    ("fr", local(2026, 7, 14, 10), "Fermé — ouvre demain à 9:00"),
])
def test_the_label_says_open_or_closed_and_the_next_change_in_the_language(language, moment, expected):
    """"Open now — closes at 18:00" / "Closed — opens Monday at 9:00", in French and English."""
    with translation.override(language):
        assert hours_at(OFFICE, zone=PARIS, moment=moment).label == expected


def test_the_label_gives_the_date_when_the_opening_is_more_than_a_week_away():
    """A summer closure of three weeks: the label names the date."""
    closure = Closure(date(2026, 8, 1), date(2026, 8, 23))
    with translation.override("en"):
        label = hours_at(OFFICE, zone=PARIS, moment=local(2026, 8, 3, 10), closures=[closure]).label
    assert label == "Closed — opens on 24 August at 9:00"


def test_the_week_lists_each_days_hours_with_holidays_and_closures():
    """Monday 21 December 2026: Christmas (Friday) is a public holiday, the 24th an exceptional closure."""
    rule = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-13:00; PH off"
    with translation.override("en"):
        week = week_of(rule, zone=PARIS, moment=local(2026, 12, 21, 19, 30),
                       closures=[Closure(date(2026, 12, 24), date(2026, 12, 24), "Stocktaking")])
        labels = {day.day: day.label for day in week}
    assert list(labels) == [date(2026, 12, day) for day in range(21, 28)]
    assert labels[date(2026, 12, 21)] == "9:00\u201312:00, 14:00\u201318:00"  # the whole of today, even after closing
    assert labels[date(2026, 12, 24)] == "Closed — Stocktaking"
    assert labels[date(2026, 12, 25)] == "Closed"
    assert labels[date(2026, 12, 26)] == "10:00\u201313:00"
    assert labels[date(2026, 12, 27)] == "Closed"


def test_the_week_shows_a_night_span_on_the_evening_it_starts_and_always_open_days():
    with translation.override("fr"):
        night = {day.day: day.label for day in week_of("Fr-Sa 20:00-02:00", zone=PARIS, moment=local(2026, 12, 21, 12))}
        always = {day.label for day in week_of("24/7", zone=PARIS, moment=local(2026, 12, 21, 12))}
    assert night[date(2026, 12, 25)] == "20:00\u20132:00"
    assert night[date(2026, 12, 26)] == "20:00\u20132:00"
    assert night[date(2026, 12, 27)] == "Fermé"  # Sunday's 0:00-2:00 belongs to Saturday night
    assert always == {"Ouvert 24\u00a0h/24"}
    assert week_of("", zone=PARIS, moment=local(2026, 12, 21, 12)) == ()
    assert week_of("not hours", zone=PARIS, moment=local(2026, 12, 21, 12)) == ()
