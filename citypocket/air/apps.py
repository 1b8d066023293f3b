from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirConfig(AppConfig):
    name = "citypocket.air"
    label = "air"
    verbose_name = _("Air")
