"""An alert drawn on the map, in real Chromium at phone size: a device that saved its position outside
the drawn area does not see it in the banner ("show them" brings it back), one inside does; the
position is saved by the alerts page's "Use my position" (opt-in, rounded) and forgotten again."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.notifications import cityalerts
from citypocket.notifications.models import Severity
from testsupport import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Around the centre of Rouen: 1.08-1.10 E, 49.43-49.45 N.
SQUARE = {"type": "Polygon", "coordinates": [[[1.08, 49.43], [1.10, 49.43], [1.10, 49.45], [1.08, 49.45],
                                              [1.08, 49.43]]]}


def test_a_saved_position_outside_the_drawn_area_hides_the_alert(page, live_server, rouen, axe):
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    now = timezone.now()
    common = {"kind": "accident", "severity": Severity.MODERATE, "onset": now, "expires": now + timedelta(hours=3)}
    cityalerts.publish_alert(city=rouen, author=officer, headline_fr="Fumées sur le centre",
                             headline_en="Smoke over the centre", polygon=SQUARE, **common)
    cityalerts.publish_alert(city=rouen, author=officer, headline_fr="Orages sur toute la ville",
                             headline_en="Storms", **common)
    page.set_viewport_size({"width": 390, "height": 844})
    banner = page.locator(".alert-banner")
    drawn, everywhere = banner.get_by_text("Fumées sur le centre"), banner.get_by_text("Orages sur toute la ville")
    page.goto("/rouen/?lang=fr")
    assert drawn.is_visible() and everywhere.is_visible()  # no position saved: every alert
    # A position 4 km south-west of the drawn area, saved on this device.
    page.evaluate("localStorage.setItem('citypocket.alerts.position.rouen', JSON.stringify({lat: 49.40, lon: 1.04}))")
    page.reload()
    assert not drawn.is_visible() and everywhere.is_visible()
    assert "1 alerte concerne une autre zone" in banner.inner_text()
    banner.get_by_role("button", name="Les afficher").click()
    assert drawn.is_visible()
    # Inside it, or just beyond its edge: it shows.
    for point in ({"lat": 49.44, "lon": 1.09}, {"lat": 49.428, "lon": 1.09}):
        page.evaluate(f"localStorage.setItem('citypocket.alerts.position.rouen', '{json.dumps(point)}')")
        page.reload()
        assert drawn.is_visible() and not page.locator(".alerts-elsewhere").is_visible()
    # The alerts page's "Use my position": asked only on a tap, kept rounded, forgotten on request.
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 49.401234, "longitude": 1.041987})
    page.evaluate("localStorage.clear()")
    page.goto("/rouen/alerts/?lang=fr")
    assert drawn.is_visible()
    page.get_by_role("button", name="Utiliser ma position").click()
    page.get_by_role("button", name="Oublier ma position").wait_for()
    saved = json.loads(page.evaluate("localStorage.getItem('citypocket.alerts.position.rouen')"))
    assert saved == {"lat": 49.401, "lon": 1.042}
    assert not drawn.is_visible() and everywhere.is_visible()
    assert "Position enregistrée" in page.locator("#alerts-position [role=status]").inner_text()
    for language in ("fr", "en"):
        page.goto(f"/rouen/alerts/?lang={language}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        violations = axe(page)
        assert violations == [], (language, [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations])
    page.get_by_role("button", name="Forget my position").click()
    assert page.evaluate("localStorage.getItem('citypocket.alerts.position.rouen')") is None
    assert banner.get_by_text("Smoke over the centre").is_visible()  # the page is in English now
    assert page.errors == []
