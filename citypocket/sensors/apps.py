from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorsConfig(AppConfig):
    name = "citypocket.sensors"
    label = "sensors"
    verbose_name = _("Sensors")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads; kept with the
        # other registrations of ready() (guards holds no models, conf reads settings).
        from citypocket.core import guards
        from citypocket.sensors import conf

        # HTTP ingest reads its own body, up to INGEST_MAX_BYTES (above Django's 2.5 MB form limit).
        guards.register_body_limit(r"/api/v1/ingest", max_bytes=lambda: conf.get("INGEST_MAX_BYTES"))
