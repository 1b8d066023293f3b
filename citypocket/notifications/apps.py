from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability


class NotificationsConfig(AppConfig):
    name = "citypocket.notifications"
    label = "notifications"
    verbose_name = _("Notifications and alerts")

    def ready(self) -> None:
        # Here, not at the top: views import models, which cannot be imported before the registry is ready.
        from django.db.models.signals import post_save

        from citypocket.cityinfo.models import Event
        from citypocket.notifications.agenda import on_event_saved
        from citypocket.notifications.official import on_level_changed
        from citypocket.notifications.views import offline_urls, tile_context
        from citypocket.officialfeeds.signals import official_level_changed

        official_level_changed.connect(on_level_changed, dispatch_uid="notifications-official-alerts")
        post_save.connect(on_event_saved, sender=Event, dispatch_uid="notifications-agenda-events")

        register_capability(Capability(
            slug="alerts", label=_("Alerts"), url_name="notifications:alerts", order=5,
            tile_template="notifications/tile.html", tile_context=tile_context, offline_urls=offline_urls,
        ))
