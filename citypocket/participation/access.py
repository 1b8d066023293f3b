"""Who may do what: the identity tier of a person in a city, checked by every write service."""

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _

from citypocket.cities.models import Role
from citypocket.cities.selectors import has_role
from citypocket.participation.errors import AuthenticationRequired, EmailNotVerified, ResidentRequired
from citypocket.participation.models import ResidentVerification, Tier

STAFF_ROLES = (Role.EDITOR, Role.MODERATOR)


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_verified_email(user) -> bool:
    return is_authenticated(user) and EmailAddress.objects.filter(user=user, verified=True).exists()


def is_resident(*, user, city) -> bool:
    return is_authenticated(user) and ResidentVerification.objects.filter(user=user, city=city).exists()


def compute_tier(*, user, city) -> str:
    """The strongest tier `user` holds in `city`."""
    if is_resident(user=user, city=city) and has_verified_email(user):
        return Tier.RESIDENT
    if has_verified_email(user):
        return Tier.ACCOUNT
    return Tier.ANONYMOUS


def require_tier(*, user, city, tier: str) -> None:
    """Raises 401 without an account when one is needed, 403 when the account is not enough."""
    if tier == Tier.ANONYMOUS:
        return
    if not is_authenticated(user):
        raise AuthenticationRequired(_("Sign in to take part."))
    if not has_verified_email(user):
        raise EmailNotVerified(_("Confirm your e-mail address first."))
    if tier == Tier.RESIDENT and not is_resident(user=user, city=city):
        raise ResidentRequired(_("Only verified residents of this city can do this. Verify your residency first."))


def is_participation_staff(*, user, city) -> bool:
    return is_authenticated(user) and has_role(user=user, city=city, roles=STAFF_ROLES)
