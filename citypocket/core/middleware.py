"""Cross-cutting request handling: the short middleware chain of anonymous API reads, privacy-safe
request logs, the `?lang=` switch, personal answers kept out of every cache, and the
Permissions-Policy header."""

import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

logger = logging.getLogger("citypocket.request")


# Exceptions Django turns into a 4xx answer: the caller's mistake, not ours.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


API_PREFIX = "/api/v1/"  # the JSON API (citypocket.urls); the HTML guide at /api/ is a page like any other


def is_anonymous_api_read(request) -> bool:
    """A GET or HEAD of the API that carries no cookie and no credentials: nobody's session, messages,
    sign-in or back office can be involved, and its answer is the same for everyone who asks so."""
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and request.path_info.startswith(API_PREFIX)
        and not meta.get("HTTP_COOKIE")
        and "HTTP_AUTHORIZATION" not in meta
    )


def build_chain(paths: list[str]):
    """A middleware chain of `paths` (in MIDDLEWARE order) around Django's own view handling, with the
    process_view / process_exception / process_template_response hooks of those middlewares only."""
    handler = BaseHandler()
    handler._view_middleware, handler._template_response_middleware, handler._exception_middleware = [], [], []
    chain = convert_exception_to_response(handler._get_response)
    for path in reversed(paths):
        try:
            instance = import_string(path)(chain)
        except MiddlewareNotUsed:
            continue
        if hasattr(instance, "process_view"):
            handler._view_middleware.insert(0, instance.process_view)
        if hasattr(instance, "process_template_response"):
            handler._template_response_middleware.append(instance.process_template_response)
        if hasattr(instance, "process_exception"):
            handler._exception_middleware.append(instance.process_exception)
        chain = convert_exception_to_response(instance)
    return chain


class AnonymousAPIReadMiddleware:
    """First of MIDDLEWARE: sends an anonymous API read (`is_anonymous_api_read`) through a shorter chain,
    settings.ANONYMOUS_API_MIDDLEWARE, every other request through the whole one.

    The shorter chain is MIDDLEWARE without what only serves a person or a page (flash messages,
    allauth's context, htmx, the staff second factor, session activity, known devices, the back-office
    audit, the sign-in lockout: see settings.ANONYMOUS_API_SKIPS), each of which does nothing for a
    request without cookie or credentials but still costs its call on every request. Every header,
    the CSP, the language (?lang= and Accept-Language), the rate limit, the request log and the
    guards are the same middlewares in both chains (core/tests/test_hot_reads.py holds the answers equal).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        paths = getattr(settings, "ANONYMOUS_API_MIDDLEWARE", None)
        self.lean = build_chain(paths) if paths else None

    def __call__(self, request):
        if self.lean is not None and is_anonymous_api_read(request):
            return self.lean(request)
        return self.get_response(request)


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


# What a device must forget when a person signs out on it: the HTTP cache and every store the app's
# scripts keep (Cache Storage, local storage, IndexedDB). "storage" also unregisters the service
# workers (the app's, and the air alerts' push worker with its subscription: alerts someone set up
# while signed in stop on that device); app.js registers the app's worker again on the next page,
# which keeps the public offline pages again. Cookies are left alone: the sign-out already ends the
# session. For browsers that ignore Clear-Site-Data, the SIGNED_OUT_COOKIE tells app.js to drop the
# offline copies itself on the next page.
CLEAR_ON_SIGN_OUT = '"cache", "storage"'
SIGNED_OUT_COOKIE = "citypocket_signed_out"


def is_personal(request) -> bool:
    """Whether an answer may hold one person's data, so that no cache may keep it.

    True when the request carried credentials (Authorization), when its session holds anything
    (a signed-in person, a sign-in under way: the session key alone makes it non-empty), or when the
    page showed that person's flash messages ("Your vote is recorded"). Never loads the session of a
    request that carried no session cookie, so that public answers do not start to vary on Cookie.
    """
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    session = getattr(request, "session", None)
    if session is not None and not session.is_empty():
        return True
    return bool(getattr(getattr(request, "_messages", None), "used", False))


class PersonalResponseMiddleware:
    """Marks every answer given to a signed-in person (or that depends on a session) `private, no-store`.

    The service worker and every shared cache obey it (see core/templates/core/sw.js): a ballot, a
    notification list or "my data" never lands in a device's offline copies, where the next person
    to open the app on that device could read it. Public answers to anonymous visitors keep their own
    caching. The answer to the request that signs a person out also carries `Clear-Site-Data` and
    the SIGNED_OUT_COOKIE.
    Sits after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        response = self.get_response(request)
        if signed_in and not request.user.is_authenticated:  # this request signed the person out
            response["Clear-Site-Data"] = CLEAR_ON_SIGN_OUT
            # Read by app.js (not HttpOnly), which deletes it once the copies are gone.
            response.set_cookie(SIGNED_OUT_COOKIE, "1", samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        if signed_in or is_personal(request):
            patch_cache_control(response, private=True, no_store=True)
            if response.has_header("Expires"):
                del response["Expires"]
        return response


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
