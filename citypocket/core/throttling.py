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


class ClientRateThrottle(SimpleRateThrottle):
    """Limits requests per client with the rate named by a setting (read at each request)."""

    def __init__(self, setting: str, scope: str):
        self.setting = setting
        self.scope = scope
        super().__init__(rate=getattr(settings, setting))

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_fingerprint(request)}

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = self.parse_rate(getattr(settings, self.setting))
        return super().allow_request(request)


def read_throttle() -> list[ClientRateThrottle]:
    return [ClientRateThrottle("API_READ_RATE", "read")]


def write_throttle() -> list[ClientRateThrottle]:
    """For every write operation: `@router.post(..., throttle=write_throttle())`."""
    return [ClientRateThrottle("API_WRITE_RATE", "write")]
