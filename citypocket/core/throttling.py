"""Rate limits: the one limiter of the API, the HTML forms, ingest, safety and failed-attempt counters.

Counts live in the default cache, which every process of an install shares (Redis, or else the
database cache: see settings.CACHES) and which increments atomically, so that "5 per hour" means 5
per hour for the install, not per web worker.

A limit of N per period opens a window at a client's first request; the window lasts the period
and accepts N requests, and a refused request is told (Retry-After) when the window closes. The
count is one atomic increment, so N means N however many processes count at once; in the common
case a request costs one cache read and that increment. Rates are "count/period" strings from
settings, validated at start-up by the same parser (citypocket.environment.parse_rate).

One exception, the read limit: without Redis the shared cache is a table of the database, and a
count there is a locked row and an UPDATE on every GET, which would make every public read a write
that queues behind the others of the same client. The read limit (API_READ_RATE, a guard against
scraping, not a quota) is therefore counted in each process's memory when there is no Redis:
"1200 a minute" then means up to that many per web process. Write limits, sign-in limits and
failed-attempt counters always use the shared cache.

Clients are keyed by a salted, daily-rotating hash of their address: the address itself is never
stored, yesterday's keys cannot be linked to today's, and nothing identifies a person. The address
is the one the outermost trusted proxy saw (TRUSTED_PROXY_COUNT), the same rule allauth's login
limits use (ALLAUTH_TRUSTED_PROXY_COUNT in settings).
"""

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from ninja.throttling import BaseThrottle

from citypocket.environment import Rate, parse_rate


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT = N proxies the Nth address of
    X-Forwarded-For from the right (the one the outermost trusted proxy saw; what lies further left
    was written by the client). A header shorter than N did not come through the proxies: REMOTE_ADDR."""
    depth = settings.TRUSTED_PROXY_COUNT
    if depth:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= depth and forwarded[-depth]:
            return forwarded[-depth]
    return request.META.get("REMOTE_ADDR", "")


def client_fingerprint(request: HttpRequest, *, purpose: str = "rate") -> str:
    """A short-lived pseudonym of the client address, for rate limiting only (kept in the cache for the
    window, never with the address)."""
    salt = f"{settings.SECRET_KEY}:{purpose}:{timezone.now().date().isoformat()}".encode()  # the UTC day
    return hmac.new(salt, client_address(request).encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=64)
def rate_of(value: str) -> Rate:
    """The parsed rate of a setting's value (validated at start-up; cached, settings rarely change)."""
    return parse_rate(value)


# Set in the WSGI environ (never a header: those are HTTP_*) by the fast lane in front of Django
# (core.fastlane) to the scope of the limit it already counted, when it then leaves the request to Django.
COUNTED = "citypocket.counted"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


class LocalCounts:
    """The process's own counters (the read limit without Redis, see the module docstring): the part of
    the cache API that `consume` uses (get, add, incr), on a dict under one lock, so that the threads
    of a web process count exactly. A cache backend in memory would pickle each value and check each
    key's characters at every call, on every public read."""

    def __init__(self, *, max_entries: int, clock=time.time):
        self.max_entries = max_entries
        self.clock = clock
        self._cache: dict[str, list] = {}  # key -> [expires at (clock()), value]
        self._lock = threading.Lock()

    def get(self, key: str, default=None):
        entry = self._cache.get(key)
        return default if entry is None or entry[0] <= self.clock() else entry[1]

    def add(self, key: str, value, timeout: float) -> bool:
        """Sets `key` for `timeout` seconds unless it holds a live value; True when it was set."""
        with self._lock:
            now = self.clock()
            entry = self._cache.get(key)
            if entry is not None and entry[0] > now:
                return False
            if entry is None and len(self._cache) >= self.max_entries:
                self._cull(now)
            self._cache[key] = [now + timeout, value]
            return True

    def incr(self, key: str, delta: int = 1) -> int:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None or entry[0] <= self.clock():
                raise ValueError(f"Key {key!r} not found.")
            entry[1] += delta
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _cull(self, now: float) -> None:
        """Room for a new key: the expired ones go, and when every one is live, the oldest third (as a
        full cache in memory would; those clients' windows start again)."""
        for key in [key for key, entry in self._cache.items() if entry[0] <= now]:
            del self._cache[key]
        if len(self._cache) >= self.max_entries:
            for key in list(self._cache)[: max(1, len(self._cache) // 3)]:
                del self._cache[key]


local_counts = LocalCounts(max_entries=50_000)


def consume(
    key: str, rate: Rate, *, now: float | None = None, store: BaseCache | LocalCounts | None = None
) -> Decision:
    """Counts one request under `key` in `store` (the shared cache by default); refused when the
    window already holds `rate.count` of them."""
    store = cache if store is None else store
    now = time.time() if now is None else now
    opened = f"limit:{key}"
    start = store.get(opened)
    known = start is not None
    if not known and not store.add(opened, now, timeout=rate.seconds):
        start = store.get(opened)  # another request opened the window meanwhile
        known = start is not None
    if start is None:
        start = now
    # The window's start names its counter: a counter never outlives its window.
    used = _increment(f"{opened}:{start:.6f}", timeout=rate.seconds + 1, exists=known, store=store)
    if used <= rate.count:
        return Decision(True)
    return Decision(False, max(1, math.ceil(start + rate.seconds - now)))


def count(key: str, *, timeout: int) -> int:
    """Adds one to the counter `key` (which lives `timeout` seconds from its first count) and returns
    the total, atomically across processes: for failed-attempt counters."""
    return _increment(f"count:{key}", timeout=timeout, exists=False, store=cache)


def _increment(key: str, *, timeout: int, exists: bool, store: BaseCache | LocalCounts) -> int:
    for _attempt in range(3):
        if not exists:
            store.add(key, 0, timeout=timeout)
        try:
            return store.incr(key)
        except ValueError:  # expired or evicted between the two calls: create it again
            exists = False
    raise RuntimeError(f"The cache keeps losing the counter {key!r}.")


class Limit(BaseThrottle):
    """The limit whose rate the setting `setting` holds, per client; `scope` names its counters.

    A ninja throttle (`throttle=[LIMIT]`) and, through `check`, the limit of any other view. One
    instance serves every thread: the wait of the last refusal is kept per thread.
    """

    def __init__(self, setting: str, *, scope: str, local_without_redis: bool = False):
        self.setting = setting
        self.scope = scope
        self.local_without_redis = local_without_redis
        self._local = threading.local()

    def store(self) -> BaseCache | LocalCounts:
        """Where the counts live: the shared cache, or this process's memory for a limit that allows it
        when the shared cache is the database (see the module docstring)."""
        if self.local_without_redis and not settings.REDIS_URL:
            return local_counts
        return cache

    def ident(self, request: HttpRequest) -> str | None:
        """Whose requests count together (None: not limited). The scope salts the hash, so that the
        keys of two limits cannot be linked to each other."""
        return client_fingerprint(request, purpose=self.scope)

    def check(self, request: HttpRequest) -> Decision:
        if request.META.get(COUNTED) == self.scope:
            return Decision(True)  # counted, and allowed, in front of Django (core.fastlane)
        ident = self.ident(request)
        if ident is None:
            return Decision(True)
        return consume(f"{self.scope}:{ident}", rate_of(getattr(settings, self.setting)), store=self.store())

    def allow_request(self, request: HttpRequest) -> bool:
        decision = self.check(request)
        self._local.wait = decision.retry_after
        return decision.allowed

    def wait(self) -> float:
        return getattr(self._local, "wait", 0) or 1


class AccountLimit(Limit):
    """Per signed-in account (many residents may share a town hall's Wi-Fi or a carrier's address
    during a vote), per client address otherwise."""

    def ident(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return super().ident(request)
        salt = f"{settings.SECRET_KEY}:{self.scope}:account".encode()
        return "account-" + hmac.new(salt, str(user.pk).encode(), hashlib.sha256).hexdigest()[:32]


# The limits of the platform. The HTML forms of safety share the counters of its API.
API_READ = Limit("API_READ_RATE", scope="read", local_without_redis=True)
API_WRITE = Limit("API_WRITE_RATE", scope="write")
FORM_WRITE = AccountLimit("API_WRITE_RATE", scope="form")
SAFETY_REPORT = Limit("SAFETY_REPORT_RATE", scope="safety-report")
SAFETY_FOLLOW = Limit("SAFETY_FOLLOW_RATE", scope="safety-follow")


def read_throttle() -> list[Limit]:
    return [API_READ]


def write_throttle() -> list[Limit]:
    """For every write operation: `@router.post(..., throttle=write_throttle())`."""
    return [API_WRITE]


def throttle_form_posts(view):
    """API_WRITE_RATE on an HTML form view: a POST over the limit gets a 429 page with Retry-After
    and a way back, and nothing is written."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method == "POST":
            decision = FORM_WRITE.check(request)
            if not decision.allowed:
                back = request.META.get("HTTP_REFERER", "")
                if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                    back = f"/{kwargs['city']}/" if "city" in kwargs else "/"  # the page the form was on is unknown
                response = render(request, "core/429.html",
                                  {"retry_minutes": -(-decision.retry_after // 60), "back": back}, status=429)
                response["Retry-After"] = str(decision.retry_after)
                return response
        return view(request, *args, **kwargs)

    return wrapper
