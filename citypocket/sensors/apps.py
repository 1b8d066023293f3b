from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorsConfig(AppConfig):
    name = "citypocket.sensors"
    label = "sensors"
    verbose_name = _("Sensors")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads; kept with the
        # other registrations of ready() (the API imports models: the registry must be ready).
        from citypocket.core import fastlane, guards
        from citypocket.sensors import api, conf

        # HTTP ingest reads its own body, up to INGEST_MAX_BYTES (above Django's 2.5 MB form limit).
        guards.register_body_limit(r"/api/v1/ingest", max_bytes=lambda: conf.get("INGEST_MAX_BYTES"))
        # The latest values and the hourly and daily series, answered in front of Django when plain
        # (core.fastlane).
        fastlane.register("api/v1/cities/<city>/sensors", r"/api/v1/cities/(?P<city>[-\w]+)/sensors",
                          handler=api.fast_list_sensors, params={"kind"})
        fastlane.register("api/v1/cities/<city>/sensors/<sensor>/observations",
                          r"/api/v1/cities/(?P<city>[-\w]+)/sensors/(?P<sensor>[^/]+)/observations",
                          handler=api.fast_list_observations, params={"property", "resolution", "from", "to"})
