from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def export_staff_actions(user) -> list[dict]:
    """GDPR export: the back-office actions a staff member made (what, when, where; not the values).

    Nothing is erased on account deletion: the log is the city's record of who did what (the
    account id and the e-mail at the time stay; the log is append-only).
    """
    # Imported on call: apps.py loads before the app registry is ready, when models cannot be imported.
    from citypocket.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(actor_id=user.pk).select_related("content_type", "city").order_by("timestamp")
    return [
        {
            "at": entry.timestamp.isoformat(),
            "action": entry.event or entry.get_action_display(),
            "object": entry.content_type.model if entry.content_type else None,
            "id": entry.object_pk,
            "city": entry.city.slug if entry.city else None,
        }
        for entry in entries
    ]


class AuditConfig(AppConfig):
    name = "citypocket.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads; the registration
        # reads the admin's registry, complete once the admin has discovered every app's admin.
        from citypocket.audit.registration import register_audited_models
        from citypocket.core.privacy import register_personal_data

        register_audited_models()
        register_personal_data("audit", export=export_staff_actions)
