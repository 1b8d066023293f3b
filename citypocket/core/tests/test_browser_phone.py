"""Every main page of both demo cities on a phone, in real Chromium, served as `make run` serves it.

For each page, French and English, signed out (and the participation pages signed in): no sideways
scroll at 390 and 320 px, none of the app's own words in the other language outside an element
marked with that language, no axe-core violation (WCAG 2.2 AA), and a first load of at most
100 KB transferred with the cache disabled (map tiles excluded; they are never fetched here).

The server is a live server whose static files come from a compressed `collectstatic` through
WhiteNoise, as under `citypocket run`; the usual test server sends them plain from the apps'
folders and would measure something no visitor ever receives.
"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.test.testcases import LiveServerThread

from citypocket.mobility import demo as mobility_demo
from testsupport import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 100 * 1024
COMPRESSED = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
# The main pages of a city; the first page of each kind of detail is found by following a link.
PAGES = [
    "",
    "air/",
    "parking/",
    "participate/",
    "participate/proposals/",
    "safety/",
    "safety/help/",
    "safety/report/",
    "safety/video-protection/",
    "news/",
    "agenda/",
    "places/",
    "waste/",
    "search/?q=parc",
    "data/",
]
DETAILS = [
    ("participate/", r"/participate/(processes|budgets|surveys|meetings|results)/[^/]+/$"),
    ("participate/proposals/", r"/participate/proposals/[0-9a-f-]{36}/$"),
    ("news/", r"/news/(?!feed/)[^/]+/$"),
    ("agenda/", r"/agenda/[^/.]+/$"),
    ("places/", r"/places/[^/]+/$"),
    ("data/", r"/data/[^/]+/$"),
]
# The app's own words: on a page in one language, none of the other's may show outside lang="…".
# (Not single words that city content uses too: a demo safe place is the "Accueil de la gare".)
UI_WORDS = {
    "fr": [
        "Passer au contenu",
        "Aide immédiate",
        "Changer de ville",
        "Se connecter",
        "Se déconnecter",
        "Mon compte",
        "Rechercher",
        "API ouverte",
        "Qualité de l'air",
        "Participer",
    ],
    "en": [
        "Skip to content",
        "Help now",
        "Change city",
        "Sign in",
        "Sign out",
        "My account",
        "Search",
        "Home",
        "Open API",
        "Air quality",
        "Have your say",
        "Stay safe",
    ],
}
PAGE_TEXT = """(other) => {
  const own = (el) => { const scope = el.closest('[lang]'); return !scope || !scope.lang.startsWith(other); };
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && !el.closest('script, style, template, [hidden]') && own(el)) parts.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
    if (!own(el)) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
  }
  return parts.join(' | ');
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="session")
def compressed_static(tmp_path_factory):
    """`collectstatic` as `citypocket run` does it: every text file with its gzip copy beside it."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": COMPRESSED}):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def app_server(transactional_db, settings, compressed_static):
    """A live server with WhiteNoise serving the compressed copies (no test static handler in front)."""
    settings.STATIC_ROOT = compressed_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": COMPRESSED}
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = LiveServerThread("localhost", static_handler=lambda handler: handler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.fixture
def phone(browser, app_server):
    """A phone-sized context; no service worker (every load is a first load), tiles never fetched."""
    context = browser.new_context(
        base_url=app_server, viewport={"width": 390, "height": 844}, locale="fr-FR", service_workers="block"
    )
    context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"{page.url}: {error}"))
    yield page
    context.close()


class Transfer:
    """Bytes on the wire per page load (Chrome's encodedDataLength: headers and compressed body)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.sizes, self.urls = {}, {}
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def reset(self):
        self.sizes.clear()
        self.urls.clear()

    def total(self) -> int:
        return sum(
            size for request, size in self.sizes.items() if "tile.openstreetmap.org" not in self.urls.get(request, "")
        )

    def largest(self) -> list[tuple[int, str]]:
        return sorted(((size, self.urls.get(request, "?")) for request, size in self.sizes.items()), reverse=True)[:3]


def axe_violations(page) -> list[str]:
    """axe-core with the WCAG 2.2 A/AA rules and best practices; one line per violation and place."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    return [f"{v['id']}: {node['target']}" for v in results.response["violations"] for node in v["nodes"]]


def set_language(page, base_url: str, language: str) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])


def city_pages(page, slug: str) -> list[str]:
    """The main pages and the first detail page of each kind the demo has."""
    paths = [f"/{slug}/{path}" for path in PAGES]
    for listing, pattern in DETAILS:
        page.goto(f"/{slug}/{listing}")
        hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
        found = {}
        for href in hrefs:
            match = re.search(pattern, href.split("?")[0])
            if match and href.startswith(f"/{slug}/"):
                found.setdefault(match.groups()[0] if match.groups() else href, href)
        paths += [href for href in found.values() if href not in paths]
    return paths


def check_page(page, transfer, path: str, language: str, problems: dict) -> None:
    """Loads `path` cold at 390 px and files what is wrong under its heading in `problems`."""
    transfer.reset()
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(path, wait_until="networkidle")
    where = f"{path} [{language}]"
    if response.status != 200:
        problems["status"].append(f"{where}: {response.status}")
        return
    if transfer.total() > BUDGET_BYTES:
        problems["weight"].append(f"{where}: {transfer.total()} bytes, largest {transfer.largest()}")
    assert page.locator("html").get_attribute("lang") == language
    other = "en" if language == "fr" else "fr"
    text = page.evaluate(PAGE_TEXT, other)
    for word in UI_WORDS[other]:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            problems["language"].append(f"{where}: {word!r}")
    problems["axe"] += [f"{where}: {line}" for line in axe_violations(page)]
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        if (extra := page.evaluate(OVERFLOW)) > 0:
            problems["overflow"].append(f"{where} at {width} px: {extra} px too wide")


def report(problems: dict) -> str:
    return "\n".join(f"{kind}: {line}" for kind, lines in problems.items() for line in lines)


def no_problems() -> dict:
    return {"status": [], "weight": [], "overflow": [], "language": [], "axe": []}


def test_every_main_page_of_both_cities_fits_a_phone_in_one_language_within_budget(phone, app_server):
    """Home, air, parking, participation, safety, news, agenda, places, waste, search, data, API page."""
    call_command("load_demo", verbosity=0)
    transfer = Transfer(phone)
    problems = no_problems()
    paths = ["/", "/api/"]
    for slug in ("rouen", "aix-en-provence"):
        paths += city_pages(phone, slug)
    assert len(paths) > 30
    for language in ("fr", "en"):
        set_language(phone, app_server, language)
        for path in paths:
            check_page(phone, transfer, path, language, problems)
    assert problems == no_problems(), report(problems)
    assert phone.errors == []


def test_signed_in_pages_fit_a_phone_in_one_language(phone, app_server):
    """A signed-in citizen's participation pages and account page, with the menu of a signed-in person."""
    call_command("load_demo", verbosity=0)
    client = Client()
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    phone.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": app_server,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )
    transfer = Transfer(phone)
    problems = no_problems()
    paths = ["/rouen/", "/accounts/my-data/", *[p for p in city_pages(phone, "rouen") if "/participate/" in p]]
    for language in ("fr", "en"):
        set_language(phone, app_server, language)
        for path in paths:
            check_page(phone, transfer, path, language, problems)
    assert problems == no_problems(), report(problems)


def test_the_header_is_one_row_on_a_phone_and_its_menu_opens_by_keyboard(phone, aix):
    """At 390 px the header is one row under 80 px with "Help now"; Menu opens the nav and the language switch."""
    phone.goto("/aix-en-provence/air/")
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 80
    assert phone.get_by_role("link", name="Aide immédiate").is_visible()
    assert phone.get_by_role("link", name="Changer de ville").is_hidden()
    toggle = phone.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.get_by_role("link", name="Changer de ville").is_visible()
    assert phone.locator('button[name="language"][value="en"]').is_visible()
    phone.keyboard.press("Escape")
    assert phone.get_by_role("link", name="Changer de ville").is_hidden()
    phone.set_viewport_size({"width": 1280, "height": 800})
    assert phone.get_by_role("link", name="Changer de ville").is_visible()
    assert phone.get_by_role("button", name="Menu").is_hidden()


def test_the_map_library_comes_only_when_a_map_nears_the_screen(phone, rouen):
    """On the parking page Leaflet is not loaded at first (the list of the city's car parks comes before
    the map); scrolling to the map loads it and draws the map."""
    mobility_demo.load(history=False)
    fetched = []
    phone.on("request", lambda request: fetched.append(request.url))
    phone.goto("/rouen/parking/", wait_until="networkidle")
    assert not any("leaflet" in url for url in fetched)
    assert phone.evaluate("typeof window.L") == "undefined"
    phone.locator("#map").scroll_into_view_if_needed()
    phone.wait_for_selector("#map.leaflet-container")
    assert any(url.endswith("leaflet/leaflet.js") for url in fetched)
    assert any(url.endswith("leaflet/leaflet.css") for url in fetched)


def test_static_files_go_out_compressed(phone):
    """WhiteNoise answers a browser that accepts gzip with the compressed copy (Leaflet: 147 KB plain)."""
    response = phone.request.get("/static/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert int(response.headers["content-length"]) < 50_000
