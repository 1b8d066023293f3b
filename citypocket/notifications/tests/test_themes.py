"""The water and events themes send: a commune's water-restriction change reaches the `water` theme
(once for whoever also hears city alerts), an event published, cancelled or postponed reaches the
`events` theme of its categories; the centre keeps the chosen categories."""

import json
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from citypocket.cityinfo.tests.factories import EventCategoryFactory, EventFactory
from citypocket.notifications import services as centre
from citypocket.notifications.models import Delivery, DeliveryStatus, Notification, Subscription, Theme
from citypocket.notifications.tests.factories import SubscriptionFactory
from citypocket.officialfeeds import services as feeds
from citypocket.officialfeeds import vigieau
from testsupport import local_moment, login, pin_now

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).resolve().parents[2] / "officialfeeds" / "tests" / "fixtures"


def water(name: str):
    return vigieau.parse_zones(json.loads((FEEDS / name).read_text()))


def device(service, city, themes, **fields):
    browser = service.subscribe()
    subscription = centre.subscribe_push(city=city, endpoint=browser["endpoint"], p256dh=browser["keys"]["p256dh"],
                                         auth=browser["keys"]["auth"], language="fr")
    Subscription.objects.filter(pk=subscription.pk).update(themes=list(themes), **fields)
    return browser["endpoint"].rsplit("/", 1)[-1]


def titles(service, name: str) -> list[str]:
    return [json.loads(message)["title"] for message in service.messages_for(name)]


# --- Water -----------------------------------------------------------------------------------------


def test_each_water_change_reaches_the_water_theme_once_and_no_one_twice(aix, rouen, vapid, push_service,
                                                                          django_capture_on_commit_callbacks):
    water_only = device(push_service, aix, [Theme.WATER])
    both = device(push_service, aix, [Theme.WATER, Theme.CITY_ALERTS])
    air_only = device(push_service, aix, [Theme.AIR])
    elsewhere = device(push_service, rouen, [Theme.WATER])
    for fixture in ("vigieau_alerte_13001.json", "vigieau_alerte_13001.json", "vigieau_crise_13001.json"):
        with django_capture_on_commit_callbacks(execute=True):
            feeds.record_water_state(city=aix, commune_code="13001", state=water(fixture))
    with django_capture_on_commit_callbacks(execute=True):
        feeds.record_water_state(city=aix, commune_code="13001", state=vigieau.parse_zones([]))

    assert Notification.objects.filter(city=aix, theme=Theme.WATER).count() == 3  # the same level again: none
    heard = titles(push_service, water_only)
    assert len(heard) == 3 and heard[0].endswith("Alerte") and heard[1].endswith("Crise")
    assert not heard[0].startswith("Alerte mise à jour")  # the feed's own words, not the alert's
    # Both themes: each change once, as the city alert (published, updated, closed).
    together = titles(push_service, both)
    assert len(together) == 3 and together[1].startswith("Alerte mise à jour")
    assert together[2].startswith("Fin d'alerte")
    assert titles(push_service, air_only) == [] and titles(push_service, elsewhere) == []


def test_quiet_hours_hold_a_moderate_water_change_and_let_a_crisis_through(aix, vapid, push_service, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    night = pin_now(monkeypatch, local_moment(aix.timezone, hour=23, minute=30))
    name = device(push_service, aix, [Theme.WATER], quiet_start=time(22), quiet_end=time(7))
    with django_capture_on_commit_callbacks(execute=True):
        feeds.record_water_state(city=aix, commune_code="13001", state=water("vigieau_alerte_13001.json"), now=night)
    assert titles(push_service, name) == []
    held = Delivery.objects.get(notification__theme=Theme.WATER, notification__key__contains=":alerte:")
    assert held.status == DeliveryStatus.HELD
    with django_capture_on_commit_callbacks(execute=True):
        feeds.record_water_state(city=aix, commune_code="13001", state=water("vigieau_crise_13001.json"), now=night)
    assert len(titles(push_service, name)) == 1 and titles(push_service, name)[0].endswith("Crise")


# --- Events ----------------------------------------------------------------------------------------


def soon(days: int = 10):
    start = timezone.now() + timedelta(days=days)
    return {"starts_at": start, "ends_at": start + timedelta(hours=2)}


def test_a_published_event_reaches_the_events_theme_of_its_categories_once(rouen, vapid, push_service,
                                                                           django_capture_on_commit_callbacks):
    concerts = EventCategoryFactory(city=rouen, slug="concerts", name_fr="Concerts", name_en="Concerts")
    EventCategoryFactory(city=rouen, slug="expositions", name_fr="Expositions", name_en="Exhibitions")
    fan = device(push_service, rouen, [Theme.EVENTS], event_categories=["concerts"])
    other = device(push_service, rouen, [Theme.EVENTS], event_categories=["expositions"])
    everything = device(push_service, rouen, [Theme.EVENTS])
    no_theme = device(push_service, rouen, [Theme.CITY_ALERTS], event_categories=["concerts"])
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(city=rouen, title_fr="Jazz au jardin", **soon())
        event.categories.set([concerts])
    assert titles(push_service, fan) == ["Nouveau dans l'agenda\u00a0: Jazz au jardin"]
    assert titles(push_service, everything) == titles(push_service, fan)
    assert titles(push_service, other) == [] and titles(push_service, no_theme) == []

    with django_capture_on_commit_callbacks(execute=True):  # saved again, unchanged: nothing more
        event.save()
    assert len(titles(push_service, fan)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        event.status = "cancelled"
        event.save()
    assert titles(push_service, fan)[1] == "Annulé\u00a0: Jazz au jardin"
    assert len(titles(push_service, everything)) == 2 and titles(push_service, other) == []


def test_an_event_of_two_categories_is_heard_once_and_unpublished_or_past_ones_not_at_all(
        rouen, vapid, push_service, django_capture_on_commit_callbacks):
    concerts = EventCategoryFactory(city=rouen, slug="concerts")
    outdoors = EventCategoryFactory(city=rouen, slug="plein-air")
    fan = device(push_service, rouen, [Theme.EVENTS], event_categories=["concerts", "plein-air"])
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(city=rouen, **soon())
        event.categories.set([concerts, outdoors])
        EventFactory(city=rouen, is_published=False, **soon())
        past = timezone.now() - timedelta(days=3)
        EventFactory(city=rouen, starts_at=past, ends_at=past + timedelta(hours=1))
    assert len(titles(push_service, fan)) == 1
    assert Notification.objects.get(theme=Theme.EVENTS).category == "concerts,plein-air"


def test_quiet_hours_hold_an_event(rouen, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks):
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=23, minute=30))
    name = device(push_service, rouen, [Theme.EVENTS], quiet_start=time(22), quiet_end=time(7))
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(city=rouen, **soon())
    assert titles(push_service, name) == []
    assert Delivery.objects.get(notification__theme=Theme.EVENTS).status == DeliveryStatus.HELD


def test_the_centre_shows_saves_and_keeps_event_categories(rouen, citizen):
    EventCategoryFactory(city=rouen, slug="concerts", name_fr="Concerts", name_en="Concerts")
    EventCategoryFactory(city=rouen, slug="expositions", name_fr="Expositions", name_en="Exhibitions")
    client = login(Client(), citizen, mfa=False)
    page = client.get("/rouen/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Exhibitions" in page and 'value="expositions"' in page
    assert 'value="waste"' in page  # offered: the waste reminders send it (test_waste_reminders.py)
    form = {"email": "on", "themes": ["city_alerts", "events"], "language": "fr", "digest": "none"}
    assert client.post("/rouen/notifications/", {**form, "event_categories": ["expositions"]}).status_code == 302
    subscription = Subscription.objects.get(user=citizen, city=rouen)
    assert subscription.event_categories == ["expositions"]
    page = client.get("/rouen/notifications/").content.decode()
    assert "checked" in page.split('value="expositions"')[1].split(">")[0]  # shown ticked again
    assert "checked" not in page.split('value="concerts"')[1].split(">")[0]
    # Saving another choice (a theme) with the form as shown keeps the categories.
    client.post("/rouen/notifications/", {**form, "themes": ["events"], "event_categories": ["expositions"]})
    subscription.refresh_from_db()
    assert subscription.themes == ["events"] and subscription.event_categories == ["expositions"]
    client.post("/rouen/notifications/", {**form, "event_categories": []})
    subscription.refresh_from_db()
    assert subscription.event_categories == []  # unticked: every event again


def test_a_device_page_saves_its_event_categories(rouen, vapid, push_service):
    EventCategoryFactory(city=rouen, slug="concerts")
    subscription = SubscriptionFactory(city=rouen, webpush=True, themes=[Theme.EVENTS])
    url = f"/rouen/notifications/device/{subscription.token}/"
    response = Client().post(url, {"themes": ["events"], "language": "fr", "event_categories": ["concerts"]})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.event_categories == ["concerts"]
    assert 'value="concerts"' in Client().get(url).content.decode()
