"""Every test factory builds a valid object, all of it in one city.

The factories are found, not listed: each app's `tests/factories.py` (and `testsupport`), so a new
factory is checked as soon as it exists.
"""

import importlib
import inspect
from pathlib import Path

import factory
import pytest
from django.db import models

import citypocket
from citypocket.cities.models import City
from testsupport import CityFactory

APP_MODULES = sorted(
    f"citypocket.{path.parent.parent.name}.tests.factories"
    for path in Path(citypocket.__file__).parent.glob("*/tests/factories.py")
)
MODULES = ["testsupport", *APP_MODULES]


def all_factories() -> list[type[factory.django.DjangoModelFactory]]:
    found = {}
    for name in MODULES:
        for _name, value in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if (issubclass(value, factory.django.DjangoModelFactory) and not value._meta.abstract
                    and value._meta.model is not None):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


FACTORIES = all_factories()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a hundred accounts


def city_links(obj: models.Model) -> list[tuple[str, int | None]]:
    """(path, city id) of `obj` and of every object it points to, followed down to the cities."""
    links, seen = [], set()

    def walk(node, path):
        if node is None or (type(node), node.pk) in seen:
            return
        seen.add((type(node), node.pk))
        for field in node._meta.concrete_fields:
            if not field.is_relation:
                continue
            if field.related_model is City:
                links.append((f"{path}{field.name}", getattr(node, field.attname)))
            else:
                walk(getattr(node, field.name), f"{path}{field.name}.")

    walk(obj, "")
    return links


def test_every_app_with_models_has_factories():
    """The factory modules cover the apps the issue names (a module lost in a move would fail here)."""
    apps = {name.split(".")[1] for name in APP_MODULES}
    assert {"cities", "sensors", "air", "mobility", "participation", "safety"} <= apps
    assert "testsupport" in MODULES  # CityFactory and UserFactory
    assert len(FACTORIES) >= 40


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_builds_a_valid_object_in_one_city(factory_class):
    """The default object passes `full_clean()`, and everything it points to belongs to its city."""
    obj = factory_class()
    obj.refresh_from_db()
    obj.full_clean()
    cities = {city_id for _path, city_id in city_links(obj) if city_id is not None}
    assert len(cities) <= 1, city_links(obj)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class", [f for f in FACTORIES if "city" in {field.name for field in f._meta.model._meta.fields}
                      and f._meta.model is not City],
    ids=lambda f: f.__name__,
)
def test_factory_given_a_city_builds_everything_there(factory_class):
    """`Factory(city=…)` puts the object and every object built with it in that city."""
    city = CityFactory()
    obj = factory_class(city=city)
    obj.full_clean()
    assert {city_id for _path, city_id in city_links(obj)} == {city.pk}, city_links(obj)


@pytest.mark.django_db
def test_a_related_object_of_another_city_is_refused():
    """Giving a parent of another city is an error, not a silent cross-city object."""
    from citypocket.participation.tests.factories import ProcessFactory, ProposalFactory

    process = ProcessFactory()
    assert ProposalFactory(process=process).city == process.city
    with pytest.raises(ValueError, match="process belongs to"):
        ProposalFactory(process=process, city=CityFactory())
