"""Factories of the tenancy: staff memberships, and the base every city-owned factory builds on.

`CityFactory` and `UserFactory` live in `core.testing` with the other shared test helpers.
"""

import factory

from citypocket.cities.models import Role, StaffMembership
from citypocket.cities.services import grant_role
from testsupport import CityFactory, UserFactory


def person():
    """An account for a related field (an author, a voter, a follower), verified, with no password.

    Hashing a password costs a good part of a second; tests sign such people in with `login`
    (`force_login`), and `UserFactory()` gives one who can sign in with `PASSWORD`.
    """
    return factory.SubFactory(UserFactory, password=None)


class CityOwnedFactory(factory.django.DjangoModelFactory):
    """A factory of a city-owned model whose related objects are built in the same city.

    `city` comes first and related factories take it (`SubFactory(…, city=SelfAttribute("..city"))`),
    so `ProposalFactory(city=rouen)` builds its process in Rouen too. `_city_from` names the related
    objects that carry a city: when one is given and `city` is not, the city is taken from it
    (`ProposalFactory(process=process)`), and a related object of another city is refused, since
    the models' own `clean()` would refuse it too. Build a cross-city object by hand to test that.
    """

    _city_from: tuple[str, ...] = ()

    class Meta:
        abstract = True

    city = factory.SubFactory(CityFactory)

    @classmethod
    def _generate(cls, strategy, params):
        if "city" not in params:
            for name in cls._city_from:
                related = params.get(name)
                if related is not None:
                    params = {**params, "city": related.city}
                    break
        return super()._generate(strategy, params)

    @classmethod
    def _check_same_city(cls, kwargs: dict) -> None:
        city = kwargs.get("city")
        for name in cls._city_from:
            related = kwargs.get(name)
            if related is not None and city is not None and related.city_id != city.pk:
                raise ValueError(f"{cls.__name__}: {name} belongs to {related.city}, not to {city}")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        cls._check_same_city(kwargs)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        cls._check_same_city(kwargs)
        return super()._create(model_class, *args, **kwargs)


class StaffMembershipFactory(CityOwnedFactory):
    """A staff role in a city, granted through `grant_role` (which also opens the back office)."""

    class Meta:
        model = StaffMembership

    user = person()
    role = Role.EDITOR

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return grant_role(user=kwargs["user"], city=kwargs["city"], role=kwargs["role"])


__all__ = ["CityFactory", "CityOwnedFactory", "StaffMembershipFactory", "UserFactory", "person"]
