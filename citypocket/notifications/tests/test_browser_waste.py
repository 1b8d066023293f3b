"""The waste zone page's "Remind me the evening before" in real Chromium at phone size, for a signed-in
subscriber, in French and English: axe-core finds nothing, the keyboard alone saves the zone and
stops it, and the centre then shows the zone by its name."""

import pytest
from django.conf import settings
from django.test import Client

from citypocket.notifications.models import Subscription, Theme
from citypocket.notifications.tests.factories import SubscriptionFactory
from testsupport import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _problems(violations):
    return [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def test_a_subscriber_saves_and_stops_the_reminder_with_the_keyboard(page, live_server, rouen, axe):
    from citypocket.cityinfo.waste_demo import load_waste

    load_waste()
    person = UserFactory()
    email = SubscriptionFactory(city=rouen, user=person, themes=[Theme.CITY_ALERTS])
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    for language, remind, stop in (("fr", "Me le rappeler la veille au soir", "Arrêter ces rappels"),
                                   ("en", "Remind me the evening before", "Stop these reminders")):
        page.goto(f"/rouen/waste/zones/rive-droite/?lang={language}")
        assert page.locator("#waste-reminder").count() == 0  # the signed-in form, not the device's control
        assert _problems(axe(page)) == []
        button = page.get_by_role("button", name=remind)
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        email.refresh_from_db()
        assert email.waste_zones == ["rive-droite"] and Theme.WASTE in email.themes
        assert page.url.endswith("/rouen/waste/zones/rive-droite/")
        assert page.locator(".messages").is_visible()
        assert _problems(axe(page)) == []
        page.goto(f"/rouen/notifications/?lang={language}")
        assert page.get_by_label("Rive droite — centre (démo)" if language == "fr"
                                 else "Right bank — centre (demo)").is_checked()
        page.goto(f"/rouen/waste/zones/rive-droite/?lang={language}")
        page.get_by_role("button", name=stop).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert Subscription.objects.get(pk=email.pk).waste_zones == []
    assert page.errors == []
