"""The export of a person's data (GDPR art. 15 and 20), generated from the declarations.

One section per app, one entry per declared model with every row of the person: the fields the
declaration lists, and what art. 15 also owes the person (purpose, legal basis, recipients,
retention, and the rule that will erase it). The same dict is the JSON download and the page.
"""

import datetime as dt
import decimal
import uuid

from django.apps import apps
from django.utils import timezone

from citypocket.core.privacy.registry import LegalBasis, PersonalData, Subjects, list_declarations

FORMAT = "citypocket.personal-data/1"


def plain(value):
    """A value the JSON encoder takes as is: dates ISO 8601, identifiers and decimals as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def export_rows(declaration: PersonalData, user) -> list[dict]:
    """The person's rows of one declaration: `id` (text), then the declared fields."""
    rows = declaration.rows(user).values("pk", *declaration.export)
    return [{"id": declaration.row_id(row.pop("pk")), **{name: plain(value) for name, value in row.items()}}
            for row in rows]


def describe(declaration: PersonalData) -> dict:
    """What a declaration says, in the active language (export, page and art. 30 record)."""
    meta = declaration.model._meta
    return {
        "title": str(declaration.title or meta.verbose_name_plural),
        "fields": {path: declaration.label(path) for path in declaration.export},
        "purpose": str(declaration.purpose),
        "legal_basis": str(LegalBasis(declaration.basis).label),
        "subjects": str(Subjects(declaration.subjects).label),
        "recipients": str(declaration.recipients),
        "transfers": str(declaration.transfers),
        "retention": str(declaration.retention),
        "erasure": declaration.erase.describe(),
    }


def export_personal_data(user) -> dict:
    """Everything kept about `user`: `sections[app]["models"][app_label.model]["rows"]`."""
    sections: dict[str, dict] = {}
    for declaration in list_declarations():
        section = sections.setdefault(declaration.app, {
            "title": str(apps.get_app_config(declaration.app).verbose_name), "models": {}})
        section["models"][declaration.key] = {**describe(declaration), "rows": export_rows(declaration, user)}
    return {"format": FORMAT, "generated_at": timezone.now().isoformat(), "sections": sections}

