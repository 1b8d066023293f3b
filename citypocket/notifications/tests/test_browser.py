"""The notification centre and the alerts pages in real Chromium at phone size, with axe-core,
in French and English: the banner, the alerts page, an alert, My notifications (signed in)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.notifications import cityalerts
from citypocket.notifications.models import Severity
from testsupport import UserFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_alert_and_notification_pages_pass_axe_on_a_phone(page, live_server, rouen, axe):
    now = timezone.now()
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    alert = cityalerts.publish_alert(
        city=rouen, author=officer, kind="heatwave", severity=Severity.MODERATE, onset=now,
        expires=now + timedelta(days=2), headline_fr="Canicule : buvez de l'eau", headline_en="Heatwave: drink water",
        instruction_fr="Buvez régulièrement.", instruction_en="Drink often.", area_name="Rive droite",
        communes=["76540"])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, UserFactory())
    for url in ("/rouen/", "/rouen/alerts/", f"/rouen/alerts/{alert.identifier}/", "/rouen/notifications/"):
        for language in ("fr", "en"):
            page.goto(f"{url}?lang={language}")
            assert page.locator("h1").count() == 1, url
            banner = page.locator(".alert-banner")
            assert banner.is_visible(), url
            assert ("Canicule" if language == "fr" else "Heatwave") in banner.inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url  # no sideways scrolling
            violations = axe(page)
            assert violations == [], (url, language, [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations])
    page.goto("/rouen/notifications/?lang=fr")
    page.get_by_label("Épisodes de pollution de l'air").check()
    page.get_by_role("button", name="Enregistrer").click()
    assert "Vos préférences de notification sont enregistrées." in page.locator(".messages").inner_text()
    assert page.errors == []
