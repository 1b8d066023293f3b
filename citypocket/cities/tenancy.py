"""Which city a row belongs to, found from its model: the back office's scoping and the audit log use it.

A city-owned model is one with a path to a `City`: its own `city` foreign key, else through its
first required foreign key whose model has one (`Question` → `survey__city`, `Datastream` →
`sensor__city`). Plain functions of the models, with no admin in them, so that code outside the
admin (the audit log) finds a row's city the same way `CityScopedAdmin` does.
"""

import functools

from citypocket.cities.models import City


@functools.cache
def city_path(model) -> str | None:
    """The ORM path from `model` to its City (`city`, `survey__city`…); None when it is not city-owned.

    A model's own `city` foreign key wins; otherwise the first required (non-null) foreign key, in
    field order, whose model has a path. Optional links (a comment's parent, a proposal's
    category) never decide which city a row belongs to.
    """
    return _city_path(model, ())


def _city_path(model, seen: tuple) -> str | None:
    fields = [field for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one]
    for field in fields:
        if field.name == "city" and field.related_model is City:
            return "city"
    for field in fields:
        related = field.related_model
        if field.null or related is model or related in seen or related is City:
            continue
        rest = _city_path(related, (*seen, model))
        if rest:
            return f"{field.name}__{rest}"
    return None


def follow_path(obj, path: str) -> int | None:
    """The id at the end of `path` from `obj`, walking foreign-key ids (no query for a missing link)."""
    *links, last = path.split("__")
    for name in links:
        if getattr(obj, obj._meta.get_field(name).attname) is None:
            return None
        obj = getattr(obj, name)
    return getattr(obj, obj._meta.get_field(last).attname)


def city_id_of(obj) -> int | None:
    """The id of the city `obj` belongs to (itself for a City); None when its model is not city-owned."""
    if isinstance(obj, City):
        return obj.pk
    path = city_path(type(obj))
    return None if path is None else follow_path(obj, path)
