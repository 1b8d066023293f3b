"""The VigiEau and Météo-France vigilance readers on real-shaped fixtures, and the watering decision."""

from datetime import UTC, date, datetime, time

import pytest

from citypocket.officialfeeds import vigieau, vigilance
from citypocket.officialfeeds.demo import read_fixture


def test_vigieau_404_without_zone_reads_as_no_restriction():
    """The 404 'Aucune zone d\u2019alerte' answer is level `none`, no rule; watering is allowed."""
    state = vigieau.parse_zones(read_fixture("vigieau_none_76540.json"), status=404)
    assert state == vigieau.WaterState(level="none")
    assert vigieau.decide_watering(state.rules).answer == "yes"


def test_vigieau_empty_list_reads_as_no_restriction():
    """An empty list of zones means no zone in force either."""
    assert vigieau.parse_zones([], status=200).level == "none"


def test_vigieau_alerte_reads_the_order_and_the_rules_for_private_people():
    """Level, zone, order dates and PDF, and every usage with its theme and words."""
    state = vigieau.parse_zones(read_fixture("vigieau_alerte_13001.json"))
    assert state.level == "alerte"
    assert state.zone_type == "AEP" and state.zone_name == "Pays d'Aix - eau potable"
    assert state.order_start == date(2026, 7, 15) and state.order_end == date(2026, 9, 30)
    assert state.order_url.endswith("2026_arrete_restriction_13.pdf")
    assert [rule.name for rule in state.rules if rule.is_garden_watering] == [
        "Arrosage des jardins potagers",
        "Arrosage des pelouses, massifs fleuris",
    ]
    assert len(state.rules) == 4


def test_vigieau_crise_takes_the_strictest_zone():
    """With a crise AEP zone and an alerte renforcée SUP zone, the crise zone and its rules govern."""
    state = vigieau.parse_zones(read_fixture("vigieau_crise_13001.json"))
    assert state.level == "crise" and state.zone_type == "AEP"
    assert all(rule.description == "Interdiction." for rule in state.rules)


@pytest.mark.parametrize(
    "payload, status", [({"message": "oops"}, 404), ("text", 200), ([{"niveauGravite": "rouge"}], 200)]
)
def test_vigieau_unreadable_answers_raise_feed_error(payload, status):
    """A 404 without the 'no zone' message, a non-list, an unknown level: FeedError, never a guess."""
    with pytest.raises(vigieau.FeedError):
        vigieau.parse_zones(payload, status=status)


@pytest.mark.parametrize(
    "fixture, status, at_ten, at_eight_pm, answer",
    [
        ("vigieau_none_76540.json", 404, True, True, "yes"),
        ("vigieau_alerte_13001.json", 200, False, True, "outside_hours"),
        ("vigieau_crise_13001.json", 200, False, False, "no"),
    ],
)
def test_can_i_water_at_ten_and_at_eight_pm(fixture, status, at_ten, at_eight_pm, answer):
    """No restriction: yes; alerte 9 h\u201319 h: not at 10:00, yes at 20:00; crise: never."""
    state = vigieau.parse_zones(read_fixture(fixture), status=status)
    decision = vigieau.decide_watering(state.rules)
    assert decision.answer == answer
    assert decision.allows(time(10, 0)) is at_ten
    assert decision.allows(time(20, 0)) is at_eight_pm


def test_alerte_windows_are_read_from_the_words_of_the_order():
    """'Interdiction de 9 h à 19 h.' forbids 09:00 to 19:00, end excluded."""
    state = vigieau.parse_zones(read_fixture("vigieau_alerte_13001.json"))
    decision = vigieau.decide_watering(state.rules)
    assert decision.windows == ((time(9), time(19)),)
    assert decision.allows(time(8, 59)) and not decision.allows(time(9)) and decision.allows(time(19))


@pytest.mark.parametrize(
    "text, windows",
    [
        ("Interdiction de 8 h à 20 h", ((time(8), time(20)),)),
        ("Interdit entre 11h et 18h.", ((time(11), time(18)),)),
        ("Interdit sauf potagers, uniquement de 20 h à 8 h", ((time(8), time(20)),)),
        ("Interdiction de 10h30 à 18h", ((time(10, 30), time(18)),)),
        ("Interdiction.", None),
        ("Sensibilisation du public aux économies d'eau.", ()),
    ],
)
def test_forbidden_windows_from_descriptions(text, windows):
    """Ranges, 'entre … et …', allowed-only ranges turned into their complement, total bans, advice."""
    assert vigieau.forbidden_windows(text) == windows


def test_a_window_over_midnight_is_forbidden_on_both_sides():
    """A ban from 20 h to 8 h forbids 22:00 and 07:00, allows noon."""
    decision = vigieau.WateringAnswer(answer="outside_hours", windows=((time(20), time(8)),))
    assert not decision.allows(time(22)) and not decision.allows(time(7)) and decision.allows(time(12))


def test_vigilance_reads_todays_colour_and_phenomena_of_a_department():
    """Seine-Maritime: yellow (wind); Bouches-du-Rhône: orange (rain-flood), today's period only."""
    payload = read_fixture("vigilance_encours.json")
    rouen = vigilance.parse_vigilance(payload, department="76")
    assert rouen.level == "yellow"
    assert rouen.phenomena == {
        "wind": "yellow",
        "rain_flood": "green",
        "thunderstorms": "green",
        "waves_submersion": "green",
    }
    assert rouen.updated_at == datetime(2026, 11, 30, 6, tzinfo=UTC)
    aix = vigilance.parse_vigilance(payload, department="13")
    assert aix.level == "orange" and aix.phenomena["rain_flood"] == "orange"


def test_vigilance_without_the_department_or_today_raises():
    """A département absent from the map, or a map without period J, is a FeedError."""
    payload = read_fixture("vigilance_encours.json")
    with pytest.raises(vigilance.FeedError):
        vigilance.parse_vigilance(payload, department="2A")
    payload["product"]["periods"] = payload["product"]["periods"][1:]
    with pytest.raises(vigilance.FeedError):
        vigilance.parse_vigilance(payload, department="76")


@pytest.mark.parametrize("code, department", [("76540", "76"), ("13001", "13"), ("2A004", "2A"), ("97411", "974")])
def test_department_of_a_commune_code(code, department):
    assert vigilance.department_of(code) == department
