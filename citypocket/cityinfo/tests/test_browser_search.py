"""The search page and the city home in real Chromium at phone size: axe-core finds nothing, in French
and English; the search form works with the keyboard alone and its results are announced."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_and_home_at_phone_size_are_accessible_in_both_languages(page, live_server, axe):
    from citypocket.cityinfo import demo
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("fr", "en"):
        for path in ("/rouen/", "/rouen/search/", "/rouen/search/?q=bibliotheque", "/rouen/search/?q=zzqxw"):
            separator = "&" if "?" in path else "?"
            page.goto(f"{live_server.url}{path}{separator}lang={language}")
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").count() == 1
            violations = axe(page)
            assert violations == [], (path, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations])
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_from_the_home_with_the_keyboard(page, live_server):
    from citypocket.cityinfo import demo
    from testsupport import demo_city

    demo_city("rouen")
    demo_city("aix-en-provence")
    demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/rouen/")
    field = page.get_by_label("Rechercher actualités, événements, lieux, parkings…")
    field.focus()
    page.keyboard.type("bibliotheque")
    page.keyboard.press("Enter")
    page.wait_for_url("**/rouen/search/?q=bibliotheque")
    status = page.get_by_role("status")
    assert "bibliotheque" in status.inner_text()
    assert page.get_by_role("heading", name="Lieux et services publics").count() == 1
    assert page.get_by_role("link", name="Bibliothèque Villon").count() == 1
    # the saved waste zone without a waste API: the slot stays hidden, no error in the console
    page.evaluate("localStorage.setItem('citypocket.waste.rouen', JSON.stringify({zone: 'centre', label: 'Centre'}))")
    page.goto(f"{live_server.url}/rouen/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#next-collection").is_hidden()
    assert [error for error in page.errors if "404" not in error] == []
