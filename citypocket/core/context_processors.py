"""Template context shared by every page of the citizen app: navigation and help-now link."""

import contextlib

from django.urls import NoReverseMatch, reverse

from citypocket.cities.models import City
from citypocket.core.capabilities import list_capabilities


def platform(request):
    match = getattr(request, "resolver_match", None)
    city_slug = match.kwargs.get("city") if match else None
    context = {"PLATFORM_NAME": "CityPocket", "nav_capabilities": [], "help_now_url": "", "precache_urls": []}
    if not city_slug:
        return context
    city = City.objects.filter(slug=city_slug, is_active=True).first()
    current_namespace = match.namespace if match else ""
    for capability in list_capabilities():
        try:
            url = reverse(capability.url_name, kwargs={"city": city_slug})
        except NoReverseMatch:
            continue
        context["nav_capabilities"].append(
            {"label": capability.label, "url": url, "current": capability.url_name.split(":")[0] == current_namespace}
        )
        if city is not None:
            # Every city page hands the service worker what must work offline (help now, last values).
            context["precache_urls"].extend(capability.offline_urls(city))
    # The safety app names its help page `safety:help`; one tap from every page.
    with contextlib.suppress(NoReverseMatch):
        context["help_now_url"] = reverse("safety:help", kwargs={"city": city_slug})
    return context
