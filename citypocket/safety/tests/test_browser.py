"""Help now in real Chromium: accessible, and still there offline after one visit."""

import pytest

from citypocket.core.tests.browser import WORKER_IN_CONTROL, kept_offline, wait_until
from citypocket.safety.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_help_now_works_offline_after_one_visit(page, rouen, axe):
    """Visit help now once, cut the network, reload: 3919 and 112 are still on screen; axe finds nothing."""
    load_demo()
    page.goto("/rouen/safety/help/")
    assert page.locator("h1").inner_text() == "Aide immédiate" or page.locator("h1").inner_text() == "Help now"
    assert axe(page) == []
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the worker, which keeps a copy
    page.wait_for_function(WORKER_IN_CONTROL)
    wait_until(page, kept_offline("/rouen/safety/help/"))
    page.context.set_offline(True)
    page.reload()
    content = page.content()
    assert "3919" in content and 'href="tel:112"' in content and 'href="sms:114"' in content
    assert page.locator("h1").count() == 1
    page.context.set_offline(False)
    assert page.errors == []


def test_safety_pages_pass_axe(page, rouen, axe):
    """The overview (map + list), report form, follow form and video-protection pages have no axe violation."""
    load_demo()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    for url in ("/rouen/safety/", "/rouen/safety/report/", "/rouen/safety/follow/",
                "/rouen/safety/video-protection/", "/rouen/safety/learn/bystander-5d/"):
        page.goto(url)
        violations = axe(page)
        assert violations == [], (url, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations])
    # Map tiles are blocked in tests (their console errors do not name the URL): nothing else may fail.
    assert all("tile.openstreetmap.org" in url for url in failed), failed
    assert [e for e in page.errors if not e.startswith("Failed to load resource")] == []


def test_report_form_by_keyboard_gives_a_receipt(page, rouen):
    """Without touching the mouse, a visitor files a report and sees the receipt code."""
    page.goto("/rouen/safety/report/")
    page.locator("#id_category_1").check()
    page.locator("#id_occurred_on").fill("2026-11-01")
    page.locator("#id_place_name").fill("place Saint-Marc")
    page.locator("#id_place_name").press("Enter")
    page.wait_for_selector(".receipt code")
    assert len(page.locator(".receipt code").inner_text().replace("-", "")) == 20


def test_report_place_can_be_chosen_on_the_map(page, rouen):
    """Tapping the map fills the hidden point; the report is stored with its H3 cell, no street needed."""
    from citypocket.safety.models import HarassmentReport

    page.goto("/rouen/safety/report/")
    page.locator("#id_category_0").check()
    page.locator("#id_occurred_on").fill("2026-11-02")
    page.locator("#report-map").scroll_into_view_if_needed()  # Leaflet comes when the map nears the screen
    page.wait_for_selector("#report-map.leaflet-container")
    page.locator("#report-map").click()
    assert page.locator("#id_lat").input_value() != ""
    page.get_by_role("button", name="Envoyer mon signalement").click()
    page.wait_for_selector(".receipt code")
    report = HarassmentReport.objects.get()
    assert len(report.h3_cell) == 15 and report.place_name_enc == ""
