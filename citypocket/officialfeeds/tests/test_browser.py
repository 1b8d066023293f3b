"""The water page in real Chromium at phone size (390x844): axe-core finds nothing in French and English,
and the chosen commune is remembered in the browser only."""

import pytest


def _problems(violations):
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_water_page_at_phone_size_is_accessible_and_remembers_the_commune_on_the_device(page, live_server, axe):
    from citypocket.officialfeeds.demo import load_demo
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    load_demo()
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("fr", "en"):
        page.goto(f"{live_server.url}/aix-en-provence/water/?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        assert "09:00" in page.locator("#verdict").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert _problems(axe(page)) == []
    assert page.evaluate("window.localStorage.getItem('citypocket.water.aix-en-provence')") == "13001"
    page.goto(f"{live_server.url}/rouen/water/?lang=en")
    assert _problems(axe(page)) == []
    page.goto(f"{live_server.url}/aix-en-provence/?lang=en")  # the city home tile
    assert page.get_by_text("Yes, outside 09:00").count() == 1
    assert _problems(axe(page)) == []
    assert page.errors == []
