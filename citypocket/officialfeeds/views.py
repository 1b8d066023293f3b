"""Page `/<city>/water/`: "Can I water my garden today?" for a commune, and the weather warning.

The commune is chosen by the person and remembered on the device only (localStorage, water.js):
the server sees it as a `?commune=` query, as any page view, and keeps nothing.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from citypocket.core.problems import NotFound
from citypocket.core.views import resolve_city
from citypocket.officialfeeds import present, selectors


def _water(city, code: str) -> dict | None:
    try:
        row = selectors.get_water_restriction(city=city, commune_code=code)
    except NotFound:
        return None
    return present.water_dict(row, selectors.compute_watering(row))


def _warning(city) -> dict | None:
    try:
        return present.warning_dict(selectors.get_weather_warning(city=city))
    except NotFound:
        return None


def tile_context(city) -> dict:
    """The city home tile: the weather warning and the water level of the city's first commune."""
    codes = city.insee_codes or []
    return {"water": _water(city, codes[0]) if codes else None, "warning": _warning(city)}


def offline_urls(city) -> list[str]:
    """The water page is cached by the service worker so that the last state stays readable offline."""
    return [reverse("officialfeeds:water", kwargs={"city": city.slug})]


@require_GET
def water(request, city: str):
    place = resolve_city(city)
    communes = selectors.list_communes(city=place)
    codes = [commune.code for commune in communes]
    chosen = request.GET.get("commune")
    if chosen not in codes:
        chosen = codes[0] if codes else ""
    context = {
        "city": place,
        "communes": communes,
        "chosen": chosen,
        "asked": "commune" in request.GET,
        "water": _water(place, chosen) if chosen else None,
        "warning": _warning(place),
        "changes": [
            {"at": change.changed_at, "label": present.water_level_label(change.new_level)}
            for change in selectors.list_level_changes(city=place, kind="water_restriction", area=chosen, limit=5)
        ],
    }
    return render(request, "officialfeeds/water.html", context)
