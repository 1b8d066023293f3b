from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.demo import register_demo_loader
from citypocket.core.privacy import register_personal_data


class CitiesConfig(AppConfig):
    name = "citypocket.cities"
    label = "cities"
    verbose_name = _("Cities")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from citypocket.cities.demo import load_demo_cities

        register_demo_loader("cities", load_demo_cities, order=0)
        register_personal_data(
            "staff_roles",
            export=lambda user: [
                {"city": m.city.slug, "role": m.role, "since": m.created_at.isoformat()}
                for m in user.memberships.select_related("city")
            ],
        )
