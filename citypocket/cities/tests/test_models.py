"""City constraints and staff roles."""

import pytest
from django.db import IntegrityError, transaction

from citypocket.cities.models import Role
from citypocket.cities.selectors import has_role, list_roles, list_staff_city_ids
from citypocket.cities.services import grant_role, revoke_role
from testsupport import CityFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def test_city_bbox_must_be_ordered():
    """The database refuses a bounding box whose south is north of its north."""
    with pytest.raises(IntegrityError), transaction.atomic():
        CityFactory(slug="upside-down", bbox_south=50, bbox_north=49)


def test_grant_role_gives_back_office_access_and_revoke_takes_it_back(rouen):
    """Granting a role makes the person staff; revoking the last one removes back-office access."""
    user = UserFactory()
    grant_role(user=user, city=rouen, role=Role.MODERATOR)
    user.refresh_from_db()
    assert user.is_staff
    assert list_roles(user=user, city=rouen) == {Role.MODERATOR}
    revoke_role(user=user, city=rouen, role=Role.MODERATOR)
    user.refresh_from_db()
    assert not user.is_staff


def test_roles_do_not_leak_across_cities(rouen, aix):
    """A safety officer of Aix holds no role in Rouen."""
    officer = make_staff(aix, Role.SAFETY_OFFICER)
    assert has_role(user=officer, city=aix, roles={Role.SAFETY_OFFICER})
    assert not has_role(user=officer, city=rouen, roles={Role.SAFETY_OFFICER})
    assert list_staff_city_ids(user=officer) == {aix.pk}


def test_city_admin_holds_every_role_of_their_city_only(rouen, aix):
    """A city admin may act as any role in their city, none in another."""
    admin = make_staff(rouen, Role.CITY_ADMIN)
    assert has_role(user=admin, city=rouen, roles={Role.SAFETY_OFFICER})
    assert not has_role(user=admin, city=aix, roles={Role.EDITOR})


def test_superuser_sits_above_all_cities(rouen, aix):
    """A superuser holds every role everywhere."""
    root = UserFactory(is_superuser=True, is_staff=True)
    assert list_staff_city_ids(user=root) is None
    assert has_role(user=root, city=aix, roles={Role.DATA_PUBLISHER})
