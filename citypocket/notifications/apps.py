from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability


class NotificationsConfig(AppConfig):
    name = "citypocket.notifications"
    label = "notifications"
    verbose_name = _("Notifications and alerts")

    def ready(self) -> None:
        # Here, not at the top: views import models, which cannot be imported before the registry is ready.
        from citypocket.notifications.views import offline_urls, tile_context

        register_capability(Capability(
            slug="alerts", label=_("Alerts"), url_name="notifications:alerts", order=5,
            tile_template="notifications/tile.html", tile_context=tile_context, offline_urls=offline_urls,
        ))
