from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.demo import register_demo_loader


class CitiesConfig(AppConfig):
    name = "citypocket.cities"
    label = "cities"
    verbose_name = _("Cities")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from citypocket.cities.demo import load_demo_cities

        register_demo_loader("cities", load_demo_cities, order=0)
