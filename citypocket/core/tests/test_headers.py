"""Security headers every answer carries: Permissions-Policy, and the language cookie's SameSite."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/rouen/", "/api/v1/cities/rouen", "/nowhere/", "/sw.js"])
def test_every_answer_denies_the_browser_features_the_app_does_not_use(client, rouen, url):
    """Camera, microphone, payment, USB… denied to the page and its frames; the position only for the app itself."""
    policy = {
        item.split("=", 1)[0]: item.split("=", 1)[1]
        for item in client.get(url)["Permissions-Policy"].split(", ")
    }
    assert policy["geolocation"] == "(self)"
    for feature in ("camera", "microphone", "payment", "usb", "serial", "hid", "midi", "display-capture"):
        assert policy[feature] == "()", feature


def test_the_language_cookie_is_samesite_lax(client, rouen):
    """Choosing EN sets the language cookie with SameSite=Lax, like the session and CSRF cookies."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/rouen/"})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["samesite"] == "Lax"
