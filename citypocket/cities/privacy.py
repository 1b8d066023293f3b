"""Personal data of the tenancy (docs/privacy.md): the staff roles a person holds in cities."""

from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import StaffMembership
from citypocket.core.privacy import THE_CITY_STAFF, Delete, LegalBasis, PersonalData, Subjects

PERSONAL_DATA = [
    PersonalData(
        StaffMembership, user="user", export=("city__slug", "role", "created_at"), erase=Delete(),
        purpose=_("Giving staff the roles their city chose for them."), basis=LegalBasis.PUBLIC_TASK,
        subjects=Subjects.STAFF, retention=_("Until the role is withdrawn or the account deleted."),
        recipients=THE_CITY_STAFF,
    ),
]
