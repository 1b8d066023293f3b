"""Bearer-token authentication and per-token rate limiting of the HTTP ingest endpoint."""

import math
import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.security.http import HttpBearer
from ninja.throttling import BaseThrottle

from citypocket.sensors import conf, selectors
from citypocket.sensors.tokens import hash_token


class IngestTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the request's `auth` is the active IngestToken (with its city)."""

    def __call__(self, request: HttpRequest):
        # Not HttpBearer.__call__: it logs the whole header (the secret) on a malformed one in DEBUG.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        if len(token) > 200:
            return None
        return selectors.find_token(token_hash=hash_token(token))


class IngestTokenThrottle(BaseThrottle):
    """A fixed-window counter per token in the shared cache (INGEST_RATE, e.g. "600/min")."""

    PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

    def __init__(self):
        self._wait = 1.0

    def rate(self) -> tuple[int, int]:
        count, _slash, period = str(conf.get("INGEST_RATE")).partition("/")
        return int(count), self.PERIODS.get(period.strip(), 60)

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        limit, period = self.rate()
        now = time.time()
        window = int(now // period)
        key = f"sensors:ingest-rate:{token.pk}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=period + 1)
            used = 1
        self._wait = max(1.0, (window + 1) * period - now)
        return used <= limit

    def wait(self) -> float:
        return math.ceil(self._wait)
