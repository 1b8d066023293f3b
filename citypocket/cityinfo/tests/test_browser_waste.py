"""The waste pages in real Chromium at phone size (390x844): axe-core finds nothing in French and English,
an address found is kept in the browser only, and the month table fits the screen."""

import pytest


def _problems(violations):
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_waste_pages_at_phone_size_are_accessible_and_keep_the_address_on_the_device(page, live_server, axe):
    from citypocket.cityinfo.waste_demo import load_waste
    from citypocket.cityinfo.waste_models import Address
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    load_waste()
    addresses = Address.objects.count()
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("fr", "en"):
        page.goto(f"{live_server.url}/rouen/waste/?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        assert _problems(axe(page)) == []
        page.fill("#id_address", "3 rue du gros horl")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # The number typed first ("3"), then the others starting with it ("30").
        assert page.locator(".waste-address").all_inner_texts() == [
            "3 Rue du Gros Horloge, 76000 Rouen", "30 Rue du Gros Horloge, 76000 Rouen"]
        assert "3 rue du gros horl" not in page.url  # posted, never in the address bar
        assert _problems(axe(page)) == []
        with page.expect_navigation():
            page.locator("a.choose-address").first.click()
        assert page.url.endswith("/rouen/waste/zones/rive-droite/")
        assert page.locator("#saved-here").is_visible()
        assert page.locator("#saved-label").inner_text() == "3 Rue du Gros Horloge, 76000 Rouen"
        assert page.locator(".waste-next > li").count() == 5
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the month fits the phone
        assert _problems(axe(page)) == []
        page.goto(f"{live_server.url}/rouen/waste/?lang={language}")
        assert page.locator("#saved-address").is_visible()
        page.goto(f"{live_server.url}/rouen/waste/guide/?q=pile&lang={language}")
        assert page.locator(".waste-item").count() == 1
        assert _problems(axe(page)) == []
        page.goto(f"{live_server.url}/rouen/waste/?lang={language}")
        page.click("#forget-address")
        assert not page.locator("#saved-address").is_visible()
        assert page.evaluate("window.localStorage.getItem('citypocket.waste.rouen')") is None
    assert Address.objects.count() == addresses
    assert page.errors == []
