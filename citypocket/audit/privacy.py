"""Personal data of the audit log (docs/privacy.md, docs/audit.md): the back-office actions of a staff member.

The log is the city's record of who did what in its back office: it is append-only, so erasing an
account leaves its entries as they are (the account id and the e-mail address at the time). The
export lists each action (when, what, which object, which city), not the values before and after.
"""

from django.utils.translation import gettext_lazy as _

from citypocket.audit.models import AuditEntry
from citypocket.core.privacy import THE_CITY_STAFF, Keep, LegalBasis, PersonalData, Subjects

PERSONAL_DATA = [
    PersonalData(
        AuditEntry, user="actor",
        export=("timestamp", "action", "event", "content_type__model", "object_pk", "city__slug"),
        erase=Keep(_("The audit log is append-only: it is the city's record of who did what in its back "
                     "office.")),
        purpose=_("Accountability of the staff's actions in the back office, and the security of the data."),
        basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF,
        retention=_("As long as the city keeps the records of its back office."),
        recipients=THE_CITY_STAFF,
    ),
]
