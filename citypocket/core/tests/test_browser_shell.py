"""The app shell in real Chromium: choose a city, switch language, keyboard only, offline page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choose_a_city_and_come_back_to_it(page, rouen, aix, axe):
    """A visitor picks Aix from the list; next time `/` opens Aix directly."""
    page.goto("/")
    assert page.locator("h1").inner_text() == "Choisissez votre ville"
    assert axe(page) == []
    page.get_by_role("link", name="Aix-en-Provence").click()
    page.wait_for_url("**/aix-en-provence/")
    assert page.locator("h1").inner_text() == "Aix-en-Provence"
    page.goto("/")
    page.wait_for_url("**/aix-en-provence/")
    assert axe(page) == []
    assert page.errors == []


def test_switch_language_keeps_the_page(page, rouen):
    """Pressing EN on the Rouen home shows the same page in English, with lang="en"."""
    page.goto("/rouen/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("button", name="EN").click()
    page.wait_for_url("**/rouen/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    page.get_by_role("button", name="FR").click()
    page.wait_for_url("**/rouen/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.errors == []


def test_keyboard_only_reaches_main_content_and_the_city_switch(page, rouen):
    """Tab first lands on the visible skip link; Enter moves focus to main; the nav is reachable by Tab."""
    page.goto("/rouen/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert top >= 0, "the focused skip link must be visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto("/rouen/")
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Changer de ville" in seen
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"


def test_offline_page_is_served_by_the_service_worker(page, rouen):
    """After one visit, a page never visited loads as the offline page when the network is gone."""
    page.goto("/rouen/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # the page is now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto("/aix-en-provence/")
    assert page.locator("h1").inner_text() == "Vous êtes hors ligne"
    assert "112" in page.content()
    page.goto("/rouen/")  # visited before: the last copy is shown
    assert page.locator("h1").inner_text() == "Rouen"
    page.context.set_offline(False)


def test_chromium_applies_the_permissions_policy(page, rouen):
    """Chromium reads the whole Permissions-Policy (no unknown feature): the camera is denied, the position allowed."""
    warnings = []
    page.on("console", lambda msg: warnings.append(msg.text) if "Permissions-Policy" in msg.text else None)
    page.goto("/rouen/")
    assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False
    assert page.evaluate("document.featurePolicy.allowsFeature('microphone')") is False
    assert page.evaluate("document.featurePolicy.allowsFeature('geolocation')") is True
    assert warnings == []
