"""Official-feeds API: a commune's water-use restrictions ("can I water?") and the weather warning."""

from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Query, Router

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.params import CitySlug
from citypocket.core.problems import responses
from citypocket.officialfeeds import present, selectors
from citypocket.officialfeeds.schemas import WaterRestrictionOut, WeatherWarningOut

router = Router(tags=["official feeds"])

Language = Literal["fr", "en"]
CommuneCode = Annotated[
    str | None,
    Query(pattern=r"^(\d{5}|2[AB]\d{3})$", description="INSEE code of one of the city's communes; default: its first"),
]


@router.get(
    "/cities/{city}/water-restrictions",
    response=responses({200: WaterRestrictionOut}, 404, 422),
    operation_id="get_water_restrictions",
    summary="Water-use restrictions in force in a commune of the city, and whether a garden may be watered",
    description=(
        "From the national drought-restriction service (VigiEau), for private people: the level "
        "(`none`, `vigilance`, `alerte`, `alerte_renforcee`, `crise`), the watering rules and the other "
        "rules of the order, and `watering`: `yes`, `no`, or `outside_hours` with the forbidden hours. "
        "The last known state is kept when the service cannot be read (`fetched_at` says when). A commune "
        "outside the city, or never read, answers 404; a malformed code 422."
    ),
)
@cache_public(max_age=300)
def get_water_restrictions(
    request: HttpRequest, city: CitySlug, commune: CommuneCode = None, lang: Language | None = None
):
    place = get_city(slug=city)
    code = commune or (place.insee_codes or [""])[0]
    row = selectors.get_water_restriction(city=place, commune_code=code)
    with translation.override(lang or getattr(request, "LANGUAGE_CODE", "fr") or "fr"):
        return present.water_dict(row, selectors.compute_watering(row))


@router.get(
    "/cities/{city}/weather-warning",
    response=responses({200: WeatherWarningOut}, 404, 422),
    operation_id="get_weather_warning",
    summary="Today's Météo-France weather-warning level of the city's département, per phenomenon",
    description=(
        "`green`, `yellow`, `orange` or `red`, the worst of the phenomena listed with their own colour. "
        "The last known state is kept when the feed cannot be read; 404 before the first reading."
    ),
)
@cache_public(max_age=300)
def get_weather_warning(request: HttpRequest, city: CitySlug, lang: Language | None = None):
    place = get_city(slug=city)
    row = selectors.get_weather_warning(city=place)
    with translation.override(lang or getattr(request, "LANGUAGE_CODE", "fr") or "fr"):
        return present.warning_dict(row)
