"""The staff desk and the filtered banner in real Chromium at phone size: a publisher draws the area on
the map (tap, undo, tap) and publishes it; a person saves their commune on the device and the banner
hides the alerts of other communes (whole-city alerts stay); axe-clean in French and English."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.notifications import cityalerts
from citypocket.notifications.models import AlertState, CityAlert, Severity
from testsupport import login, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    client = login(Client(), user)  # with the second factor the desk requires
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def tap(page, box, x: float, y: float) -> None:
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)


def test_a_publisher_draws_the_area_on_the_map(page, live_server, rouen, axe):
    failed = []  # the map's tiles are refused in tests (conftest); nothing else may fail
    page.on("requestfailed", lambda request: failed.append(request.url))
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, officer)
    for language in ("en", "fr"):
        page.goto(f"/rouen/alerts/manage/?lang={language}")
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        violations = axe(page)
        assert violations == [], (language, [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations])
    area = page.locator("#id_polygon")
    page.locator(".area-map").scroll_into_view_if_needed()
    page.locator(".area-map.leaflet-container").wait_for()
    box = page.locator(".area-map").bounding_box()
    for x, y in ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7)):
        tap(page, box, x, y)
    first = json.loads(area.input_value())
    assert first["type"] == "Polygon" and len(first["coordinates"][0]) == 4
    assert first["coordinates"][0][0] == first["coordinates"][0][-1]
    assert "3" in page.locator(".draw-status").inner_text()
    page.get_by_role("button", name="Annuler le dernier point").click()
    assert area.input_value() == ""  # two corners are not an area
    tap(page, box, 0.3, 0.7)
    tap(page, box, 0.5, 0.85)
    drawn = json.loads(area.input_value())
    assert len(drawn["coordinates"][0]) == 5
    # The textarea is the other way to draw: typing a polygon redraws the map.
    page.get_by_role("button", name="Effacer la zone").click()
    assert area.input_value() == ""
    area.fill(json.dumps(drawn))
    area.dispatch_event("input")
    assert page.locator(".area-map path.leaflet-interactive").count() >= 1
    page.get_by_label("Gravité").select_option(Severity.MINOR)
    page.get_by_label("Titre en français").fill("Route fermée quai de Paris")
    page.get_by_label("Titre en anglais").fill("Road closed on quai de Paris")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_url("**/alerts/manage/*/")
    alert = CityAlert.objects.get()
    assert alert.state == AlertState.PUBLISHED and alert.polygon == drawn
    assert "Route fermée quai de Paris" in page.locator("h1").inner_text()
    assert failed and all(url.startswith("https://tile.openstreetmap.org/") for url in failed), failed
    assert [error for error in page.errors if "Failed to load resource" not in error] == []


def test_the_banner_shows_the_alerts_of_the_saved_commune(page, live_server, rouen):
    rouen.insee_codes = ["76540", "76451"]
    rouen.save(update_fields=["insee_codes"])
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    now = timezone.now()
    common = {"kind": "road", "severity": Severity.MODERATE, "onset": now, "expires": now + timedelta(hours=3)}
    cityalerts.publish_alert(city=rouen, author=officer, headline_fr="Pont fermé au Grand-Quevilly",
                             headline_en="Bridge closed", communes=["76451"], **common)
    cityalerts.publish_alert(city=rouen, author=officer, headline_fr="Orages sur toute la ville",
                             headline_en="Storms", **common)
    page.set_viewport_size({"width": 390, "height": 844})
    banner = page.locator(".alert-banner")
    page.goto("/rouen/alerts/?lang=fr")
    assert banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()  # nothing saved: every alert
    page.get_by_label("Ma commune").select_option("76540")
    assert page.locator("#alerts-commune [role=status]").inner_text()
    assert not banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()
    assert banner.get_by_text("Orages sur toute la ville").is_visible()
    page.goto("/rouen/?lang=fr")  # kept on the device, every page of the city
    assert not banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()
    assert banner.get_by_text("Orages sur toute la ville").is_visible()
    assert "1 alerte concerne une autre zone" in banner.inner_text()
    banner.get_by_role("button", name="Les afficher").click()
    assert banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()
    page.goto("/rouen/alerts/?lang=fr")
    page.get_by_label("Ma commune").select_option("76451")
    page.goto("/rouen/?lang=fr")
    assert banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()
    # A commune saved by the water page is used as well.
    page.evaluate("localStorage.clear(); localStorage.setItem('citypocket.water.rouen', '76540')")
    page.reload()
    assert not banner.get_by_text("Pont fermé au Grand-Quevilly").is_visible()
    assert page.errors == []
