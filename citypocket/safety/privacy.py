"""Personal data of the safety app (docs/privacy.md): what staff did with reports.

Reporters are never linked to an account, so a citizen has nothing here. The audit log is the
city's record of who read sensitive data: erasing the account empties its link, and the e-mail
address at the time stays, for as long as the city keeps the log.
"""

from django.utils.translation import gettext_lazy as _

from citypocket.core.privacy import THE_CITY_STAFF, Anonymise, LegalBasis, PersonalData, Subjects
from citypocket.safety.models import ReportUpdate, SensitiveAccessLog

PERSONAL_DATA = [
    PersonalData(
        SensitiveAccessLog, user="user", export=("city__slug", "action", "report_id", "at", "user_email"),
        erase=Anonymise(note=_("The e-mail address at the time stays: the log is the city's record of who "
                               "read sensitive data.")),
        purpose=_("Accountability for every read of a harassment report's sensitive details."),
        basis=LegalBasis.LEGAL_OBLIGATION, subjects=Subjects.STAFF,
        retention=_("As long as the city keeps its safety audit log (no automatic end)."),
        recipients=_("The city's safety officers and city admins."),
    ),
    PersonalData(
        ReportUpdate, user="author", export=("city__slug", "report", "kind", "created_on"),
        erase=Anonymise(note=_("The note stays in the case file until the report is anonymised (two months "
                               "after it is closed).")),
        purpose=_("Following up a harassment report (staff notes and replies)."), basis=LegalBasis.PUBLIC_TASK,
        subjects=Subjects.STAFF, retention=_("Until the report is anonymised, two months after it is closed."),
        recipients=THE_CITY_STAFF,
    ),
]
