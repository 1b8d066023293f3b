from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "citypocket.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads; the registration
        # reads the admin's registry, complete once the admin has discovered every app's admin.
        from citypocket.audit.registration import register_audited_models

        register_audited_models()
