from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

from citypocket.core.demo import register_demo_loader


def discover_platform_datasets() -> None:
    """Imports `<app>.opendata` of every CityPocket app: each registers the datasets it publishes."""
    for config in apps.get_app_configs():
        if not config.name.startswith("citypocket.") or config.label == "opendata":
            continue
        try:
            import_module(f"{config.name}.opendata")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.opendata":
                raise


class OpendataConfig(AppConfig):
    name = "citypocket.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from citypocket.opendata.demo import load_demo

        discover_platform_datasets()
        register_demo_loader("opendata", load_demo, order=1000)  # last: it measures the others' data
