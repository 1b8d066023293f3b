"""Reads about cities and who may act for them. Every other app resolves its city here."""

import copy
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from citypocket.cities.models import City, Role, StaffMembership
from citypocket.core.problems import NotFound


def list_cities() -> QuerySet[City]:
    return City.objects.filter(is_active=True).order_by("name")


# The active cities a web process has looked up, by slug, for CITY_CACHE_SECONDS: every city-scoped
# read starts by resolving its city, which changes a few times a year. A change saved in this
# process forgets them at once (signal in apps.py); other processes see it within the seconds.
_cities: dict[str, tuple[float, City]] = {}


def forget_cities() -> None:
    _cities.clear()


def get_city(*, slug: str) -> City:
    """The active city with this slug, or NotFound (a problem+json 404 in the API)."""
    seconds = settings.CITY_CACHE_SECONDS
    kept = _cities.get(slug) if seconds > 0 else None
    if kept is not None and kept[0] > time.monotonic():
        return copy.copy(kept[1])  # each request its own instance: nothing one sets on it leaks to another
    city = City.objects.filter(slug=slug, is_active=True).first()
    if city is None:
        raise NotFound("No city with this slug.")
    if seconds > 0:
        _cities[slug] = (time.monotonic() + seconds, copy.copy(city))
    return city


def list_roles(*, user, city: City) -> set[str]:
    """The roles `user` holds in `city`; a superuser holds every role everywhere."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(StaffMembership.objects.filter(user=user, city=city).values_list("role", flat=True))


def has_role(*, user, city: City, roles: set[str] | tuple[str, ...] | list[str]) -> bool:
    """True when `user` holds one of `roles` in `city` (city admins hold every role of their city)."""
    held = list_roles(user=user, city=city)
    return bool(held & set(roles)) or Role.CITY_ADMIN in held


def list_staff_city_ids(*, user, roles: set[str] | None = None) -> set[int] | None:
    """Ids of the cities where `user` is staff (with one of `roles`); None means every city."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return None
    memberships = StaffMembership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=set(roles) | {Role.CITY_ADMIN})
    return set(memberships.values_list("city_id", flat=True))


def is_city_staff(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or StaffMembership.objects.filter(user=user).exists()


def list_staff_accounts(*, city_ids) -> QuerySet:
    """Accounts holding a staff role in one of `city_ids` (never a superuser): whom a city's staff may pick."""
    return get_user_model().objects.filter(
        is_superuser=False, pk__in=StaffMembership.objects.filter(city_id__in=city_ids).values("user_id")
    )
