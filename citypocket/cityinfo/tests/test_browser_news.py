"""The news pages in real Chromium at phone size: axe-core finds nothing, in French and English."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_news_pages_at_phone_size_are_accessible_in_both_languages(page, live_server, axe):
    from citypocket.cityinfo import demo
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("fr", "en"):
        for path in ("/rouen/news/", "/rouen/news/travaux-quais/"):
            page.goto(f"{live_server.url}{path}?lang={language}")
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").count() == 1
            violations = axe(page)
            assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert page.errors == []
