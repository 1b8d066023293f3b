"""ATMO 2021 and EAQI 2024: boundary vectors of every class, index rules, daily statistics."""

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citypocket.air import indices
from citypocket.air.indices import ATMO, EAQI

CSV_POLLUTANT = {"NO2": "no2", "O3": "o3", "PM10": "pm10", "PM2.5": "pm25", "SO2": "so2"}
CSV_SCALE = {"ATMO": ATMO, "EAQI": EAQI}
TABLE = Path(indices.__file__).parent / "data" / "thresholds.csv"


def boundary_vectors():
    """(scale, pollutant, concentration, expected class) for each upper bound and the 0.1 above it."""
    with TABLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            scale, pollutant, level = CSV_SCALE[row["index"]], CSV_POLLUTANT[row["pollutant"]], int(row["class"])
            if row["upper_inclusive_ugm3"]:
                upper = float(row["upper_inclusive_ugm3"])
                yield scale, pollutant, upper, level
                yield scale, pollutant, round(upper + 0.1, 1), level + 1
            if level == 1:
                yield scale, pollutant, 0.0, 1


VECTORS = list(boundary_vectors())


def test_the_vectors_cover_both_scales_every_pollutant_and_class():
    """The generated vectors include every class of every pollutant of both scales."""
    seen = {(scale, pollutant, level) for scale, pollutant, _value, level in VECTORS}
    assert len(seen) == 2 * 5 * 6
    assert len(VECTORS) == 2 * 5 * (5 * 2 + 1)


@pytest.mark.parametrize(("scale", "pollutant", "value", "expected"), VECTORS)
def test_boundary_vector_gives_the_official_class(scale, pollutant, value, expected):
    """A value equal to an upper bound stays in its class; 0.1 µg/m³ more goes up one class."""
    assert indices.sub_index(scale, pollutant, value) == expected


@pytest.mark.parametrize(
    ("scale", "pollutant", "value", "expected"),
    [
        # Hand-written from the arrêté du 10 juillet 2020, annexe I.
        (ATMO, "no2", 40, 1),
        (ATMO, "no2", 40.1, 2),
        (ATMO, "no2", 120, 3),
        (ATMO, "no2", 230.1, 5),
        (ATMO, "no2", 341, 6),
        (ATMO, "o3", 50, 1),
        (ATMO, "o3", 100.1, 3),
        (ATMO, "pm10", 50, 3),
        (ATMO, "pm10", 50.1, 4),
        (ATMO, "pm25", 10, 1),
        (ATMO, "pm25", 25.1, 4),
        (ATMO, "pm25", 75.1, 6),
        (ATMO, "so2", 350, 3),
        (ATMO, "so2", 750.1, 6),
        # Hand-written from the EEA 2024 bands.
        (EAQI, "pm25", 5, 1),
        (EAQI, "pm25", 5.1, 2),
        (EAQI, "pm25", 140.1, 6),
        (EAQI, "pm10", 45.1, 3),
        (EAQI, "no2", 10.1, 2),
        (EAQI, "no2", 100, 4),
        (EAQI, "o3", 180, 5),
        (EAQI, "o3", 180.1, 6),
        (EAQI, "so2", 125.1, 4),
    ],
)
def test_hand_written_classes(scale, pollutant, value, expected):
    """Classes read directly from the official texts match the table-driven computation."""
    assert indices.sub_index(scale, pollutant, value) == expected


def test_labels_and_colours_are_the_official_ones():
    """Levels carry the official French and English labels and colours; 0 is 'Indisponible'."""
    assert indices.label(ATMO, 1, "fr") == "Bon"
    assert indices.label(ATMO, 4, "fr") == "Mauvais"
    assert indices.label(ATMO, 6, "fr") == "Extrêmement mauvais"
    assert indices.label(EAQI, 4, "en") == "Poor"
    assert indices.label(EAQI, 6, "en-GB") == "Extremely poor"
    assert indices.colour(ATMO, 1) == "#50F0E6"
    assert indices.colour(ATMO, 4) == "#FF5050"
    assert indices.label(ATMO, 0, "fr") == "Indisponible"
    assert indices.colour(ATMO, 0) == "#DDDDDD"


def test_index_is_the_worst_sub_index_and_names_every_tied_pollutant():
    """The index is the worst sub-index; all pollutants at that level are dominant."""
    result = indices.compute_index(ATMO, {"no2": 100, "o3": 120, "pm10": 10, "pm25": None})
    assert result.level == 3
    assert result.sub_indices == {"no2": 3, "o3": 3, "pm10": 1}
    assert result.dominant == ["no2", "o3"]
    assert result.version.startswith("2021")
    assert result.label("en") == "Moderate"


def test_no_pollutant_raises_and_bad_values_are_refused():
    """Without any concentration there is no index; negative or NaN values are refused."""
    with pytest.raises(indices.NoPollutant):
        indices.compute_index(EAQI, {"no2": None})
    with pytest.raises(indices.InvalidConcentration):
        indices.compute_index(EAQI, {"no2": -1})
    with pytest.raises(indices.InvalidConcentration):
        indices.compute_index(EAQI, {"no2": math.nan})


def test_atmo_daily_uses_max_for_gases_and_mean_for_particles():
    """NO2/O3/SO2 use the day's hourly maximum, PM10/PM2.5 the daily mean."""
    no2 = [20.0] * 23 + [95.0]  # one peak hour: max 95 -> Dégradé (3)
    pm10 = [30.0] * 12 + [70.0] * 12  # mean 50 -> Dégradé (3); max 70 would be Mauvais (4)
    daily = indices.atmo_daily_concentrations({"no2": no2, "pm10": pm10})
    assert daily == {"no2": 95.0, "pm10": 50.0}
    result = indices.compute_atmo_daily({"no2": no2, "pm10": pm10})
    assert (result.level, result.dominant) == (3, ["no2", "pm10"])


def test_atmo_daily_with_too_few_hours_is_unavailable_never_good():
    """Fewer than 18 hourly values in a complete day: the index is unavailable, not 'Bon'."""
    result = indices.compute_atmo_daily({"no2": [5.0] * 17, "pm10": [3.0] * 10})
    assert result.level == indices.UNAVAILABLE
    assert result.sub_indices == {}
    assert indices.label(ATMO, result.level, "fr") == "Indisponible"


def test_atmo_daily_ignores_only_the_pollutants_without_enough_hours():
    """A pollutant with too few values is left out; the others still make the index."""
    result = indices.compute_atmo_daily({"no2": [50.0] * 18, "pm10": [90.0] * 17})
    assert result.sub_indices == {"no2": 2}
    assert result.level == 2


def test_day_in_progress_needs_three_quarters_of_the_elapsed_hours():
    """For today, 75 % of the hours elapsed so far are enough (at least one)."""
    assert indices.min_hours(hours_elapsed=1) == 1
    assert indices.min_hours(hours_elapsed=8) == 6
    assert indices.min_hours(hours_elapsed=24) == 18
    assert indices.compute_atmo_daily({"pm25": [30.0] * 6}, hours_elapsed=8).level == 4
    assert indices.compute_atmo_daily({"pm25": [30.0] * 5}, hours_elapsed=8).level == 0


def test_worst_of_stations_keeps_the_worst_level_and_ignores_unavailable():
    """A city's value from its stations: the worst level, unavailable stations ignored."""
    a = indices.compute_index(ATMO, {"no2": 100, "pm10": 10})
    b = indices.compute_index(ATMO, {"pm10": 60, "no2": 10})
    result = indices.worst([a, b, indices.unavailable(ATMO)], ATMO)
    assert result.level == 4
    assert result.sub_indices == {"no2": 3, "pm10": 4}
    assert result.dominant == ["pm10"]
    assert indices.worst([indices.unavailable(ATMO)], ATMO).level == 0


def test_every_level_has_health_advice():
    """Each level 0..6 has a health meaning and an action."""
    for level in range(7):
        meaning, action = indices.health_advice(level)
        assert meaning and action


@given(
    scale=st.sampled_from(indices.SCALES),
    pollutant=st.sampled_from(indices.POLLUTANTS),
    low=st.floats(min_value=0, max_value=2000, allow_nan=False),
    extra=st.floats(min_value=0, max_value=2000, allow_nan=False),
)
def test_a_higher_concentration_never_gives_a_better_class(scale, pollutant, low, extra):
    """Property: the sub-index is monotonic in the concentration and always between 1 and 6."""
    first = indices.sub_index(scale, pollutant, low)
    second = indices.sub_index(scale, pollutant, low + extra)
    assert 1 <= first <= second <= 6


@given(values=st.dictionaries(st.sampled_from(indices.POLLUTANTS),
                              st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=1))
def test_the_index_is_the_maximum_sub_index_and_dominants_reach_it(values):
    """Property: level = max(sub-indices); dominant = exactly the pollutants at that level."""
    for scale in indices.SCALES:
        result = indices.compute_index(scale, values)
        assert result.level == max(result.sub_indices.values())
        assert set(result.dominant) == {p for p, level in result.sub_indices.items() if level == result.level}
