from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from citypocket.core import edge
from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader


def _tile_context(city) -> dict:
    """Free spaces in the car parks within 1 km of the city centre, now."""
    from django.utils import timezone

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.mobility import geo, selectors

    south, west, north, east = geo.bbox_around(city.centre_lat, city.centre_lon, 1000)
    car_parks = selectors.list_car_parks(city=city).filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    items = selectors.with_live(city=city, car_parks=car_parks, now=timezone.now())
    known = [item.live.available for item in items if item.live.available is not None]
    return {"count": len(items), "reporting": len(known), "free": sum(known)}


class MobilityConfig(AppConfig):
    name = "citypocket.mobility"
    label = "mobility"
    verbose_name = _("Mobility")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from citypocket.core import fastlane
        from citypocket.mobility import api, demo

        register_capability(
            Capability(
                slug="parking",
                label=_("Parking"),
                url_name="mobility:page",
                order=20,
                tile_template="mobility/tile.html",
                tile_context=_tile_context,
                offline_urls=lambda city: [f"/api/v1/cities/{city.slug}/car-parks"],
            )
        )
        register_demo_loader("mobility", demo.load, order=40)
        # The public live reads everyone asks for at once: answered from the edge for a few seconds.
        for route in ("car-parks", "car-parks/search", "traffic"):
            edge.register(
                f"api/v1/cities/<city>/{route}",
                rf"/api/v1/cities/[-\w]+/{route}",
                seconds=lambda: settings.MOBILITY_RESPONSE_CACHE_SECONDS,
            )
        # And without the edge: the list, the search and traffic answered in front of Django when plain.
        fastlane.register("api/v1/cities/<city>/car-parks", r"/api/v1/cities/(?P<city>[-\w]+)/car-parks",
                          handler=api.fast_list_car_parks)
        fastlane.register("api/v1/cities/<city>/car-parks/search",
                          r"/api/v1/cities/(?P<city>[-\w]+)/car-parks/search",
                          handler=api.fast_search_car_parks, params=api.SEARCH_PARAMS)
        fastlane.register("api/v1/cities/<city>/traffic", r"/api/v1/cities/(?P<city>[-\w]+)/traffic",
                          handler=api.fast_list_traffic)
