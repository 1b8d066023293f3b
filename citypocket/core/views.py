"""The app shell: choose a city, a city's home, health, manifest, service worker, offline page."""

import hashlib
import json
import time

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from citypocket import __version__
from citypocket.cities.models import City
from citypocket.cities.selectors import get_city, list_cities
from citypocket.core.capabilities import city_links, list_capabilities
from citypocket.core.problems import DomainError, problem_response

CITY_COOKIE = "citypocket_city"
CITY_COOKIE_AGE = 365 * 24 * 3600
# Copies the service worker keeps, the oldest saved forgotten first: a few cities' pages and their
# live numbers, a few megabytes at most on a phone.
OFFLINE_PAGES_MAX = 60
OFFLINE_DATA_MAX = 40


def resolve_city(slug: str) -> City:
    """The city of a page URL, or a 404 page (pages are HTML, the API answers problem+json)."""
    from django.http import Http404

    try:
        return get_city(slug=slug)
    except DomainError as error:
        raise Http404(str(error)) from error


@require_GET
def choose_city(request):
    """`/`: the list of cities; a city chosen before is remembered (cookie) and opened directly."""
    remembered = request.COOKIES.get(CITY_COOKIE)
    if remembered and "change" not in request.GET and list_cities().filter(slug=remembered).exists():
        return redirect("city_home", city=remembered)
    return render(request, "core/choose_city.html", {"cities": list_cities(), "remembered": remembered})


# What each tile of a city home showed, per capability, city and language, for HOME_TILE_CACHE_SECONDS:
# the home is asked far more often than its live values change (readings every minute, indices every
# few minutes), and each tile costs a query or two. In the web process's memory, never the database.
# The tile's HTML is kept with the values it was rendered from, for the same seconds: rendering nine
# tiles cost more than the rest of the page.
_tile_contexts: dict[tuple, tuple[float, dict, str]] = {}


def tile_context(capability, city: City) -> dict:
    """The context of a capability's tile on the city home, reused for HOME_TILE_CACHE_SECONDS."""
    if capability.tile_context is None:
        return {}
    return _tile(capability, city)[0]


def tile_html(capability, city: City) -> str:
    """A live tile's HTML (a capability with a tile_context), reused with its context.

    Rendered with only `city`, `tile` (its context) and `LANGUAGE_CODE`: what the page's request
    adds (the CSP nonce, the user) is for the tiles without live values, rendered in the page.
    """
    return _tile(capability, city)[1]


def _tile(capability, city: City) -> tuple[dict, str]:
    seconds = settings.HOME_TILE_CACHE_SECONDS
    language = get_language()
    key = (capability.slug, city.pk, language, timezone.get_current_timezone_name())
    now = time.monotonic()
    kept = _tile_contexts.get(key) if seconds > 0 else None
    if kept is not None and kept[0] > now:
        return kept[1], kept[2]
    # Querysets are read now, so that the threads that reuse the context never share an unread one.
    context = {name: list(value) if isinstance(value, QuerySet) else value
               for name, value in capability.tile_context(city).items()}
    html = render_to_string(capability.tile_template, {"city": city, "tile": context, "LANGUAGE_CODE": language}) \
        if capability.tile_template else ""
    if seconds > 0:
        _tile_contexts[key] = (now + seconds, context, html)
    return context, html


@require_GET
def city_home(request, city: str):
    """`/<city>/`: what matters now, one tile per capability."""
    city_obj = resolve_city(city)
    urls = city_links(city_obj).tiles
    tiles = []
    for capability in list_capabilities():
        url = urls.get(capability.slug) or capability.url(city_obj)
        if capability.tile_context is not None:
            tiles.append({"capability": capability, "url": url, "html": tile_html(capability, city_obj)})
        else:
            tiles.append({"capability": capability, "url": url, "context": {}})
    # What the tiles show: the page keeps their list's HTML per city, language and tiles_key ({% keep %}).
    # The live tiles' HTML strings are the same objects while their values are reused, so hashing
    # them is cheap after the first time.
    tiles_key = tuple((tile["capability"].slug, tile["url"], tile.get("html")) for tile in tiles)
    response = render(request, "core/city_home.html", {"city": city_obj, "tiles": tiles, "tiles_key": tiles_key})
    response.set_cookie(CITY_COOKIE, city_obj.slug, max_age=CITY_COOKIE_AGE, samesite="Lax",
                        secure=not settings.DEBUG, httponly=True)
    return response


@require_GET
def api_guide(request):
    """`/api/`: a light page that says what the open API offers and leads to its reference.

    The footer's "Open API" link comes here rather than to the interactive reference (1.7 MB of
    developer tooling) so that a citizen who taps it on a phone gets a page of the app.
    """
    remembered = request.COOKIES.get(CITY_COOKIE)
    cities = list(list_cities())
    example = next((c for c in cities if c.slug == remembered), cities[0] if cities else None)
    return render(request, "core/api_guide.html", {"example_city": example})


@require_GET
def healthz(request):
    """Liveness and database status for load balancers and monitoring."""
    status = {"status": "ok", "database": {"status": "ok", "vendor": connection.vendor}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        status["status"] = "error"
        status["database"] = {"status": "error", "vendor": connection.vendor, "error": error.__class__.__name__}
        return JsonResponse(status, status=503)
    return JsonResponse(status)


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request, city: str | None = None):
    """The web app manifest; per city it carries the city's name, colour and start page."""
    city_obj = resolve_city(city) if city else None
    name = f"CityPocket {city_obj.name}" if city_obj else "CityPocket"
    data = {
        "name": name,
        "short_name": city_obj.name if city_obj else "CityPocket",
        "description": _("Your city in your pocket: air, parking, what's on, have your say, stay safe."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("city_home", kwargs={"city": city_obj.slug}) if city_obj else "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": city_obj.brand_colour if city_obj else "#1F4E79",
        "icons": [
            {"src": static("core/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("core/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("core/icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": static("core/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """The service worker, served from the root so that its scope is the whole app."""
    shell = [
        reverse("offline"),
        static("core/app.css"),
        static("core/app.js"),
        static("core/outbox.js"),
        static("core/drafts.js"),
        static("core/offline.js"),
        static("core/header.js"),  # the Menu button of every page
        static("core/icons/icon.svg"),
        static("core/icons/icon-192.png"),
    ]
    response = render(
        request,
        "core/sw.js",
        {
            "shell_json": json.dumps(shell),
            "version": _shell_version(shell),
            "outbox_json": json.dumps(static("core/outbox.js")),
            "pages_max": OFFLINE_PAGES_MAX,
            "data_max": OFFLINE_DATA_MAX,
        },
        content_type="text/javascript",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def _shell_version(shell: list[str]) -> str:
    return hashlib.sha256(("|".join(shell) + __version__).encode()).hexdigest()[:12]


@require_GET
def offline(request):
    return render(request, "core/offline.html")


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return problem_response(404, "No such resource.")
    return render(request, "core/404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return problem_response(500, "An unexpected error occurred.")
    return render(request, "core/500.html", status=500)
