"""Which models the audit log follows: every model the back office edits, each under the field rules.

The list is found, not written: every model registered in the admin and every model of their
inlines, plus `EXTRA_MODELS` (rows the back office writes through its own tools), minus
`NOT_AUDITED` (each with its reason). A model added to the admin tomorrow is audited tomorrow.
"""

from auditlog.registry import auditlog
from django.apps import apps
from django.contrib import admin

from citypocket.audit import rules

EXTRA_MODELS = {
    "safety.ReportUpdate": "an officer's note or reply on a report, written from the report's admin page",
    "participation.CensusUpload": "a census file uploaded with the admin's census tool",
}
NOT_AUDITED = {
    "audit.AuditEntry": "the log itself",
    "safety.SensitiveAccessLog": "already the safety app's append-only record of every read of a report",
    "opendata.DatasetVersion": "changed only by the publishing steps, each recorded as an event (opendata.*) "
                               "without the file's cells, which a report or a field change would copy",
}


def audited_models() -> list:
    found = {}
    for model, model_admin in admin.site._registry.items():
        found[model._meta.label] = model
        for inline in model_admin.inlines:
            found[inline.model._meta.label] = inline.model
    for label in EXTRA_MODELS:
        found[label] = apps.get_model(label)
    return [found[label] for label in sorted(found) if label not in NOT_AUDITED]


def register_audited_models() -> None:
    """Registers each audited model with django-auditlog: create, change, delete and many-to-many links."""
    for model in audited_models():
        # Reverse relations are not values of the row (django-auditlog would print their manager).
        reverse = [relation.name for relation in model._meta.related_objects]
        auditlog.register(
            model,
            exclude_fields=[*rules.excluded_fields(model), *reverse],
            mask_fields=rules.masked_fields(model),
            m2m_fields={field.name for field in model._meta.many_to_many},
        )
