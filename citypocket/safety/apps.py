from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader
from citypocket.core.privacy import register_personal_data


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


def export_staff_access(user) -> list[dict]:
    """GDPR export: the sensitive reads a staff member made. Reporters are never linked to accounts.

    Nothing is erased on account deletion: the audit log is the city's record of who read what
    (the user link is cut by SET_NULL, the e-mail at the time stays).
    """
    # Imported on call: apps.py loads before the app registry is ready, when models cannot be imported.
    from citypocket.safety.models import SensitiveAccessLog

    return [
        {"at": entry.at.isoformat(), "action": entry.action, "city": entry.city.slug, "report": str(entry.report_id)}
        for entry in SensitiveAccessLog.objects.filter(user=user).select_related("city").order_by("at")
    ]


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
        register_personal_data("safety", export=export_staff_access)
