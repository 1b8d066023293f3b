from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
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
        from citypocket.cities.models import City
        from citypocket.cities.selectors import forget_cities

        register_demo_loader("cities", load_demo_cities, order=0)
        # A city saved or deleted in this process is never served from its looked-up cities again.
        post_save.connect(self._forget_cities, sender=City, dispatch_uid="cities-forget-on-save")
        post_delete.connect(self._forget_cities, sender=City, dispatch_uid="cities-forget-on-delete")
        self._forget = forget_cities

    def _forget_cities(self, **kwargs) -> None:
        self._forget()
