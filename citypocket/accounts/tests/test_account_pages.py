"""The account pages (allauth) in the app's own layout: header, language switch, `lang`, a way back to
where the person came from; axe-core clean at phone size in French and English."""

import pytest

from testsupport import choose_language

pytestmark = pytest.mark.django_db

PAGES = ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/")


@pytest.mark.parametrize("path", PAGES)
def test_account_pages_use_the_app_layout(client, path):
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert 'class="site-header' in html or "<header" in html
    assert 'name="language" value="fr"' in html, "the language switch"
    assert "Menu:" not in html, "not allauth's bare layout"


def test_sign_in_offers_the_way_back_to_a_page_of_this_site_only(client):
    html = client.get("/accounts/login/?next=/rouen/participate/").content.decode()
    assert 'class="back-link"><a href="/rouen/participate/"' in html
    assert "Revenir à la page" in html
    elsewhere = client.get("/accounts/login/?next=https://evil.example/").content.decode()
    assert "back-link" not in elsewhere and "evil.example" not in elsewhere.split("<main", 1)[1].split("<form", 1)[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_account_pages_are_accessible_on_a_phone(page, axe, language):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    if language == "en":
        choose_language(page, "en")
    for path in PAGES:
        page.goto(path + "?next=/")
        assert page.locator("html").get_attribute("lang") == language
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        box = page.locator("input[type=checkbox]").first.bounding_box() if page.locator("input[type=checkbox]").count() else None
        assert box is None or box["height"] >= 20, "a box big enough for a thumb"
    assert page.errors == []
