"""The places and agenda pages in real Chromium at phone size: axe-core finds nothing in French and English, the map
shows the listed places, and the filters work from the keyboard."""

import base64

import pytest

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _problems(violations):
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_places_and_agenda_pages_at_phone_size_are_accessible_in_both_languages(page, live_server, axe):
    from citypocket.cityinfo import demo
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.route("**/tile.openstreetmap.org/**",
                       lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
    for language in ("fr", "en"):
        page.goto(f"{live_server.url}/rouen/places/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        assert page.locator(".leaflet-marker-icon").count() == page.locator(".ci-places > li").count() == 8
        assert _problems(axe(page)) == []
        page.goto(f"{live_server.url}/rouen/places/bibliotheque-villon/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == "Bibliothèque Villon"
        assert _problems(axe(page)) == []
        page.goto(f"{live_server.url}/rouen/agenda/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator(".ci-places > li").count() > 0
        assert _problems(axe(page)) == []
        page.goto(f"{live_server.url}/rouen/agenda/l-heure-du-conte-demo/?lang={language}")
        page.wait_for_load_state("networkidle")
        assert page.locator("a[href$='/agenda/l-heure-du-conte-demo.ics']").count() == 1
        assert _problems(axe(page)) == []
    # Keyboard only: choose "Library" in the kind list, tab to the button and press Enter.
    page.goto(f"{live_server.url}/rouen/places/?lang=en")
    page.focus("#id_kind")
    page.select_option("#id_kind", "library")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "kind=library" in page.url
    assert page.locator(".ci-places > li").count() == 1
    assert page.errors == []
