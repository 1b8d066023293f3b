from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def tile_context(city) -> dict:
    """Today's computed ATMO index of the city, for the city-home tile."""
    from citypocket.air.views import tile_context as build

    return build(city)


def offline_urls(city) -> list[str]:
    """The air page is cached by the service worker so that the last value stays readable offline."""
    from django.urls import reverse

    return [reverse("air:page", kwargs={"city": city.slug})]


class AirConfig(AppConfig):
    name = "citypocket.air"
    label = "air"
    verbose_name = _("Air")

    def ready(self) -> None:
        from citypocket.air.demo import load_demo
        from citypocket.core.capabilities import Capability, register_capability
        from citypocket.core.demo import register_demo_loader

        register_capability(Capability(
            slug="air", label=_("Air quality"), url_name="air:page", order=10,
            tile_template="air/tile.html", tile_context=tile_context, offline_urls=offline_urls,
        ))
        register_demo_loader("air", load_demo, order=30)
