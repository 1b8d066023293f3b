from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def tile_context(city) -> dict:
    """What is open for participation now, for the city-home tile."""
    from citypocket.participation.selectors.processes import list_open_now

    return {"open_now": list_open_now(city=city)[:3]}


class ParticipationConfig(AppConfig):
    name = "citypocket.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from citypocket.core.capabilities import Capability, register_capability
        from citypocket.core.demo import register_demo_loader
        from citypocket.participation import verifiers  # noqa: F401 (registers the verifiers)
        from citypocket.participation.demo import load_demo

        register_capability(Capability(
            slug="participate", label=_("Have your say"), url_name="participation:page", order=40,
            tile_template="participation/tile.html", tile_context=tile_context,
        ))
        register_demo_loader("participation", load_demo, order=60)
