"""Edge cache: the hottest public reads answered in front of Django, from the last answer Django gave.

An app registers a public read (one answer for everyone, `Cache-Control: public`) with the number of
seconds its answer may be reused, read at each request:

    edge.register("api/v1/cities/<city>/car-parks", r"/api/v1/cities/[-\\w]+/car-parks",
                  seconds=lambda: settings.MOBILITY_RESPONSE_CACHE_SECONDS)

Under the production server (`citypocket.wsgi`), a GET of a registered path goes through Django as
usual the first time; its successful answer is kept in the worker's memory for those seconds and
the same request (scheme, path, query string, negotiated language, Accept header) is answered from there, with
the same headers plus `Age`, and a 304 when `If-None-Match` names its ETag. When the seconds have passed, one request
refreshes the answer through Django while the others still get the previous one (never more than
twice the seconds old), so that a kept answer is never recomputed by every worker thread at once.
The refresh asks Django without the client's validators, so an unchanged answer is kept again and
the client still gets its 304 from it.

Django's middleware, routing, rate limit and database are not involved in a hit: that is the point,
and it is why only public answers qualify. What is never kept: any status but 200, an answer
without `Cache-Control: public`, one that sets a cookie or varies on anything but Accept-Language and Accept,
one over MAX_BODY, and requests carrying credentials; a host outside ALLOWED_HOSTS goes to Django
(400). Memory is bounded in bytes (MAX_BYTES per worker, oldest answers dropped first).
"""

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.utils.translation import get_language_from_request

logger = logging.getLogger("citypocket.request")

MAX_BYTES = 32 * 1024 * 1024  # bodies kept per worker; the oldest go first when full
MAX_BODY = 1024 * 1024  # a larger answer is never kept
# What a 304 carries (RFC 9110, 15.4.5), plus Age.
NOT_MODIFIED_HEADERS = {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}


@dataclass(frozen=True, slots=True)
class EdgeRoute:
    route: str  # the route pattern, as the request log names it
    pattern: re.Pattern
    seconds: Callable[[], int]


@dataclass(frozen=True, slots=True)
class Entry:
    stored: float  # time.monotonic() when Django gave the answer
    expires: float
    status: str
    headers: list[tuple[str, str]]
    etag: str | None
    body: bytes


_routes: list[EdgeRoute] = []


def register(route: str, path_regex: str, *, seconds: Callable[[], int]) -> None:
    """Serves GETs whose whole path matches `path_regex` from the edge for `seconds()` (0 = not at all)."""
    if any(existing.route == route for existing in _routes):
        return
    _routes.append(EdgeRoute(route, re.compile(path_regex + r"\Z"), seconds))


def _request_key(environ: dict) -> tuple[str, ...] | None:
    """What an answer depends on: scheme, path, query, the language Django's LocaleMiddleware
    would pick (cookie, Accept-Language) and the Accept header (an answer may vary on it: NGSI-LD
    endpoints answer application/ld+json or application/json, see core.ngsild); None for a host
    Django would refuse (it answers 400)."""
    request = WSGIRequest(environ)
    try:
        request.get_host()
    except DisallowedHost:
        return None
    return (request.scheme, request.path_info, environ.get("QUERY_STRING", ""), get_language_from_request(request),
            environ.get("HTTP_ACCEPT", "").strip())


def _matches_etag(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    weak = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == weak for tag in header.split(","))


class EdgeCache:
    """WSGI middleware around Django's application (see the module docstring)."""

    def __init__(
        self, app, *, clock: Callable[[], float] = time.monotonic, max_bytes: int = MAX_BYTES, max_body: int = MAX_BODY
    ):
        self.app = app
        self.clock = clock
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.entries: dict[tuple[str, ...], Entry] = {}  # oldest first
        self.size = 0  # bytes of the bodies kept
        self.refreshing: set[tuple[str, ...]] = set()
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        route = next((r for r in _routes if r.pattern.match(path)), None)
        if route is None:
            return self.app(environ, start_response)
        seconds = route.seconds()
        if seconds <= 0:
            return self.app(environ, start_response)
        key = _request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        now = self.clock()
        entry = self.entries.get(key)
        if entry is not None and entry.expires > now:
            return self._hit(entry, environ, start_response, route, now)
        if method == "HEAD":
            return self.app(environ, start_response)
        claimed = self._claim(key)
        if not claimed and entry is not None and entry.expires + seconds > now:
            # Another request is already refreshing this answer: the previous one serves meanwhile.
            return self._hit(entry, environ, start_response, route, now)
        try:
            return self._miss(key, seconds, environ, start_response)
        finally:
            if claimed:
                self.refreshing.discard(key)

    def _claim(self, key) -> bool:
        with self.lock:
            if key in self.refreshing:
                return False
            self.refreshing.add(key)
            return True

    @staticmethod
    def _answer(entry: Entry, environ: dict, start_response, now: float) -> tuple[str, list[bytes]]:
        age = ("Age", str(int(now - entry.stored)))
        if entry.etag and _matches_etag(environ.get("HTTP_IF_NONE_MATCH", ""), entry.etag):
            status, body = "304 Not Modified", b""
            headers = [(n, v) for n, v in entry.headers if n.lower() in NOT_MODIFIED_HEADERS]
        else:
            status, headers = entry.status, entry.headers
            body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else entry.body
        start_response(status, [*headers, age])
        return status, [body]

    def _hit(self, entry: Entry, environ: dict, start_response, route: EdgeRoute, now: float) -> Iterable[bytes]:
        started = time.perf_counter()
        status, body = self._answer(entry, environ, start_response, now)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "method": environ.get("REQUEST_METHOD"),
                    "route": route.route,
                    "status": int(status[:3]),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "edge": "hit",
                },
            )
        return body

    def _miss(self, key, seconds: int, environ: dict, start_response) -> Iterable[bytes]:
        """Asks Django for the whole answer (without the client's validators, so that an unchanged answer
        is a 200 that can be kept), keeps it if it qualifies, then answers the client from it."""
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda data: None  # the body is returned below, never written through this

        unconditional = {k: v for k, v in environ.items() if k not in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")}
        stored = self.clock()
        result = self.app(unconditional, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()  # Django's request_finished: connections go back as after any request
        status, headers = captured["status"], captured["headers"]
        if self._keepable(status, headers, body):
            etag = next((v for n, v in headers if n.lower() == "etag"), None)
            entry = Entry(stored, stored + seconds, status, headers, etag, body)
            self._store(key, entry)
            return self._answer(entry, environ, start_response, stored)[1]  # a 304 if the client had it
        start_response(status, list(headers))
        return [body]

    def _keepable(self, status: str, headers: list[tuple[str, str]], body: bytes) -> bool:
        if not status.startswith("200") or len(body) > self.max_body:
            return False
        names = {name.lower(): value for name, value in headers}
        if "set-cookie" in names:
            return False
        varies = {part.strip().lower() for part in names.get("vary", "").split(",") if part.strip()}
        if varies - {"accept-language", "accept"}:
            return False  # the answer depends on something (cookie, encoding…) that is not in the key
        control = names.get("cache-control", "").lower()
        return "public" in control and "no-store" not in control and "private" not in control

    def _store(self, key, entry: Entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            if self.size + len(entry.body) > self.max_bytes:
                now = self.clock()
                for stale in [k for k, e in self.entries.items() if e.expires <= now]:
                    self.size -= len(self.entries.pop(stale).body)
                while self.entries and self.size + len(entry.body) > self.max_bytes:
                    self.size -= len(self.entries.pop(next(iter(self.entries))).body)  # the oldest first
            self.entries[key] = entry
            self.size += len(entry.body)
