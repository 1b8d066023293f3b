"""Template context shared by every page of the citizen app: navigation and help-now link."""

import contextlib

from django.urls import NoReverseMatch, reverse

from citypocket.cities.models import City
from citypocket.core.capabilities import list_capabilities
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
    city = City.objects.filter(slug=city_slug, is_active=True).first()
    if city is not None:
        # The city's shell: its home works offline from any of its pages.
        context["precache_urls"].append(reverse("city_home", kwargs={"city": city_slug}))
    for capability in list_capabilities():
        try:
            url = reverse(capability.url_name, kwargs={"city": city_slug})
        except NoReverseMatch:
            continue
        # The current section is the capability whose page the path is under (one app may have several).
        current = request.path.startswith(url)
        context["nav_capabilities"].append({"label": capability.label, "url": url, "current": current})
        if city is not None:
            # Every city page hands the service worker what must work offline (help now, last values).
            context["precache_urls"].extend(capability.offline_urls(city))
    # The safety app names its help page `safety:help`; one tap from every page.
    with contextlib.suppress(NoReverseMatch):
        context["help_now_url"] = reverse("safety:help", kwargs={"city": city_slug})
    return context
