"""Reads of the official feeds' stored states, for the water page and the API."""

from dataclasses import dataclass

from citypocket.cities.models import City
from citypocket.core.problems import NotFound
from citypocket.officialfeeds import vigieau
from citypocket.officialfeeds.models import Kind, LevelChange, WaterRestriction, WeatherWarning
from citypocket.officialfeeds.vigilance import department_of


@dataclass(frozen=True)
class Commune:
    code: str
    name: str


def list_communes(*, city: City) -> list[Commune]:
    """The city's communes (its INSEE codes), named from their stored state when there is one."""
    names = dict(WaterRestriction.objects.filter(city=city).values_list("commune_code", "commune_name"))
    codes = list(city.insee_codes or [])
    single = len(codes) == 1
    return [Commune(code=code, name=names.get(code) or (city.name if single else code)) for code in codes]


def get_water_restriction(*, city: City, commune_code: str) -> WaterRestriction:
    """The last known state of one of the city's communes, or NotFound (another city's commune too)."""
    if commune_code not in (city.insee_codes or []):
        raise NotFound("This commune is not part of this city.")
    row = WaterRestriction.objects.select_related("city").filter(city=city, commune_code=commune_code).first()
    if row is None:
        raise NotFound("No water-use restriction has been read for this commune yet.")
    return row


def compute_watering(row: WaterRestriction) -> vigieau.WateringAnswer:
    """The "can I water my garden today?" answer from the stored rules."""
    rules = [
        vigieau.Rule(theme=r.get("theme", ""), name=r.get("name", ""), description=r.get("description", ""))
        for r in row.rules
    ]
    return vigieau.decide_watering(rules)


def list_city_departments(*, city: City) -> list[str]:
    return sorted({department_of(code) for code in city.insee_codes or [] if len(code) == 5})


def get_weather_warning(*, city: City) -> WeatherWarning:
    """The last known warning of the city's (first) département, or NotFound."""
    departments = list_city_departments(city=city)
    row = (
        WeatherWarning.objects.select_related("city")
        .filter(city=city, department__in=departments)
        .order_by("department")
        .first()
    )
    if row is None:
        raise NotFound("No weather warning has been read for this city yet.")
    return row


def list_level_changes(*, city: City, kind: str = "", area: str = "", limit: int = 10) -> list[LevelChange]:
    changes = LevelChange.objects.filter(city=city)
    if kind in Kind.values:
        changes = changes.filter(kind=kind)
    if area:
        changes = changes.filter(area=area)
    return list(changes[:limit])
