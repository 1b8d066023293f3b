"""Demo accounts, so that a newcomer can try every journey at once (README, "Try it").

Created only on a laptop install (DEBUG on, as `make run` sets it): their passwords and the
editor's authenticator secret are published in the README, so they must never exist in
production. Each is a plain account, signed in through the ordinary sign-in page.

- a citizen (e-mail confirmed, not a verified resident of any city);
- a verified Rouen resident (participation's demo records the verification);
- a Rouen editor (city staff), whose TOTP authenticator is enrolled with the secret below, so that
  the codes can be made by any authenticator app or `oathtool --totp -b <secret>`.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from citypocket.accounts.models import User
from citypocket.cities.models import City, Role, StaffMembership

PASSWORD = "demo-citypocket"
CITIZEN_EMAIL = "citoyen@demo.citypocket.localhost"
RESIDENT_EMAIL = "residente.rouen@demo.citypocket.localhost"
EDITOR_EMAIL = "editeur.rouen@demo.citypocket.localhost"
EDITOR_TOTP_SECRET = "CITYPOCKETDEMOROUENEDITOR2345672"  # base32, 32 characters (160 bits)


def _account(email: str) -> User:
    user, created = User.objects.get_or_create(email=email)
    if created or not user.has_usable_password():
        user.set_password(PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def load_demo() -> str:
    """Idempotent; does nothing when DEBUG is off (a production install never gets these accounts)."""
    if not settings.DEBUG:
        return "no demo accounts (DEBUG is off)"
    _account(CITIZEN_EMAIL)
    _account(RESIDENT_EMAIL)
    editor = _account(EDITOR_EMAIL)
    rouen = City.objects.filter(slug="rouen").first()
    if rouen is not None:
        StaffMembership.objects.get_or_create(city=rouen, user=editor, role=Role.EDITOR)
    if not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(editor, EDITOR_TOTP_SECRET)
    return f"3 demo accounts ({CITIZEN_EMAIL}, {RESIDENT_EMAIL}, {EDITOR_EMAIL}), password {PASSWORD!r}"
