"""Known devices (OWASP "device cookies"): a browser that signed in to an account keeps a signed cookie
that binds it to that account, so that a lockout caused by somebody else does not stop its owner.

The cookie holds a random device id and an HMAC binding that id to the account and to its current
password hash: it names no account in clear, it cannot be forged without the secret key, and a new
password (or a password reset) makes every device of the account unknown again. Nothing is stored
on the server for a device, except while it has failed attempts (its pseudonym, defence.device_key).

Under the ePrivacy rules (CNIL guidance on cookies) this is a security cookie strictly needed for
the sign-in the person asks for: no consent is asked.
"""

import secrets

from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

DEVICE_COOKIE = "citypocket_device"
_SALT = "citypocket.accounts.devices"


def _binding(user, device_id: str) -> str:
    return salted_hmac(_SALT, f"{user.pk}:{device_id}:{user.password}", algorithm="sha256").hexdigest()[:32]


def make_device_cookie(*, user, device_id: str | None = None) -> tuple[str, str]:
    """A new cookie value for `user` on this device (a new device id unless one is given): (id, value)."""
    device_id = device_id or secrets.token_urlsafe(16)
    return device_id, signing.dumps({"d": device_id, "a": _binding(user, device_id)}, salt=_SALT)


def read_device_id(request: HttpRequest, *, user) -> str | None:
    """The id of this device when its cookie is valid, not older than KNOWN_DEVICE_COOKIE_AGE and
    bound to `user` (with the password `user` has now)."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value or user is None or not user.pk:
        return None
    try:
        payload = signing.loads(value, salt=_SALT, max_age=settings.KNOWN_DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    device_id, binding = payload.get("d"), payload.get("a")
    if not isinstance(device_id, str) or not isinstance(binding, str):
        return None
    return device_id if constant_time_compare(binding, _binding(user, device_id)) else None


def recognise_device(request: HttpRequest, login: str | None) -> str | None:
    """The device id when the request carries a valid device cookie of the account that `login` (an
    e-mail address, as typed) signs in to; None for any other request."""
    if not login or DEVICE_COOKIE not in request.COOKIES:
        return None
    for user in filter_users_by_email(login, is_active=True):
        device_id = read_device_id(request, user=user)
        if device_id:
            return device_id
    return None


def set_device_cookie(response: HttpResponse, value: str) -> None:
    """HttpOnly, SameSite=Lax, and Secure wherever the session cookie is (production)."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=settings.KNOWN_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
