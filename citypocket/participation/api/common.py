"""Shared by the participation endpoints: CSRF for session writes, and the city of the path."""

from django.utils.translation import gettext as _
from ninja.utils import check_csrf

from citypocket.core.problems import PermissionDenied


class CsrfFailed(PermissionDenied):
    slug = "csrf-failed"


def enforce_csrf(request) -> None:
    """Session-authenticated writes need the CSRF token (header X-CSRFToken), as pages do."""
    if check_csrf(request) is not None:
        raise CsrfFailed(_("The CSRF token is missing or wrong: reload the page and try again."))
