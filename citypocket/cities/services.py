"""Changes to cities and staff memberships."""

from django.db import transaction

from citypocket.cities.models import City, StaffMembership


@transaction.atomic
def grant_role(*, user, city: City, role: str) -> StaffMembership:
    """Gives `user` a staff role in `city`; staff need back-office access (and then a TOTP)."""
    membership, _created = StaffMembership.objects.get_or_create(user=user, city=city, role=role)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def revoke_role(*, user, city: City, role: str) -> None:
    StaffMembership.objects.filter(user=user, city=city, role=role).delete()
    if not user.is_superuser and not StaffMembership.objects.filter(user=user).exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])
