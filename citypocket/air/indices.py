"""Air-quality indices, exactly as the official texts: French ATMO 2021 and European EAQI 2024.

Pure functions, no database. The classes are read from `air/data/thresholds.csv`, a copy of the
project's compiled table (see `air/data/SOURCES.md`):

- ATMO 2021 (arrêté du 10 juillet 2020, annexe I): a *daily* index. Sub-index per pollutant from
  the day's maximum hourly value for NO2, O3 and SO2 and from the daily mean for PM10 and PM2.5.
- EAQI 2024 revision (EEA): an *hourly* index, every pollutant from its hourly value.

For every pollutant, class k covers `lower < c <= upper`; class 1 covers `c <= upper` (zero
included); the last class has no upper bound. The index is the worst sub-index; the dominant
pollutants are all those at that worst level. Level 0 means "unavailable" (too little data): an
index is never "good" by default.
"""

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import pairwise
from pathlib import Path

from django.utils.translation import gettext_lazy as _

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.csv"

ATMO = "atmo-2021"
EAQI = "eaqi-2024"
SCALES = (ATMO, EAQI)

POLLUTANTS = ("no2", "o3", "pm10", "pm25", "so2")
# The CSV spells pollutants as chemists do; the API and the sensors use these codes.
_CSV_POLLUTANT = {"NO2": "no2", "O3": "o3", "PM10": "pm10", "PM2.5": "pm25", "SO2": "so2"}
_CSV_SCALE = {"ATMO": ATMO, "EAQI": EAQI}
POLLUTANT_NAMES = {"no2": "NO₂", "o3": "O₃", "pm10": "PM10", "pm25": "PM2.5", "so2": "SO₂"}

UNAVAILABLE = 0
# Colour and labels of "Indisponible" in the Atmo France notice (the grey of the official feeds).
UNAVAILABLE_COLOUR = "#DDDDDD"
UNAVAILABLE_LABELS = {"fr": "Indisponible", "en": "Unavailable"}
# Official feeds also use code 7, "Événement": an incident (fire, industrial accident) that the
# index cannot describe. Computed indices never produce it.
EVENT = 7
EVENT_COLOUR = "#888888"
EVENT_LABELS = {"fr": "Événement", "en": "Event"}

# ATMO: pollutants whose daily sub-index uses the maximum hourly value; the others (PM10, PM2.5)
# use the daily mean.
ATMO_DAILY_MAX = frozenset({"no2", "o3", "so2"})
# Data-capture rule (ours; the arrêté leaves it to the AASQA): a complete day needs at least 18
# hourly values (75 %, the usual EU data-capture criterion) for a pollutant to count. For the day
# in progress, 75 % of the hours elapsed so far (at least one), and the result is provisional.
MIN_HOURS_PER_DAY = 18
MIN_SHARE_OF_HOURS = 0.75


class NoPollutant(ValueError):
    """No usable concentration was given."""


class InvalidConcentration(ValueError):
    """A concentration is negative, infinite or not a number."""

    def __init__(self, pollutant: str, message: str):
        super().__init__(f"{pollutant}: {message}")
        self.pollutant = pollutant
        self.message = message


@dataclass(frozen=True)
class Band:
    """One class of one pollutant: `lower < c <= upper` (class 1 from zero; upper None = unbounded)."""

    level: int
    lower: float
    upper: float | None
    label_fr: str
    label_en: str
    colour: str


@dataclass(frozen=True)
class Scale:
    """One index scale with its version and, per pollutant, its bands in ascending order."""

    slug: str
    name: str
    version: str
    averaging: str
    bands: Mapping[str, tuple[Band, ...]] = field(default_factory=dict)

    @property
    def levels(self) -> tuple[Band, ...]:
        """One band per level (labels and colours are the same for every pollutant)."""
        return next(iter(self.bands.values()))


@dataclass(frozen=True)
class IndexResult:
    """A computed index: level 1..6 (0 = unavailable), its sub-indices and dominant pollutants."""

    scale: str
    version: str
    level: int
    sub_indices: dict[str, int]
    dominant: list[str]

    def label(self, language: str = "fr") -> str:
        return label(self.scale, self.level, language)

    @property
    def colour(self) -> str:
        return colour(self.scale, self.level)


@cache
def load_scales(path: Path = THRESHOLDS_FILE) -> dict[str, Scale]:
    """Reads the threshold table once; checks that each pollutant's classes are contiguous."""
    rows: dict[str, dict] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            slug = _CSV_SCALE[row["index"]]
            entry = rows.setdefault(
                slug, {"version": row["version"], "averaging": row["averaging"], "bands": {}}
            )
            pollutant = _CSV_POLLUTANT[row["pollutant"]]
            upper = row["upper_inclusive_ugm3"].strip()
            entry["bands"].setdefault(pollutant, []).append(
                Band(
                    level=int(row["class"]),
                    lower=float(row["lower_exclusive_ugm3"]),
                    upper=float(upper) if upper else None,
                    label_fr=row["label_fr"],
                    label_en=row["label_en"],
                    colour=row["color_hex"].upper(),
                )
            )
    scales = {}
    for slug, entry in rows.items():
        bands = {}
        for pollutant, items in entry["bands"].items():
            items.sort(key=lambda band: band.level)
            for previous, following in pairwise(items):
                if previous.upper != following.lower or following.level != previous.level + 1:
                    raise ValueError(f"{slug} {pollutant}: classes are not contiguous")
            if items[-1].upper is not None or items[0].lower != 0:
                raise ValueError(f"{slug} {pollutant}: the first class must start at 0 and the last be unbounded")
            bands[pollutant] = tuple(items)
        name = "Indice ATMO" if slug == ATMO else "European Air Quality Index"
        scales[slug] = Scale(slug=slug, name=name, version=entry["version"], averaging=entry["averaging"],
                             bands=bands)
    return scales


def get_scale(slug: str) -> Scale:
    try:
        return load_scales()[slug]
    except KeyError:
        raise ValueError(f"unknown scale {slug!r}") from None


def check_concentration(pollutant: str, value: float) -> float:
    """The value as a float, or InvalidConcentration (negative, NaN, infinite, unknown pollutant)."""
    if pollutant not in POLLUTANTS:
        raise InvalidConcentration(pollutant, "unknown pollutant")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidConcentration(pollutant, "not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidConcentration(pollutant, "not a finite number")
    if number < 0:
        raise InvalidConcentration(pollutant, "a concentration cannot be negative")
    return number


def sub_index(scale: str, pollutant: str, concentration: float) -> int:
    """The class (1..6) of one concentration in µg/m³ on `scale`."""
    value = check_concentration(pollutant, concentration)
    for band in get_scale(scale).bands[pollutant]:
        if band.upper is None or value <= band.upper:
            return band.level
    raise AssertionError("the last band is unbounded")  # pragma: no cover


def compute_index(scale: str, concentrations: Mapping[str, float | None]) -> IndexResult:
    """The index of a set of concentrations (missing or None pollutants are ignored).

    Raises NoPollutant when nothing is left, InvalidConcentration for a bad value.
    """
    definition = get_scale(scale)
    subs = {
        pollutant: sub_index(scale, pollutant, value)
        for pollutant, value in concentrations.items()
        if value is not None
    }
    if not subs:
        raise NoPollutant("at least one pollutant concentration is needed")
    level = max(subs.values())
    dominant = [pollutant for pollutant in POLLUTANTS if subs.get(pollutant) == level]
    ordered = {pollutant: subs[pollutant] for pollutant in POLLUTANTS if pollutant in subs}
    return IndexResult(scale=scale, version=definition.version, level=level, sub_indices=ordered, dominant=dominant)


def unavailable(scale: str) -> IndexResult:
    """The explicit "no index" result: level 0, no sub-index, nobody dominant."""
    return IndexResult(scale=scale, version=get_scale(scale).version, level=UNAVAILABLE, sub_indices={}, dominant=[])


def _language(language: str | None) -> str:
    return "en" if (language or "fr").lower().startswith("en") else "fr"


def label(scale: str, level: int, language: str | None = "fr") -> str:
    """The official label of a level in French or English ("Mauvais" / "Poor"); 0 is "Indisponible", 7 "Événement"."""
    lang = _language(language)
    if level == UNAVAILABLE:
        return UNAVAILABLE_LABELS[lang]
    if level == EVENT:
        return EVENT_LABELS[lang]
    band = get_scale(scale).levels[level - 1]
    return band.label_fr if lang == "fr" else band.label_en


def colour(scale: str, level: int) -> str:
    """The official colour of a level (hex); grey for "unavailable"."""
    if level == UNAVAILABLE:
        return UNAVAILABLE_COLOUR
    if level == EVENT:
        return EVENT_COLOUR
    return get_scale(scale).levels[level - 1].colour


def min_hours(*, hours_in_day: int = 24, hours_elapsed: int | None = None) -> int:
    """How many hourly values a pollutant needs for the day (or the part of it elapsed so far)."""
    if hours_elapsed is None or hours_elapsed >= hours_in_day:
        return MIN_HOURS_PER_DAY
    return max(1, math.ceil(MIN_SHARE_OF_HOURS * hours_elapsed))


def atmo_daily_concentrations(
    hourly: Mapping[str, Iterable[tuple[datetime, float]] | Iterable[float]],
    *,
    hours_elapsed: int | None = None,
) -> dict[str, float]:
    """The ATMO daily statistic of each pollutant with enough hourly values.

    `hourly` maps pollutant -> the day's hourly values (or (time, value) pairs). NO2, O3 and SO2
    give their maximum, PM10 and PM2.5 their mean. A pollutant with fewer values than
    `min_hours(hours_elapsed=...)` is left out.
    """
    needed = min_hours(hours_elapsed=hours_elapsed)
    daily: dict[str, float] = {}
    for pollutant, series in hourly.items():
        if pollutant not in POLLUTANTS:
            continue
        values = [item[1] if isinstance(item, tuple) else item for item in series]
        values = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if len(values) < needed:
            continue
        daily[pollutant] = max(values) if pollutant in ATMO_DAILY_MAX else sum(values) / len(values)
    return daily


def compute_atmo_daily(
    hourly: Mapping[str, Iterable[tuple[datetime, float]] | Iterable[float]],
    *,
    hours_elapsed: int | None = None,
) -> IndexResult:
    """The ATMO index of one day from hourly values; unavailable (level 0) when data are insufficient."""
    daily = atmo_daily_concentrations(hourly, hours_elapsed=hours_elapsed)
    if not daily:
        return unavailable(ATMO)
    return compute_index(ATMO, daily)


def worst(results: Iterable[IndexResult], scale: str) -> IndexResult:
    """The worst of several results (e.g. the stations of a city): max level, per-pollutant max sub-index.

    Dominant pollutants are those at the worst level across all the results. Unavailable results
    are ignored; with none left, the result is unavailable.
    """
    usable = [result for result in results if result.level != UNAVAILABLE]
    if not usable:
        return unavailable(scale)
    subs: dict[str, int] = {}
    for result in usable:
        for pollutant, level in result.sub_indices.items():
            subs[pollutant] = max(subs.get(pollutant, 0), level)
    level = max(result.level for result in usable)
    ordered = {pollutant: subs[pollutant] for pollutant in POLLUTANTS if pollutant in subs}
    dominant = [pollutant for pollutant in POLLUTANTS if ordered.get(pollutant) == level]
    return IndexResult(scale=scale, version=get_scale(scale).version, level=level, sub_indices=ordered,
                       dominant=dominant)


# What each level means for health and what to do, after the Atmo France / Santé publique France
# recommendations that accompany the ATMO index (plain-language summary).
HEALTH_ADVICE = {
    UNAVAILABLE: (_("Not enough measurements to compute the index."), _("Check again later.")),
    1: (_("Air quality is good."), _("Enjoy your usual outdoor activities.")),
    2: (_("Air quality is fair."), _("Enjoy your usual outdoor activities.")),
    3: (
        _("Air quality is degraded. Sensitive people (children, older people, people with asthma or heart "
          "disease, pregnant women) may feel effects."),
        _("Sensitive people: reduce intense physical activity outdoors. Everyone: prefer walking, cycling or "
          "public transport."),
    ),
    4: (
        _("Air quality is poor. Sensitive people may have symptoms; others may feel irritation."),
        _("Sensitive people: avoid intense physical activity outdoors and follow your treatment. Everyone: "
          "reduce intense outdoor effort, avoid busy roads, leave the car at home."),
    ),
    5: (
        _("Air quality is very poor. Everyone may feel effects."),
        _("Everyone: avoid intense physical activity outdoors. Sensitive people: stay indoors as much as "
          "possible and seek advice from a doctor if you have symptoms."),
    ),
    6: (
        _("Air quality is extremely poor. Health effects for everyone."),
        _("Everyone: avoid physical activity outdoors. Sensitive people: stay indoors. Follow the instructions "
          "of the authorities."),
    ),
    EVENT: (
        _("An incident (fire, industrial accident…) affects the air; the usual index does not apply."),
        _("Follow the instructions of the authorities."),
    ),
}


def health_advice(level: int) -> tuple[str, str]:
    """(what it means for health, what to do) for a level, translated in the active language."""
    meaning, action = HEALTH_ADVICE.get(level, HEALTH_ADVICE[UNAVAILABLE])
    return str(meaning), str(action)
