"""Staff must use a second factor (TOTP) before they reach the back office; known-device cookies and
the sessions list."""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from citypocket.accounts.devices import set_device_cookie
from citypocket.cities.selectors import is_city_staff

STAFF_PREFIXES = ("/admin/", "/staff/")
SEEN_KEY = "_citypocket_session_seen"
SESSION_ACTIVITY_EVERY = 300


def session_used_mfa(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class StaffMFARequiredMiddleware:
    """Sends staff without TOTP to enrol, and staff who signed in without it to sign in again.

    Applies to back-office paths only: a staff member is also a citizen elsewhere in the app.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_MFA_REQUIRED
            and request.path.startswith(STAFF_PREFIXES)
            and request.user.is_authenticated
            and is_city_staff(request.user)
        ):
            has_totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
            if not has_totp:
                messages.info(request, _("Staff accounts need a second factor. Set up an authenticator app."))
                return redirect(reverse("mfa_activate_totp"))
            if not session_used_mfa(request):
                messages.info(request, _("Please sign in again with your authenticator code."))
                return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
        return self.get_response(request)


class KnownDeviceMiddleware:
    """Gives the browser its known-device cookie after a successful sign-in (accounts.devices; the
    value is made by the sign-in defence handler when the person signs in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "signin_device_cookie", None)
        if value:
            set_device_cookie(response, value)
        return response


class SessionActivityMiddleware:
    """Keeps "last seen" of the person's sessions list (allauth.usersessions) up to date, writing at
    most every SESSION_ACTIVITY_EVERY seconds per session, where allauth's own middleware writes at
    every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.session_key and request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SEEN_KEY, 0) >= SESSION_ACTIVITY_EVERY:
                UserSession.objects.create_from_request(request)
                request.session[SEEN_KEY] = now
        return self.get_response(request)
