"""Malformed input stopped at the door: NUL characters, oversized or unparseable bodies, chunked bodies.

Each answer is a 4xx problem+json given before any view runs, with nothing written:

- **Request lines over MAX_REQUEST_LINE** (path and query string, percent-encoded) → 414.
- **NUL characters.** PostgreSQL refuses a NUL in any text ("A string literal cannot contain NUL"),
  so one `%00` in a path, a query parameter, a form field or a JSON string would travel to the first
  query and end in a 500. Django's CharField rejects NUL, but hand-read parameters, path parameters
  of the API and other form fields do not: the check is made once here, for every request → 400
  `nul-character`. A cookie holding a NUL is dropped (the request goes on without it) rather than
  refused, so that a tampered cookie cannot lock a browser out of every page.
- **Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE** (2.5 MB, files in a multipart form not counted, as in
  Django) → 413. An endpoint that reads its own body under its own limit (HTTP ingest) declares it
  with `register_body_limit`; its body is then left to it.
- **Forms that cannot be parsed** (a multipart body without a boundary, too many fields) → 400.
  Django would raise while the CSRF check reads the form, which the API turned into a 500.
- **Chunked bodies** (`Transfer-Encoding: chunked`, no Content-Length): Django reads Content-Length
  bytes, so they arrived empty. `ChunkedBodies` (WSGI, see citypocket.wsgi) reads them, up to the
  path's limit, when the server marks the end of the input (`wsgi.input_terminated`, as gunicorn
  does), and hands Django the body with its length; a larger one → 413 there, never a cut body.
"""

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from citypocket.core.problems import problem_response

logger = logging.getLogger("citypocket.request")

NUL = "\x00"
# The longest path and query string accepted (percent-encoded), below the production server's own
# limit on the request line (`citypocket run` gives gunicorn 8190 bytes), so that the answer is ours.
MAX_REQUEST_LINE = 4096
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_own_limits: list[tuple[re.Pattern, Callable[[], int]]] = []


def register_body_limit(path_regex: str, *, max_bytes: Callable[[], int]) -> None:
    """Declares that the view at `path_regex` (whole path) reads its own body, up to `max_bytes()`."""
    pattern = re.compile(path_regex + r"\Z")
    if not any(existing.pattern == pattern.pattern for existing, _ in _own_limits):
        _own_limits.append((pattern, max_bytes))


def own_body_limit(path: str) -> int | None:
    """The limit a view declared for its own body, or None when Django's limit applies."""
    return next((limit() for pattern, limit in _own_limits if pattern.match(path)), None)


def body_limit(path: str) -> int | None:
    """The largest body accepted at `path` (None: no limit, as Django's setting allows)."""
    own = own_body_limit(path)
    return own if own is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def nul_problem() -> HttpResponse:
    return problem_response(400, "The request contains a NUL character.", slug="nul-character")


def too_large_problem(limit: int | None) -> HttpResponse:
    return problem_response(413, f"The body is larger than {limit} bytes.")


def _has_nul_in_query(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _has_nul_in_json(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class BadInputMiddleware:
    """Answers NUL characters, oversized bodies and unparseable forms with a 4xx (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.check(request) or self.get_response(request)

    def check(self, request) -> HttpResponse | None:
        if len(request.get_full_path()) > MAX_REQUEST_LINE:
            return problem_response(414, f"The path and query string are longer than {MAX_REQUEST_LINE} characters.")
        if NUL in request.path_info:
            return nul_problem()
        try:
            if _has_nul_in_query(request.GET):
                return nul_problem()
        except SuspiciousOperation:  # too many fields
            return problem_response(400, "The query string has too many fields.")
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        if request.method in SAFE_METHODS or own_body_limit(request.path_info) is not None:
            return None
        return self.check_body(request)

    def check_body(self, request) -> HttpResponse | None:
        content_type = request.content_type or ""
        try:
            if request.method == "POST" and content_type in FORM_TYPES:
                # Parsed here once, as the CSRF check would; the view reads the same parsed form.
                if _has_nul_in_query(request.POST) or any(
                    NUL in (upload.name or "") for _field, uploads in request.FILES.lists() for upload in uploads
                ):
                    return nul_problem()
                return None
            if not request.META.get("CONTENT_LENGTH"):
                return None
            body = request.body
            if content_type == "application/x-www-form-urlencoded":
                return nul_problem() if _has_nul_in_query(QueryDict(body)) else None
            if _is_json(content_type):
                try:
                    data = json.loads(body)
                except ValueError:
                    return None  # malformed: the view answers it (400) with its own words
                except RecursionError:
                    return problem_response(400, "The JSON body is nested too deeply.")
                return nul_problem() if _has_nul_in_json(data) else None
        except RequestDataTooBig:
            return too_large_problem(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except (MultiPartParserError, SuspiciousOperation, BadRequest, UnreadablePostError) as error:
            return problem_response(400, f"The body cannot be read: {error.__class__.__name__}.")
        return None


class ChunkedBodies:
    """WSGI middleware: reads a chunked request body for Django, up to the path's limit (see the module)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if (
            environ.get("CONTENT_LENGTH", "") == ""
            and environ.get("wsgi.input_terminated")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            limit = body_limit(environ.get("PATH_INFO", ""))
            body = _read(environ["wsgi.input"], None if limit is None else limit + 1)
            if limit is not None and len(body) > limit:
                return self._too_large(environ, start_response, limit)
            environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return self.app(environ, start_response)

    @staticmethod
    def _too_large(environ: dict, start_response, limit: int) -> list[bytes]:
        started = time.perf_counter()
        response = too_large_problem(limit)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        logger.info(
            "request",
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "route": "<unresolved>",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return [response.content]


def _read(stream, size: int | None) -> bytes:
    """Up to `size` bytes (all of them when None) of a stream that ends where the body ends."""
    parts, read = [], 0
    while size is None or read < size:
        part = stream.read(65536 if size is None else min(65536, size - read))
        if not part:
            break
        parts.append(part)
        read += len(part)
    return b"".join(parts)
