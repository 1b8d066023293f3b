"""The open-data portal in real Chromium at phone size: search and facets from the keyboard, a dataset
page with its map and copy button, and axe-core finding nothing, in French and English."""

import base64

import pytest

from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.tests.conftest import publish

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _problems(violations):
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_portal_search_facets_and_dataset_page_at_phone_size(page, live_server, axe):
    from testsupport import demo_city

    publish(demo_city("rouen"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.route("**/tile.openstreetmap.org/**",
                       lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
    for language in ("fr", "en"):
        page.goto(f"{live_server.url}/rouen/data/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".od-list > li").count() == len(list_platform_datasets())
        assert _problems(axe(page)) == []
        page.screenshot(path=f"/tmp/portal-var/portal-{language}.png")

        # Keyboard only: type a search without accents, press Enter.
        page.focus("#id_q")
        page.keyboard.type("qualite de l'air")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".od-list > li").count() == 3

        # Open the filters, tick "Environment"/"Environnement" with the space bar, apply with Enter.
        page.focus(".od-facets summary")
        page.keyboard.press("Enter")
        page.get_by_label("Environ", exact=False).first.focus()
        page.keyboard.press("Space")
        page.locator(".od-facets button[type=submit]").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "theme=ENVI" in page.url and "q=qualite" in page.url
        assert page.locator(".od-list > li").count() == 3
        assert _problems(axe(page)) == []

        page.goto(f"{live_server.url}/rouen/data/car-parks/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1
        assert page.locator("#dataset-map").is_visible()
        page.locator("#dataset-map").scroll_into_view_if_needed()  # Leaflet comes when the map nears the screen
        page.wait_for_selector("#dataset-map .leaflet-interactive")
        assert page.locator("#dataset-map .leaflet-interactive").count() == 1  # the one car park
        assert page.locator("button.od-copy").is_visible()
        assert "Parking Théâtre des Arts" in page.locator(".od-preview").inner_text()
        assert _problems(axe(page)) == []
        page.screenshot(path=f"/tmp/portal-var/car-parks-{language}.png", full_page=True)

        page.goto(f"{live_server.url}/rouen/data/air-daily-indices/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("svg.chart").is_visible()
        assert _problems(axe(page)) == []
        page.screenshot(path=f"/tmp/portal-var/indices-{language}.png", full_page=True)
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dataset_page_works_without_javascript(browser, live_server):
    """No script: no map and no copy button, the preview table and the API example are there."""
    from testsupport import demo_city

    publish(demo_city("rouen"))
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/rouen/data/car-parks/")
    assert page.locator("#dataset-map").is_hidden()
    assert page.locator("button.od-copy").is_hidden()
    assert "Parking Théâtre des Arts" in page.locator(".od-preview").inner_text()
    assert "rows?limit=10" in page.locator("#api-example").input_value()
    context.close()
