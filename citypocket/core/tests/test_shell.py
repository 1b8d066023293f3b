"""The app shell: choosing a city, the city home, language, manifest, service worker, health."""

import gzip
import json
import re

import pytest
from django.contrib.staticfiles import finders

from citypocket.core.capabilities import Capability, list_capabilities, register_capability
from testsupport import assert_problem

pytestmark = pytest.mark.django_db


def test_root_lists_the_cities_with_a_manifest_link(client, rouen, aix):
    """`/` answers 200 with both demo cities and a web app manifest link."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/rouen/"' in html and 'href="/aix-en-provence/"' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<html lang="fr">' in html


def test_city_choice_is_remembered(client, rouen, aix):
    """After visiting Aix, `/` opens Aix directly; `?change=1` shows the list again."""
    assert client.get("/aix-en-provence/").status_code == 200
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/aix-en-provence/"
    assert client.get("/?change=1").status_code == 200


def test_city_home_has_landmarks_skip_link_and_city_manifest(client, rouen):
    """The city home is an accessible page: skip link, header, nav, main, footer, one h1."""
    html = client.get("/rouen/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert html.count("<h1") == 1
    assert '<link rel="manifest" href="/rouen/manifest.webmanifest">' in html


def test_city_home_shows_a_tile_per_registered_capability(client, rouen):
    """Every capability in the registry gets a tile linking to its page."""
    html = client.get("/rouen/").content.decode()
    for capability in list_capabilities():
        assert f'href="{capability.url(rouen)}"' in html


def test_unknown_city_page_is_a_404(client, db):
    """An unknown city slug gives the HTML 404 page."""
    response = client.get("/atlantis/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_english_is_served_on_request_and_french_by_default(client, rouen):
    """French by default; the language switcher sets English, kept on the same page."""
    assert "Passer au contenu" in client.get("/rouen/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/rouen/"})
    assert response.status_code == 302 and response["Location"] == "/rouen/"
    html = client.get("/rouen/").content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html


def test_api_language_follows_accept_language_or_lang_parameter(client, db):
    """Problem titles come back in the request language."""
    fr = client.get("/api/v1/cities/atlantis", headers={"Accept-Language": "fr"})
    en = client.get("/api/v1/cities/atlantis?lang=en", headers={"Accept-Language": "fr"})
    assert assert_problem(fr, 404)["title"] == "Introuvable"
    assert assert_problem(en, 404)["title"] == "Not found"


def test_city_manifest_is_valid_and_branded(client, rouen):
    """The manifest names the city, uses its colour, starts on its home and has 192/512 icons."""
    response = client.get("/rouen/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "CityPocket Rouen"
    assert data["start_url"] == "/rouen/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#A1002B"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_service_worker_is_served_from_root_with_the_shell(client, db):
    """/sw.js is JavaScript, not cached by HTTP, and precaches the offline page."""
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/offline/"' in body and "core/app.css" in body


def test_offline_page_tells_emergency_numbers(client, db):
    """The offline page, cached by the service worker, still gives 112, 17 and 114."""
    html = client.get("/offline/").content.decode()
    for number in ("112", "17", "114"):
        assert number in html


def test_healthz_reports_database_ok(client, db):
    """GET /healthz is JSON with the database status."""
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["status"] == "ok"


def test_pages_carry_a_strict_csp_with_nonce_and_no_inline_script(client, rouen):
    """Scripts and styles need the per-request nonce; no script tag lacks it."""
    response = client.get("/rouen/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag and "src=" in tag
    assert "frame-ancestors 'none'" in csp


def test_city_home_first_load_is_under_100_kb(client, rouen):
    """HTML + CSS + JS + icons of the city home, gzip-compressed as served, stay under 100 KB."""
    response = client.get("/rouen/")
    html = response.content
    total = len(gzip.compress(html))
    assets = re.findall(rb'(?:src|href)="/static/([^"]+)"', html)
    assert assets
    for asset in set(assets):
        path = finders.find(asset.decode())
        with open(path, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    assert total <= 100 * 1024, total


def test_capability_registry_orders_tiles(db):
    """Capabilities come back in their declared order."""
    from citypocket.core import capabilities

    register_capability(Capability(slug="zz-test", label="Test", url_name="city_home", order=10_000))
    try:
        assert list_capabilities()[-1].slug == "zz-test"
    finally:
        capabilities._registry.pop("zz-test")


def test_every_city_page_hands_the_offline_urls_to_the_service_worker(client, rouen):
    """The city home lists each capability's offline pages (help now included) for precaching."""
    import re as _re

    html = client.get("/rouen/").content.decode()
    precache = _re.search(r'data-precache="([^"]*)"', html).group(1).split()
    for capability in list_capabilities():
        for url in capability.offline_urls(rouen):
            assert url in precache
    assert "/rouen/safety/help/" in precache


@pytest.mark.parametrize(("path", "section"), [
    ("/rouen/agenda/", "/rouen/agenda/"),
    ("/rouen/places/", "/rouen/places/"),
    ("/rouen/news/", "/rouen/news/"),
    ("/rouen/air/", "/rouen/air/"),
    ("/rouen/participate/proposals/", "/rouen/participate/"),
])
def test_the_menu_marks_one_current_section(client, rouen, path, section):
    """One app can hold several sections (agenda, places, news): only the one the page is under is current."""
    html = client.get(path).content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', html)
    assert current == [section]


def test_the_events_section_is_agenda_in_french_not_a_meetings_order_of_business(client, rouen):
    html = client.get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<a href="/rouen/agenda/">Agenda</a>' in html
    assert "Ordre du jour" not in html
