"""Personal data of the account and of signing in (docs/privacy.md): the account, its addresses,
second factors, FranceConnect link, sessions, sign-in defence records and back-office history.

Secrets are never exported (password hash, TOTP secret, tokens, session keys and contents): the
rows are listed with what describes them.
"""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.accounts.models import User
from citypocket.core.privacy import (
    THE_PERSON_ONLY,
    THE_PLATFORM_ADMINISTRATORS,
    WHILE_THE_ACCOUNT_EXISTS,
    Delete,
    LegalBasis,
    PersonalData,
    Subjects,
    WithParent,
)


def _sign_in_names(user) -> Q:
    """Sign-in defence rows name the account by the address typed (lower-cased): any of the person's."""
    addresses = {user.email.lower(), *(e.lower() for e in EmailAddress.objects.filter(user=user)
                                       .values_list("email", flat=True))}
    return Q(username__in=addresses)


def _sessions(user) -> Q:
    """The server-side sessions of the person's signed-in browsers (listed by usersessions)."""
    return Q(session_key__in=UserSession.objects.filter(user=user).values("session_key"))


ACCOUNT = _("Signing in to CityPocket and acting with an account.")
SIGN_IN_SECURITY = _("Protecting accounts against password guessing and stolen sessions.")

PERSONAL_DATA = [
    PersonalData(
        User, user=lambda user: Q(pk=user.pk),
        export=("email", "language", "date_joined", "last_login", "is_active", "is_staff", "is_superuser"),
        erase=Delete(), purpose=ACCOUNT, basis=LegalBasis.CONTRACT, title=_("account"),
        retention=_("Until the person deletes the account."), recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        User.groups.through, user="user", export=("group__name",), erase=WithParent(User),
        title=_("back-office groups"),
        purpose=_("Back-office permissions."), basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF,
        retention=WHILE_THE_ACCOUNT_EXISTS, recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        User.user_permissions.through, user="user", export=("permission__codename",), erase=WithParent(User),
        title=_("back-office permissions"),
        purpose=_("Back-office permissions."), basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF,
        retention=WHILE_THE_ACCOUNT_EXISTS, recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        EmailAddress, user="user", export=("email", "verified", "primary"), erase=Delete(),
        purpose=ACCOUNT, basis=LegalBasis.CONTRACT, retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        EmailConfirmation, user="email_address__user", export=("created", "sent"), erase=WithParent(EmailAddress),
        purpose=_("Verifying an e-mail address."), basis=LegalBasis.CONTRACT,
        retention=_("Until the address is confirmed; erased with the address."), recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        Authenticator, user="user", export=("type", "created_at", "last_used_at"), erase=Delete(),
        purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION, retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        SocialAccount, user="user", export=("provider", "uid", "date_joined", "last_login", "extra_data"),
        erase=Delete(), purpose=_("Signing in with FranceConnect; the names it certifies."),
        basis=LegalBasis.CONSENT, retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=_("The person; FranceConnect (the State's sign-in service) at each sign-in."),
    ),
    PersonalData(
        SocialToken, user="account__user", export=("expires_at",), erase=WithParent(SocialAccount),
        purpose=_("Signing in with FranceConnect; the names it certifies."), basis=LegalBasis.CONSENT,
        retention=WHILE_THE_ACCOUNT_EXISTS, recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        UserSession, user="user", export=("created_at", "last_seen_at", "ip", "user_agent"), erase=Delete(),
        title=_("signed-in browsers (as listed to you)"),
        purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Until the person signs out of that browser, or the session expires."),
        recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        Session, user=_sessions, export=("expire_date",), erase=Delete(), secret_pk=True,
        title=_("server-side sessions of those browsers"),
        purpose=_("Keeping the person signed in on a browser."), basis=LegalBasis.CONTRACT,
        retention=_("Until the person signs out of that browser, or the session expires."),
        recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        AccessAttempt, user=_sign_in_names, export=("attempt_time", "path_info", "failures_since_start"),
        erase=Delete(), purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("15 minutes after the last failed sign-in."), recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        AccessAttemptExpiration, user=lambda user: Q(access_attempt__in=AccessAttempt.objects.filter(
            _sign_in_names(user))), export=("expires_at",), erase=WithParent(AccessAttempt),
        purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("15 minutes after the last failed sign-in."), recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        AccessFailureLog, user=_sign_in_names, export=("attempt_time", "path_info", "locked_out"),
        erase=Delete(), purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Not written (AXES_ENABLE_ACCESS_FAILURE_LOG is off)."),
        recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        AccessLog, user=_sign_in_names, export=("attempt_time", "logout_time", "path_info"),
        erase=Delete(), purpose=SIGN_IN_SECURITY, basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Not written (AXES_DISABLE_ACCESS_LOG is on)."), recipients=THE_PLATFORM_ADMINISTRATORS,
    ),
    PersonalData(
        LogEntry, user="user",
        export=("action_time", "content_type__app_label", "content_type__model", "object_id", "action_flag"),
        erase=Delete(), purpose=_("History of the changes made in the back office."),
        basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF, retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=_("The staff of the cities whose objects were changed."),
    ),
]
