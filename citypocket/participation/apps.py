from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader


class ParticipationConfig(AppConfig):
    name = "citypocket.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and these
        # modules import models, which cannot be imported before the registry is ready.
        from citypocket.participation import verifiers  # noqa: F401 (registers the verifiers)
        from citypocket.participation.demo import load_demo
        from citypocket.participation.views import tile_context

        register_capability(Capability(
            slug="participate", label=_("Have your say"), url_name="participation:page", order=40,
            tile_template="participation/tile.html", tile_context=tile_context,
        ))
        register_demo_loader("participation", load_demo, order=60)
