"""API rate limits keyed on a salted, daily-rotating hash of the client address.

The address itself is never stored: the cache key holds an HMAC of it with the secret key and the
day, so yesterday's keys cannot be linked to today's and nothing identifies a person.
"""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.throttling import SimpleRateThrottle


def client_fingerprint(request: HttpRequest, *, purpose: str = "rate") -> str:
    """A short-lived pseudonym of the client address, for rate limiting only (never persisted)."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind our reverse proxy, the last X-Forwarded-For entry is the one it appended.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    salt = f"{settings.SECRET_KEY}:{purpose}:{timezone.now():%Y-%m-%d}".encode()
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()[:32]


def configured_rate(setting: str, default: str) -> str:
    """A rate such as "5/h": the Django setting (read from the environment and checked at start-up)."""
    return getattr(settings, setting, "") or default


class ClientRateThrottle(SimpleRateThrottle):
    """Limits requests per client with the rate named by a setting (read at each request)."""

    def __init__(self, setting: str, scope: str, default: str = ""):
        self.setting = setting
        self.scope = scope
        self.default = default
        super().__init__(rate=configured_rate(setting, default))

    def get_cache_key(self, request: HttpRequest) -> str:
        # The scope is also the salt's purpose: keys of two limits cannot be linked to each other.
        return self.cache_format % {"scope": self.scope, "ident": client_fingerprint(request, purpose=self.scope)}

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = configured_rate(self.setting, self.default)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


def read_throttle() -> list[ClientRateThrottle]:
    return [ClientRateThrottle("API_READ_RATE", "read")]


def write_throttle() -> list[ClientRateThrottle]:
    """For every write operation: `@router.post(..., throttle=write_throttle())`."""
    return [ClientRateThrottle("API_WRITE_RATE", "write")]


class FormRateThrottle(ClientRateThrottle):
    """The write limit for HTML forms: per signed-in account (many residents may share a town hall's
    Wi-Fi or a carrier's address during a vote), per client address otherwise."""

    def get_cache_key(self, request: HttpRequest) -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return super().get_cache_key(request)
        salt = f"{settings.SECRET_KEY}:{self.scope}:account".encode()
        ident = hmac.new(salt, str(user.pk).encode(), hashlib.sha256).hexdigest()[:32]
        return self.cache_format % {"scope": f"{self.scope}-account", "ident": ident}


def throttle_form_posts(view):
    """API_WRITE_RATE on an HTML form view: a POST over the limit gets a 429 page with Retry-After
    and a way back, and nothing is written."""
    from functools import wraps

    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method == "POST":
            throttle = FormRateThrottle("API_WRITE_RATE", "form")
            if not throttle.allow_request(request):
                wait = max(1, int(throttle.wait() or 60))
                back = request.META.get("HTTP_REFERER", "")
                if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                    back = f"/{kwargs['city']}/" if "city" in kwargs else "/"  # the page the form was on is unknown
                response = render(request, "core/429.html", {"retry_minutes": -(-wait // 60), "back": back},
                                  status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapper
