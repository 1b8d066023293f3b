from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader
from citypocket.sensors.hooks import register_ingest_listener


class AirConfig(AppConfig):
    name = "citypocket.air"
    label = "air"
    verbose_name = _("Air")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and these
        # modules import models, which cannot be imported before the registry is ready.
        from citypocket.air.api import fast_air_now
        from citypocket.air.demo import load_demo
        from citypocket.air.listeners import connect_air_now_sources, on_ingest
        from citypocket.air.views import offline_urls, tile_context
        from citypocket.core import fastlane

        register_capability(Capability(
            slug="air", label=_("Air quality"), url_name="air:page", order=10,
            tile_template="air/tile.html", tile_context=tile_context, offline_urls=offline_urls,
        ))
        register_demo_loader("air", load_demo, order=30)
        register_ingest_listener("air", on_ingest)
        connect_air_now_sources()
        # "Air now", answered in front of Django when plain (core.fastlane).
        fastlane.register("api/v1/cities/<city>/air/now", r"/api/v1/cities/(?P<city>[-\w]+)/air/now",
                          handler=fast_air_now)
