"""Fast lane: the hottest anonymous API reads answered in front of Django, by the code of their views.

Django's request cycle (its middleware chain, URL resolving, ninja's routing and parameter validation,
the database health check) costs more than what these reads do: one or two prepared queries and a
JSON rendering. An app registers such a read with the query parameters it takes and a handler that
parses them and returns the view's own `core.http.Read` (the same function the view calls: one
implementation of each answer):

    fastlane.register("api/v1/cities/<city>/air/now", r"/api/v1/cities/(?P<city>[-\\w]+)/air/now",
                      handler=fast_air_now, params={"lang"})

Under the production server (`citypocket.wsgi`), a GET of a registered path is answered here when it
is plain: no cookie, no credentials, no validators but If-None-Match, a host in ALLOWED_HOSTS, a
secure request when SECURE_SSL_REDIRECT is on, each parameter known, given once and in the form the
handler accepts, `?lang=` one of LANGUAGES. Anything else — and every answer but a 200 or a 304:
an unknown city, a value out of range, a database error — is declined and Django answers it, so that
problems stay RFC 7807 from one place. HEAD goes to Django too.

What stays as in Django:
- the body and ETag are the view's (`Read`); the 304 is decided before the body when the read knows
  its ETag, from the body's MD5 otherwise, as ConditionalGetMiddleware does;
- the headers are Django's: the first answer of each read (per scheme, language and status) goes
  through Django and its headers are kept as the template of the next ones, the ETag, Content-Length
  and the read's own headers filled in per answer (security headers, CSP, Vary, Content-Language and
  Cache-Control are thus whatever the middleware gives, never a second copy of its rules);
- the language is LocaleMiddleware's (Accept-Language), or `?lang=` (LanguageParameterMiddleware);
- the read rate limit (core.throttling.API_READ) counts the request here; a refused request goes to
  Django, which answers the 429; a counted request that is declined is not counted twice;
- the request log line (logger `citypocket.request`, `"lane": "fast"`).

The database: the thread's Django connection. Django checks a persistent connection with `SELECT 1`
before the first query of each request (CONN_HEALTH_CHECKS); the fast lane skips that check — the
read's own query is the check: when it fails on a broken connection (OperationalError,
InterfaceError), the connection is closed and the request declined, and Django answers it on a new
connection. After each answer, a connection past CONN_MAX_AGE, after an error, or from the pool
(DB_POOL_SIZE) is released as Django's request_finished would.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, connections
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import get_language_from_request

from citypocket.core.guards import MAX_REQUEST_LINE, NUL
from citypocket.core.http import Read
from citypocket.core.throttling import API_READ, COUNTED

logger = logging.getLogger("citypocket.request")

# Headers filled in per answer; every other header of the template is Django's, as it gave it.
DYNAMIC = ("etag", "content-length", "x-prediction-source")
# Validators ConditionalGetMiddleware would weigh besides If-None-Match (a 412 is Django's to give).
OTHER_VALIDATORS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_MODIFIED_SINCE")


class Decline(Exception):
    """Raised by a handler: the request is not plain enough, Django answers it."""


@dataclass(frozen=True, slots=True)
class Lane:
    route: str  # the route pattern, as the request log names it
    pattern: re.Pattern
    handler: Callable[..., Read]  # handler(request, language, query, **path groups)
    params: frozenset[str]


_lanes: list[Lane] = []


def register(route: str, path_regex: str, *, handler: Callable[..., Read], params: Iterable[str] = ()) -> None:
    """Answers plain GETs whose whole path matches `path_regex` with `handler` (see the module docstring).
    The handler receives the WSGIRequest, the language, the query parameters (a dict of strings, each
    in `params`) and the path's named groups; it raises Decline (or anything) to leave the request to Django."""
    if any(existing.route == route for existing in _lanes):
        return
    _lanes.append(Lane(route, re.compile(path_regex + r"\Z"), handler, frozenset(params) | {"lang"}))


# --- Parameters as ninja's validation reads them; anything less plain is declined (Django says why).
# A coordinate as a browser or Python writes a float holds up to 17 significant digits (String(1.0993468743210912)):
# those are plain too.
_NUMBER = re.compile(r"-?(0|[1-9]\d{0,3})(\.\d{1,20})?\Z")
_INTEGER = re.compile(r"(0|[1-9]\d{0,5})\Z")
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?\Z")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def number(value: str) -> float:
    if not _NUMBER.match(value):
        raise Decline
    return float(value)


def integer(value: str) -> int:
    if not _INTEGER.match(value):
        raise Decline
    return int(value)


def boolean(value: str) -> bool:
    try:
        return _BOOLEANS[value]
    except KeyError:
        raise Decline from None


def moment(value: str) -> datetime:
    """An ISO 8601 date and time (pydantic reads these the same; its rarer forms go to Django)."""
    if not _MOMENT.match(value):
        raise Decline
    return datetime.fromisoformat(value)


def _release(alias: str = "default") -> None:
    """After a fast answer: what request_finished's close_old_connections does, minus the reset that
    makes the next request run the health check (see the module docstring)."""
    conn = connections[alias]
    if conn.connection is None or conn.in_atomic_block:  # a transaction is its owner's (tests)
        return
    pooled = getattr(conn, "pool", None) is not None
    if (conn.errors_occurred or pooled or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]
            or (conn.close_at is not None and time.monotonic() >= conn.close_at)):
        conn.close_if_unusable_or_obsolete()
        if pooled and conn.connection is not None:
            conn.close()  # back to the pool, as at the end of any request


class FastLane:
    """WSGI middleware around Django's application (see the module docstring)."""

    def __init__(self, app):
        self.app = app
        # (route, scheme, language, status) -> Django's headers, None for the DYNAMIC ones.
        self.templates: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}

    def __call__(self, environ: dict, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        for lane in _lanes:
            match = lane.pattern.match(path)
            if match is not None:
                break
        else:
            return self.app(environ, start_response)
        started = time.perf_counter()
        if ("HTTP_COOKIE" in environ or "HTTP_AUTHORIZATION" in environ
                or any(name in environ for name in OTHER_VALIDATORS)):
            return self.app(environ, start_response)
        request = WSGIRequest(environ)
        plain = self._plain(request, lane)
        if plain is None:
            return self.app(environ, start_response)
        language, query = plain
        decision = API_READ.check(request)
        if not decision.allowed:
            return self.app(environ, start_response)  # Django counts it again and answers the 429
        environ[COUNTED] = API_READ.scope
        answer = self._answer(request, lane, language, query, match.groupdict())
        if answer is None:
            return self.app(environ, start_response)
        status, dynamic, body = answer
        key = (lane.route, request.scheme, language, status[:3])
        template = self.templates.get(key)
        headers = self._fill(template, dynamic) if template is not None else None
        if headers is None:
            return self._learn(key, environ, start_response)
        start_response(status, headers)
        if logger.isEnabledFor(logging.INFO):
            logger.info("request", extra={
                "method": "GET", "route": lane.route, "status": int(status[:3]),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1), "lane": "fast",
            })
        return [body]

    @staticmethod
    def _plain(request: WSGIRequest, lane: Lane) -> tuple[str, dict[str, str]] | None:
        """The language and the query parameters of a request plain enough for the fast lane, else None."""
        try:
            request.get_host()
        except DisallowedHost:
            return None  # Django answers 400
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # Django redirects
        if len(request.get_full_path()) > MAX_REQUEST_LINE or NUL in request.path_info:
            return None
        query = {}
        for name, values in request.GET.lists():
            if name not in lane.params or len(values) != 1 or NUL in values[0]:
                return None
            query[name] = values[0]
        agent = request.META.get("HTTP_USER_AGENT", "")
        if any(pattern.search(agent) for pattern in settings.DISALLOWED_USER_AGENTS):
            return None
        lang = query.pop("lang", None)
        if lang is not None:
            if lang not in {code for code, _name in settings.LANGUAGES}:
                return None
            return lang, query
        return get_language_from_request(request), query

    @staticmethod
    def _answer(request, lane: Lane, language: str, query: dict, groups: dict):
        """(status, dynamic headers, body) of the read, or None: declined."""
        unchanged = False
        try:
            with translation.override(language):
                read = lane.handler(request, language, query, **groups)
                etag = read.etag
                asked = "HTTP_IF_NONE_MATCH" in request.META
                if etag and asked and _unchanged(request, etag):
                    unchanged = True  # the body is never built
                else:
                    body = read.body()
                    if etag is None:  # ConditionalGetMiddleware's ETag, from the body
                        etag = quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())
                        unchanged = asked and _unchanged(request, etag)
        except DatabaseError:
            conn = connections["default"]
            if not conn.in_atomic_block:
                conn.close()  # broken or in error: Django answers on a new connection
            return None
        except Exception:  # Decline, a problem (404, 422) or a bug: Django answers, and logs it
            return None
        finally:
            _release()
        if unchanged:
            status, body = "304 Not Modified", b""
        else:
            status = "200 OK"
        dynamic = {"etag": etag, "content-length": str(len(body))}
        if status.startswith("200"):
            dynamic.update((name.lower(), value) for name, value in read.headers)
            dynamic["content-type"] = read.content_type
        return status, dynamic, body

    @staticmethod
    def _fill(template: list[tuple[str, str | None]], dynamic: dict[str, str]) -> list[tuple[str, str]] | None:
        """Django's headers with this answer's own; None when they do not fit (Django answers, and teaches)."""
        wanted = {name for name in dynamic if name in DYNAMIC}
        headers = []
        for name, value in template:
            lower = name.lower()
            if value is None:
                if lower not in dynamic:
                    return None
                value = dynamic[lower]
                wanted.discard(lower)
            elif lower == "content-type" and dynamic.get("content-type", value) != value:
                return None
            headers.append((name, value))
        return None if wanted else headers

    def _learn(self, key: tuple[str, ...], environ: dict, start_response):
        """Django answers, and its headers become the template of this read's next answers."""

        def learning(status, headers, exc_info=None):
            names = {name.lower() for name, _value in headers}
            if status[:3] == key[3] and "set-cookie" not in names:
                self.templates[key] = [(name, None if name.lower() in DYNAMIC else value) for name, value in headers]
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        return self.app(environ, learning)


def _unchanged(request: WSGIRequest, etag: str) -> bool:
    """If-None-Match names `etag` (Django's rules: core.http.not_modified, ConditionalGetMiddleware)."""
    response = get_conditional_response(request, etag=etag)
    return response is not None and response.status_code == 304
