"""The parking page: live car parks (list + map), a destination picker and ranked results."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from citypocket.core.problems import InvalidValues
from citypocket.core.views import resolve_city
from citypocket.mobility import api, places, selectors
from citypocket.mobility.forms import SearchForm


def _other_matches(request, form) -> list[tuple[str, str]]:
    """Other addresses the text could mean, each a link to the same search from there (works without JS)."""
    links = []
    for label, _lat, _lon in form.other_matches:
        query = request.GET.copy()
        query["q"] = label
        for key in ("place", "address", "lat", "lon"):
            query.pop(key, None)
        links.append((label, f"?{query.urlencode()}#results-title"))
    return links


@require_GET
def page(request, city: str):
    """`/<city>/parking/`: car parks with live numbers; with a destination, the ranked results too."""
    place = resolve_city(city)
    now = timezone.now()
    submitted = any(key in request.GET for key in ("q", "place", "address", "lat", "lon"))
    form = SearchForm(request.GET if submitted else None, city_slug=place.slug)
    outcome = None
    search_error = ""
    if submitted and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = api.run_search(
                place=place,
                lat=data["lat"],
                lon=data["lon"],
                arrive_at=data.get("arrive_at"),
                max_walk_m=data.get("max_walk_m") or 1000,
                height_cm=data.get("height_cm"),
                disabled=data.get("disabled", False),
                ev=data.get("ev", False),
                now=now,
            )
        except InvalidValues as error:
            search_error = error.detail
    context = {
        "city": place,
        "car_parks": selectors.list_car_parks_live(city=place, now=now),
        "form": form,
        "submitted": submitted,
        "outcome": outcome,
        "destinations": places.destinations(place.slug),
        "other_matches": _other_matches(request, form) if outcome else [],
        "search_error": search_error,
        "api_url": f"/api/v1/cities/{place.slug}/car-parks",
        "traffic_url": f"/api/v1/cities/{place.slug}/traffic",
        "addresses_url": f"/api/v1/cities/{place.slug}/addresses",
    }
    return render(request, "mobility/page.html", context)
