from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "citypocket.cities"
    label = "cities"
    verbose_name = _("Cities")

    def ready(self) -> None:
        from citypocket.cities.demo import load_demo_cities
        from citypocket.core.demo import register_demo_loader

        register_demo_loader("cities", load_demo_cities, order=0)
