"""HTTP helpers shared by the API and pages: public caching headers, CSRF for session writes."""

from functools import wraps

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import check_csrf

from citypocket.core.problems import PermissionDenied


class CsrfFailed(PermissionDenied):
    slug = "csrf-failed"


def enforce_csrf(request) -> None:
    """Session-authenticated API writes need the CSRF token (header X-CSRFToken), as pages do."""
    if check_csrf(request) is not None:
        raise CsrfFailed(_("The CSRF token is missing or wrong: reload the page and try again."))


def cache_public(*, max_age: int):
    """Marks a successful public read as cacheable for `max_age` seconds (ETag comes from ConditionalGet).

    Only for responses that are the same for everyone: never on anything that depends on the
    user, so that no shared cache can leak one person's data to another. Errors are not cached.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, no_cache=True)
            return response

        return wrapper

    return decorate_view(decorator)
