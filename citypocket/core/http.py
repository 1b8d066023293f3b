"""HTTP helpers shared by the API and pages: public caching headers."""

from django.views.decorators.cache import cache_control
from ninja.decorators import decorate_view


def cache_public(*, max_age: int):
    """Marks a public read as cacheable for `max_age` seconds (ETag comes from ConditionalGet).

    Only for responses that are the same for everyone: never on anything that depends on the
    user, so that no shared cache can leak one person's data to another.
    """
    return decorate_view(cache_control(public=True, max_age=max_age))
