from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader


def tile_context(city) -> dict:
    """The city-home tile: a link to help now and how many safe places are open now."""
    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.safety.selectors import list_safe_places_by_distance

    open_places = sum(1 for place in list_safe_places_by_distance(city=city) if place.open_now)
    return {"city_slug": city.slug, "open_places": open_places}


def offline_urls(city) -> list[str]:
    """Help now must work without a connection: the service worker keeps it."""
    from django.urls import reverse

    return [reverse("safety:help", kwargs={"city": city.slug})]


class SafetyConfig(AppConfig):
    name = "citypocket.safety"
    label = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from citypocket.safety.demo import load_demo

        register_capability(Capability(
            slug="safety", label=_("Stay safe"), url_name="safety:page", order=50,
            tile_template="safety/tile.html", tile_context=tile_context, offline_urls=offline_urls,
        ))
        register_demo_loader("safety", load_demo, order=70)
