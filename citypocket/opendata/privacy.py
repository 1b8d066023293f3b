"""Personal data of the open-data app (docs/privacy.md): which data publisher uploaded a file and who
decided on it (submitted, overrode the personal-data screen, approved, rejected, withdrew).

Published rows are open data: the personal-data screen blocks a file whose columns look personal
unless a publisher overrides it with a reason, and the rows never name the publishers.
"""

from django.utils.translation import gettext_lazy as _

from citypocket.core.privacy import THE_CITY_STAFF, Anonymise, LegalBasis, NotPersonal, PersonalData, Subjects
from citypocket.opendata.models import DatasetRow, DatasetVersion, VersionEvent

RETENTION = _("As long as the dataset exists: the versions are the city's record of what it published.")

PERSONAL_DATA = [
    PersonalData(
        DatasetVersion, user="created_by", city="dataset__city",
        export=("dataset__city__slug", "dataset__slug", "number", "original_name", "status", "created_at"),
        erase=Anonymise(note=_("The version and its file stay: they are what the city published.")),
        purpose=_("Publishing the city's own data files (who uploaded each version)."),
        basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF, retention=RETENTION, recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        VersionEvent, user="actor", city="version__dataset__city",
        export=("version__dataset__city__slug", "version__dataset__slug", "version__number", "kind", "reason", "at"),
        erase=Anonymise(note=_("The decision and its reason stay in the version's history.")),
        purpose=_("Accountability for each publication decision on a data file."),
        basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF, retention=RETENTION, recipients=THE_CITY_STAFF,
    ),
    NotPersonal(DatasetRow, reason="Rows of published open data, screened for personal data before publication."),
]
