"""Sign-in defence with django-axes: failed passwords are counted per account, per client address and
per known device, each against its own budget, and staff are told when their account is attacked.

Budgets (settings.SIGNIN_FAILURE_LIMITS, failures within AXES_COOLOFF_TIME, 15 minutes):

* a sign-in without a known-device cookie is refused while its account has 10 failures (from
  anywhere) or its client address 50 (on any accounts). Per account stops guessing one person's
  password from many addresses; per address stops one client spraying many accounts, with room for
  a town hall's Wi-Fi or a carrier's shared address;
* a sign-in from a known device of that account (devices.py) counts against that device's own
  budget only, 5: the account and address locks that others cause do not stop the account's owner.

An attacker can therefore lock an account only for new devices, and only for 15 minutes at a time;
the lock ends AXES_COOLOFF_TIME after it began (attempts while locked are refused, not counted).

Axes stores a row per (account as typed, client, user agent) holding its failures, deleted once
older than the cool-off. The client column never holds an address: it holds a pseudonym written as
an IPv6 address (the column is an `inet` on PostgreSQL), an HMAC of the address with the secret key
and the day, or of the known device's id.
"""

import ipaddress
import logging
from dataclasses import dataclass

from allauth.account.utils import filter_users_by_email
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from citypocket.accounts.devices import make_device_cookie, read_device_id, recognise_device
from citypocket.accounts.tasks import send_sign_in_alert
from citypocket.cities.selectors import is_city_staff
from citypocket.core.throttling import client_address

logger = logging.getLogger(__name__)

_SALT = "citypocket.accounts.defence"
# Pseudonyms lie in 2001:db8::/32, the documentation range, so that no real client has one; the next
# 4 bits tell an address's pseudonym from a device's, and 92 bits of HMAC follow.
_PSEUDONYMS = ipaddress.IPv6Network("2001:db8::/32")
_ADDRESS, _DEVICE = 0xA, 0xD
ALERT_EVERY = 3600  # seconds: at most one e-mail of each kind per staff account in that time


def _pseudonym(kind: int, purpose: str, value: str) -> str:
    digest = salted_hmac(f"{_SALT}.{purpose}", value, algorithm="sha256").digest()
    bits = int.from_bytes(digest[:12]) >> 4
    return str(ipaddress.IPv6Address(int(_PSEUDONYMS.network_address) | (kind << 92) | bits))


def is_device_key(value: str | None) -> bool:
    """Whether a stored client value is a known device's pseudonym (not an address's)."""
    try:
        ip = ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return ip in _PSEUDONYMS and (int(ip) >> 92) & 0xF == _DEVICE


def address_key(request: HttpRequest) -> str:
    """The client address as axes (AXES_CLIENT_IP_CALLABLE) and allauth (AccountAdapter) see it: a
    pseudonym, so that no address is stored, with a daily key, so that yesterday's rows cannot be
    linked to today's. An IPv6 client counts per /64 (one subscriber's network, as allauth counts):
    hopping addresses inside it buys no attempts."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        group = address
    else:
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        group = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return _pseudonym(_ADDRESS, "address", f"{timezone.now():%Y-%m-%d}:{group}")


def device_key(device_id: str) -> str:
    """A known device's pseudonym, under which axes counts the failures made from it."""
    return _pseudonym(_DEVICE, "device", device_id)


def login_key(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a sign-in names, as typed, trimmed and lower-cased: e-mail
    addresses are case-insensitive here, and "Anna@x.org" must not buy more attempts than "anna@x.org"."""
    source = credentials or getattr(request, "POST", None) or {}
    for field in ("email", "username", "login"):
        value = source.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip().lower().replace("\x00", "")[:255]
    return None


def _recognise(request: HttpRequest, credentials: dict | None) -> str | None:
    """Once per request: the device's pseudonym when the sign-in comes from a known device of the
    account it names. Axes then records the request's failures under that pseudonym, not the address's."""
    if not hasattr(request, "signin_device_key"):
        device_id = recognise_device(request, get_client_username(request, credentials))
        request.signin_device_key = device_key(device_id) if device_id else None
        if device_id:
            request.axes_ip_address = request.signin_device_key
    return request.signin_device_key


@dataclass(frozen=True)
class Budget:
    kind: str  # "account", "address" or "device"
    failures: int
    limit: int


def count_failures(request: HttpRequest, **filters) -> int:
    """Failures recorded by axes within the cool-off, for the rows matching `filters`."""
    rows = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request), **filters)
    return rows.aggregate(total=Sum("failures_since_start"))["total"] or 0


def list_budgets(request: HttpRequest, credentials: dict | None = None) -> list[Budget]:
    """The budgets a sign-in attempt draws on: its known device's alone, or its address's and account's."""
    limits = settings.SIGNIN_FAILURE_LIMITS
    login = get_client_username(request, credentials)
    device = _recognise(request, credentials)
    if device:
        return [Budget("device", count_failures(request, username=login, ip_address=device), limits["device"])]
    budgets = [Budget("address", count_failures(request, ip_address=request.axes_ip_address), limits["address"])]
    if login:
        budgets.append(Budget("account", count_failures(request, username=login), limits["account"]))
    return budgets


def compute_binding_budget(request: HttpRequest, credentials: dict | None = None) -> Budget:
    """The budget nearest to its limit (or furthest past it): the attempt is refused when it is spent."""
    return max(list_budgets(request, credentials), key=lambda budget: budget.failures - budget.limit)


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the binding budget's limit. SignInDefenceHandler.get_failures gives its
    failures, so that axes' own test, failures >= limit, means "a budget of this attempt is spent"."""
    return compute_binding_budget(request, credentials).limit


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """AXES_LOCKOUT_PARAMETERS, as the budgets: a known device with its account; else address, account."""
    if isinstance(request_or_attempt, AccessAttempt):
        device = is_device_key(request_or_attempt.ip_address)
    else:
        device = bool(getattr(request_or_attempt, "signin_device_key", None))
    return [["username", "ip_address"]] if device else ["ip_address", "username"]


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 page with Retry-After. It is the same whichever budget is spent, so
    that it does not tell whether an account exists."""
    seconds = int(get_cool_off(request).total_seconds())
    response = render(request, "accounts/locked_out.html", {"minutes": -(-seconds // 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class SignInDefenceHandler(AxesDatabaseHandler):
    """axes' database handler (counts shared by every process) with the budgets above, known devices
    and staff alerts."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        _recognise(request, credentials)
        return super().is_allowed(request, credentials)

    def get_failures(self, request, credentials: dict | None = None) -> int:
        return compute_binding_budget(request, credentials).failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        _recognise(request, credentials)
        super().user_login_failed(sender, credentials, request, **kwargs)
        alert_staff_under_attack(request, credentials)
        return None

    def user_logged_in(self, sender, request, user, **kwargs):
        """After a successful sign-in: the device's own failures are forgiven and the browser gets (or
        renews) its known-device cookie, bound to the account's password as it is now."""
        super().user_logged_in(sender, request, user, **kwargs)
        device_id = read_device_id(request, user=user)
        if device_id:
            AccessAttempt.objects.filter(ip_address=device_key(device_id)).delete()
        request.signin_device_cookie = make_device_cookie(user=user, device_id=device_id)[1]


def alert_staff_under_attack(request: HttpRequest, credentials: dict | None) -> None:
    """A staff account (a city role or superuser) whose failures reach SIGNIN_STAFF_ALERT_FAILURES is
    e-mailed, and again when it is locked: at most one e-mail of each kind an hour. The log line
    (WARNING) names the account by id, never the address."""
    login = get_client_username(request, credentials)
    if not login:
        return
    failures = count_failures(request, username=login)
    if failures < settings.SIGNIN_STAFF_ALERT_FAILURES:
        return
    kind = "locked" if failures >= settings.SIGNIN_FAILURE_LIMITS["account"] else "failures"
    for user in filter_users_by_email(login, is_active=True):
        if not is_city_staff(user) or not cache.add(f"signin-alert:{kind}:{user.pk}", True, timeout=ALERT_EVERY):
            continue
        logger.warning("staff account under sign-in attack", extra={"event": kind, "account": user.pk,
                                                                    "failures": failures})
        transaction.on_commit(
            lambda pk=user.pk: send_sign_in_alert.enqueue(user_id=pk, kind=kind, failures=failures)
        )
