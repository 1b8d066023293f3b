"""Personal data as one registry: each app declares what it keeps about a person (`<app>/privacy.py`),
and the export, the erasure and the record of processing activities are generated from it.

See docs/privacy.md. Declaring: `PersonalData(model, user=…, export=(…), erase=Rule, purpose=…,
basis=LegalBasis…, retention=…, recipients=…)` in the app's `PERSONAL_DATA` list.
"""

from citypocket.core.privacy.erasure import erase_personal_data
from citypocket.core.privacy.exporting import export_personal_data
from citypocket.core.privacy.record import build_processing_record, render_markdown
from citypocket.core.privacy.registry import (
    THE_CITY_STAFF,
    THE_PERSON_ONLY,
    THE_PLATFORM_ADMINISTRATORS,
    WHILE_THE_ACCOUNT_EXISTS,
    LegalBasis,
    NotPersonal,
    PersonalData,
    Subjects,
    list_declarations,
    list_not_personal,
    list_undeclared,
)
from citypocket.core.privacy.rules import Anonymise, Authored, Content, Custom, Delete, Keep, WithParent

__all__ = [
    "THE_CITY_STAFF",
    "THE_PERSON_ONLY",
    "THE_PLATFORM_ADMINISTRATORS",
    "WHILE_THE_ACCOUNT_EXISTS",
    "Anonymise",
    "Authored",
    "Content",
    "Custom",
    "Delete",
    "Keep",
    "LegalBasis",
    "NotPersonal",
    "PersonalData",
    "Subjects",
    "WithParent",
    "build_processing_record",
    "erase_personal_data",
    "export_personal_data",
    "list_declarations",
    "list_not_personal",
    "list_undeclared",
    "render_markdown",
]
