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


AIR_PROPERTIES = frozenset({"no2", "o3", "pm10", "pm25", "so2"})
REFRESH_EVERY_SECONDS = 60


def on_ingest(*, city, properties) -> None:
    """New pollutant readings: recompute today's index in the worker, at most once a minute per city."""
    from django.core.cache import cache

    from citypocket.air.tasks import refresh_air_after_ingest

    if properties & AIR_PROPERTIES and cache.add(f"air:refresh:{city.pk}", 1, REFRESH_EVERY_SECONDS):
        refresh_air_after_ingest.enqueue(city.pk)


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
        from citypocket.sensors.hooks import register_ingest_listener

        register_ingest_listener("air", on_ingest)
