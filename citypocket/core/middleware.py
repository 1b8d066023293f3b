"""Cross-cutting request handling: privacy-safe request logs, the `?lang=` switch and the
Permissions-Policy header."""

import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils import translation

logger = logging.getLogger("citypocket.request")


# Exceptions Django turns into a 4xx answer: the caller's mistake, not ours.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class RequestLogMiddleware:
    """Logs one JSON line per request with the route pattern, status and duration.

    The route pattern (`api/v1/cities/{slug}`) is logged instead of the path so that no
    identifier, coordinate or query string a citizen sent ever reaches the logs; the client
    address and the user are never logged either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match else "<unresolved>"
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            },
        )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, CLIENT_ERRORS):
            # Django answers these with a 4xx page; the request line says so. A traceback for every
            # 404 or 403 anyone can ask for would only fill the disk.
            return
        match = getattr(request, "resolver_match", None)
        logger.exception(
            "unhandled exception",
            extra={"method": request.method, "route": match.route if match else "<unresolved>"},
        )


class LanguageParameterMiddleware:
    """Lets API clients pick the language with `?lang=fr|en`, over Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.GET.get("lang")
        if lang in self.codes:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` from settings.PERMISSIONS_POLICY: the browser features a page may use.

    `{"geolocation": ("self",), "camera": ()}` becomes `geolocation=(self), camera=()`; an empty tuple
    denies the feature to the page and to every frame.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(_allowlist_item(item) for item in allow)})" for feature, allow in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = self.header
        return response


def _allowlist_item(item: str) -> str:
    return item if item in ("self", "*", "src") else f'"{item}"'
