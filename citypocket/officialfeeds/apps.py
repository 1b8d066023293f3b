from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader


class OfficialFeedsConfig(AppConfig):
    name = "citypocket.officialfeeds"
    label = "officialfeeds"
    verbose_name = _("Official feeds")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and these
        # modules import models, which cannot be imported before the registry is ready.
        from citypocket.officialfeeds.demo import load_demo
        from citypocket.officialfeeds.views import offline_urls, tile_context

        register_capability(
            Capability(
                slug="water",
                label=_("Water and weather"),
                url_name="officialfeeds:water",
                order=60,
                tile_template="officialfeeds/tile.html",
                tile_context=tile_context,
                offline_urls=offline_urls,
            )
        )
        register_demo_loader("officialfeeds", load_demo, order=60)
