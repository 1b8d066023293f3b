"""HTTP helpers shared by the API and pages: public caching headers, CSRF for session writes, and the
answers of the hot reads (JSON rendered without output validation, ETags known before the body)."""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.responses import NinjaJSONEncoder
from ninja.utils import check_csrf

from citypocket.core.problems import PermissionDenied


class CsrfFailed(PermissionDenied):
    slug = "csrf-failed"


def enforce_csrf(request) -> None:
    """Session-authenticated API writes need the CSRF token (header X-CSRFToken), as pages do."""
    if check_csrf(request) is not None:
        raise CsrfFailed(_("The CSRF token is missing or wrong: reload the page and try again."))


def cache_public(*, max_age: int):
    """Marks a successful public read as cacheable for `max_age` seconds (ETag comes from ConditionalGet,
    or from the view: `Read.etag`).

    Only for responses that are the same for everyone: never on anything that depends on the
    user, so that no shared cache can leak one person's data to another. Errors are not cached; a
    304 the view gave itself carries the caching of the answer it stands for.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300 or response.status_code == 304:
                patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, no_cache=True)
            return response

        return wrapper

    return decorate_view(decorator)


# --- The hot reads: answers made without ninja's output validation, ETags from what they are made of.
#
# ninja validates what a view returns against its declared schema, then renders it: on a hot read
# that validation costs more than reading the rows. A hot read instead builds its data in the
# schema's shape and returns it as a `Read` (below): the values ninja would have sent (its encoder's
# rules for dates, decimals and translated text), rendered by orjson, minus the validation. Its tests
# hold it to the declared schema (the answer equals the schema's validation of it, rendered the same
# way, byte for byte).
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
GEOJSON_CONTENT_TYPE = "application/geo+json"

# orjson writes str, int, float, bool, None, lists and dicts itself, in compact UTF-8; everything
# else (dates and times, decimals, lazy translations) goes to ninja's encoder, so that a date reads
# as in every other answer of the API (ISO 8601, milliseconds, "Z").
_NINJA_DEFAULT = NinjaJSONEncoder().default
_AS_NINJA = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def render_json(data) -> bytes:
    """A hot read's JSON: its values as ninja renders them, about three times faster."""
    return orjson.dumps(data, default=_NINJA_DEFAULT, option=_AS_NINJA)


def freshness_etag(*parts) -> str:
    """A strong ETag from what an answer is made of (plain values: their repr is stable), so that a
    client's validator can be checked before the answer is built. Each read passes its own name, the
    version of its rendering (raised when the same answer is written with other bytes: a strong ETag
    names one string of bytes) and everything that changes its answer (rows read, language, the hour
    that makes a value stale…)."""
    return quote_etag(hashlib.sha256(repr(parts).encode()).hexdigest()[:32])


# A lasting ETag: freshness_etag's digest, then the last moment its answer holds, in microseconds since
# 1970 (0: until its parts change).
_LASTING = re.compile(r'(?:W/)?"([0-9a-f]{32}\.(\d{1,17}))"')
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def lasting_etag(through: datetime | None, *parts) -> str:
    """freshness_etag for an answer that also changes with time alone (a reading that turns stale):
    the ETag names the last moment through which the answer holds (None: until its parts change), so
    that a later request can tell from the client's validator alone whether its parts are worth reading
    again (held_lasting_etags)."""
    until = 0 if through is None else max(1, (through - _EPOCH) // _MICROSECOND)
    return f"{freshness_etag(parts, until)[:-1]}.{until}\""


def held_lasting_etags(request: HttpRequest, now: datetime) -> list[tuple[str, datetime | None]]:
    """The lasting ETags the GET's If-None-Match names that still hold at `now`, each with its moment."""
    held = []
    for tag, until in _LASTING.findall(request.META.get("HTTP_IF_NONE_MATCH", "")[:2000]):
        through = None if until == "0" else _EPOCH + int(until) * _MICROSECOND
        if through is None or now <= through:
            held.append((f'"{tag}"', through))
    return held


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """A 304 when the GET's If-None-Match names `etag` (RFC 9110), else None: build the answer.

    Everything else about validators (If-Match, a 412) stays with ConditionalGetMiddleware, which
    sees the ETag on the full answer.
    """
    if request.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" not in request.META:
        return None
    response = get_conditional_response(request, etag=etag)
    if response is None or response.status_code != 304:
        return None
    response["ETag"] = etag
    return response


@dataclass(frozen=True, slots=True)
class Read:
    """A hot read's answer before it is a response, so that its view (through `read_answer`) and the
    fast lane in front of Django (core.fastlane) give the same bytes from the same code.

    `build()` gives the data in the operation's response schema; `etag`, when the read knows it before
    the body, lets a 304 skip the body (without it, ConditionalGetMiddleware makes one from the body);
    `headers` are the read's own (X-Prediction-Source); `rendered`, the body already made (an answer the
    worker built and stored: air.now), which `build` would give again.
    """

    build: Callable[[], object]
    etag: str | None = None
    content_type: str = JSON_CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    rendered: bytes | None = None

    def body(self) -> bytes:
        """The data as JSON (render_json)."""
        if self.rendered is not None:
            return self.rendered
        return render_json(self.build())


def read_answer(request: HttpRequest, read: Read) -> HttpResponse:
    """The view's response for `read`: the 304 if the client holds its ETag, else the whole answer."""
    if read.etag:
        unchanged = not_modified(request, read.etag)
        if unchanged is not None:
            return unchanged
    response = HttpResponse(read.body(), content_type=read.content_type)
    if read.etag:
        response["ETag"] = read.etag
    for name, value in read.headers:
        response[name] = value
    return response
