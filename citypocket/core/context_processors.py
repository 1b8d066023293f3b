"""Template context shared by every page of the citizen app: navigation and help-now link."""

import contextlib

from django.urls import NoReverseMatch, reverse

from citypocket.cities.models import City
from citypocket.cities.selectors import get_city
from citypocket.core.capabilities import city_links, list_capabilities
from citypocket.core.problems import NotFound
from citypocket.core.views import CITY_COOKIE


def platform(request):
    match = getattr(request, "resolver_match", None)
    city_slug = match.kwargs.get("city") if match else None
    context = {"PLATFORM_NAME": "CityPocket", "nav_capabilities": [], "help_now_url": "", "precache_urls": []}
    if not city_slug:
        # Pages outside a city (the API page, account pages) still offer help now, in the city chosen last.
        remembered = request.COOKIES.get(CITY_COOKIE)
        if remembered and City.objects.filter(slug=remembered, is_active=True).exists():
            with contextlib.suppress(NoReverseMatch):
                context["help_now_url"] = reverse("safety:help", kwargs={"city": remembered})
        return context
    try:
        # The process's copy of the city (cities.selectors): the view has just looked it up.
        city = get_city(slug=city_slug)
    except NotFound:
        city = None
    if city is None:
        # A page under an unknown city (its 404): the menu of that slug, nothing to keep offline.
        for capability in list_capabilities():
            with contextlib.suppress(NoReverseMatch):
                url = reverse(capability.url_name, kwargs={"city": city_slug})
                context["nav_capabilities"].append({"label": capability.label, "url": url,
                                                    "current": request.path.startswith(url)})
        with contextlib.suppress(NoReverseMatch):
            context["help_now_url"] = reverse("safety:help", kwargs={"city": city_slug})
        context["nav_key"] = _nav_key(context["nav_capabilities"])
        return context
    links = city_links(city)
    # The current section is the capability whose page the path is under (one app may have several).
    context["nav_capabilities"] = [{"label": label, "url": url, "current": request.path.startswith(url)}
                                   for label, url in links.nav]
    context["nav_key"] = _nav_key(context["nav_capabilities"])
    context["help_now_url"] = links.help_now_url
    # The city's shell and what every city page hands the service worker to work offline (help now,
    # last values): its home works offline from any of its pages.
    context["precache_urls"] = list(links.precache_urls)
    return context


def _nav_key(items: list[dict]) -> tuple:
    """What the menu shows besides translated labels: base.html keeps its header per menu (`{% keep %}`)."""
    return tuple((item["url"], item["current"]) for item in items)
