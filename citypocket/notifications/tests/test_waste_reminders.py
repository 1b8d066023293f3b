"""Waste reminders (`waste` theme): the evening before a collection, the devices of that zone hear it
once (holiday shifts included, in their language, quiet hours respected); the waste zone page saves
the zone (a device through the API, a signed-in person through the form); the centre shows it by its
name and removes it."""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from citypocket.cityinfo import waste
from citypocket.cityinfo.waste_demo import load_waste
from citypocket.cityinfo.waste_models import WasteZone
from citypocket.core.privacy import erase_personal_data, export_personal_data
from citypocket.notifications import services as centre
from citypocket.notifications.models import Channel, Delivery, DeliveryStatus, Notification, Subscription, Theme
from citypocket.notifications.schedule import release_due_deliveries
from citypocket.notifications.tests.factories import SubscriptionFactory
from citypocket.notifications.waste import send_waste_reminders
from testsupport import login, pin_now

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Rouen's centre (demo): glass every other Friday; Friday 25 December 2026 is moved to Saturday 26th.
CHRISTMAS_EVENING = datetime(2026, 12, 25, 18, 0, tzinfo=PARIS)


@pytest.fixture
def zones(rouen, aix):
    load_waste()
    return WasteZone.objects.get(city=rouen, slug="rive-droite"), WasteZone.objects.get(city=rouen, slug="rive-gauche")


def device(service, city, themes, language="fr", **fields):
    browser = service.subscribe()
    subscription = centre.subscribe_push(city=city, endpoint=browser["endpoint"], p256dh=browser["keys"]["p256dh"],
                                         auth=browser["keys"]["auth"], language=language)
    Subscription.objects.filter(pk=subscription.pk).update(themes=list(themes), **fields)
    return browser["endpoint"].rsplit("/", 1)[-1]


def heard(service, name: str) -> list[dict]:
    return [json.loads(message) for message in service.messages_for(name)]


def run(moment, capture):
    with capture(execute=True):
        return send_waste_reminders(moment)


def test_a_device_of_zone_a_hears_tomorrows_collections_once_and_nobody_else(
        rouen, zones, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks):
    centre_zone, left_bank = zones
    pin_now(monkeypatch, CHRISTMAS_EVENING)
    tomorrow = [item.stream for item in waste.zone_collections(centre_zone, CHRISTMAS_EVENING.date().replace(day=26),
                                                               CHRISTMAS_EVENING.date().replace(day=27))]
    assert "glass" in tomorrow
    zone_a = device(push_service, rouen, [Theme.WASTE], waste_zones=["rive-droite"])
    zone_b = device(push_service, rouen, [Theme.WASTE], waste_zones=["rive-gauche"])
    no_theme = device(push_service, rouen, [Theme.CITY_ALERTS], waste_zones=["rive-droite"])
    no_zone = device(push_service, rouen, [Theme.WASTE])

    first = run(CHRISTMAS_EVENING, django_capture_on_commit_callbacks)
    again = run(CHRISTMAS_EVENING.replace(hour=19), django_capture_on_commit_callbacks)  # the next hour's run

    assert first["notifications"] >= len(tomorrow) and again["notifications"] == first["notifications"]
    messages = heard(push_service, zone_a)
    assert len(messages) == len(tomorrow)  # each stream once, not again at 19:00
    glass = next(message for message in messages if "Verre" in message["title"])
    assert glass["title"] == "Collecte demain : Verre"
    assert "déplacée du vendredi 25 décembre (jour férié)" in glass["body"].lower()
    assert glass["url"] == "/rouen/waste/zones/rive-droite/"
    assert "Gros Horloge" not in json.dumps(messages)  # a zone, never an address
    keys = set(Notification.objects.filter(city=rouen, theme=Theme.WASTE, category="rive-droite")
               .values_list("key", flat=True))
    assert keys == {f"waste:rive-droite:2026-12-26:{stream}" for stream in tomorrow}
    left = {item.stream for item in waste.zone_collections(left_bank, CHRISTMAS_EVENING.date().replace(day=26),
                                                            CHRISTMAS_EVENING.date().replace(day=27))}
    assert len(heard(push_service, zone_b)) == len(left)  # zone B hears only its own (if any)
    assert all(message["url"].endswith("/rive-gauche/") for message in heard(push_service, zone_b))
    assert heard(push_service, no_theme) == [] and heard(push_service, no_zone) == []


def test_the_reminder_is_in_the_subscribers_language(rouen, zones, vapid, push_service, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    pin_now(monkeypatch, CHRISTMAS_EVENING)
    english = device(push_service, rouen, [Theme.WASTE], language="en", waste_zones=["rive-droite"])
    run(CHRISTMAS_EVENING, django_capture_on_commit_callbacks)
    glass = next(message for message in heard(push_service, english) if "Glass" in message["title"])
    assert glass["title"] == "Collection tomorrow: Glass"
    assert "Moved from Friday 25 December (public holiday)." in glass["body"]


def test_only_the_citys_evening_sends(rouen, zones, vapid, push_service, monkeypatch,
                                      django_capture_on_commit_callbacks):
    name = device(push_service, rouen, [Theme.WASTE], waste_zones=["rive-droite"])
    for hour in (9, 17, 22, 23):
        moment = CHRISTMAS_EVENING.replace(hour=hour)
        pin_now(monkeypatch, moment)
        assert run(moment, django_capture_on_commit_callbacks) == {"cities": 0, "notifications": 0}
    assert heard(push_service, name) == []
    assert not Notification.objects.filter(theme=Theme.WASTE).exists()


def test_a_holiday_skipped_collection_is_not_reminded(rouen, zones, vapid, push_service, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    """14 July 2026: green waste of Rouen's centre is not collected (rule `skip`)."""
    centre_zone, _left = zones
    eve = datetime(2026, 7, 13, 18, 0, tzinfo=PARIS)
    pin_now(monkeypatch, eve)
    assert centre_zone.rules.get(stream="green").holiday_shift == "skip"
    device(push_service, rouen, [Theme.WASTE], waste_zones=["rive-droite"])
    run(eve, django_capture_on_commit_callbacks)
    keys = list(Notification.objects.filter(theme=Theme.WASTE).values_list("key", flat=True))
    assert "waste:rive-droite:2026-07-14:green" not in keys
    usual = [item.stream for item in waste.zone_collections(centre_zone, eve.date().replace(day=14),
                                                            eve.date().replace(day=15))]
    assert sorted(keys) == sorted(f"waste:rive-droite:2026-07-14:{stream}" for stream in usual)


def test_quiet_hours_over_the_evening_hold_the_reminder_until_they_end(
        rouen, zones, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks):
    pin_now(monkeypatch, CHRISTMAS_EVENING)
    name = device(push_service, rouen, [Theme.WASTE], waste_zones=["rive-droite"],
                  quiet_start=time(17), quiet_end=time(20))
    run(CHRISTMAS_EVENING, django_capture_on_commit_callbacks)
    held = Delivery.objects.filter(notification__theme=Theme.WASTE)
    assert held.exists() and set(held.values_list("status", flat=True)) == {DeliveryStatus.HELD}
    assert heard(push_service, name) == []
    pin_now(monkeypatch, CHRISTMAS_EVENING.replace(hour=20, minute=1))
    with django_capture_on_commit_callbacks(execute=True):
        release_due_deliveries.call()
    assert len(heard(push_service, name)) == held.count()


def test_the_api_saves_the_zone_on_the_device_and_refuses_an_unknown_one(rouen, zones, vapid, push_service):
    browser = push_service.subscribe()
    url = "/api/v1/cities/rouen/notifications/push-subscriptions"
    body = {**browser, "language": "fr", "themes": ["waste"], "waste_zones": ["nowhere"]}
    refused = Client().post(url, body, content_type="application/json")
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert not Subscription.objects.exists()
    answer = Client().post(url, {**body, "waste_zones": ["rive-droite"]}, content_type="application/json")
    assert answer.status_code == 201
    data = answer.json()
    assert data["waste_zones"] == ["rive-droite"] and "waste" in data["themes"]
    # Again from another zone's page: added to the first.
    Client().post(url, {**body, "waste_zones": ["rive-gauche"]}, content_type="application/json")
    subscription = Subscription.objects.get(endpoint=browser["endpoint"])
    assert subscription.waste_zones == ["rive-droite", "rive-gauche"] and subscription.user is None


def test_the_zone_page_offers_the_reminder_to_a_device_and_a_signed_in_subscriber(rouen, zones, citizen):
    anonymous = Client().get("/rouen/waste/zones/rive-droite/").content.decode()
    assert 'id="waste-reminder" hidden' in anonymous and 'data-zone="rive-droite"' in anonymous
    assert "notifications/waste-reminder.js" in anonymous
    client = login(Client(), citizen, mfa=False)
    # Signed in without a subscription in the city: only the device's control (shown by the script).
    assert 'id="waste-reminder" hidden' in client.get("/rouen/waste/zones/rive-droite/").content.decode()
    response = client.post("/rouen/notifications/waste-reminder/", {"zone": "rive-droite"})
    assert response.status_code == 302 and response["Location"] == "/rouen/notifications/"
    assert not Subscription.objects.filter(user=citizen).exists()

    email = SubscriptionFactory(city=rouen, user=citizen, themes=[Theme.CITY_ALERTS])
    phone = SubscriptionFactory(city=rouen, webpush=True, user=citizen, themes=[Theme.AIR])
    page = client.get("/rouen/waste/zones/rive-droite/").content.decode()
    assert 'action="/rouen/notifications/waste-reminder/"' in page and "Stop" not in page.split("reminder-title")[1]
    response = client.post("/rouen/notifications/waste-reminder/", {"zone": "rive-droite"})
    assert response.status_code == 302 and response["Location"] == "/rouen/waste/zones/rive-droite/"
    for subscription in (email, phone):
        subscription.refresh_from_db()
        assert subscription.waste_zones == ["rive-droite"] and Theme.WASTE in subscription.themes
    page = client.get("/rouen/waste/zones/rive-droite/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Stop these reminders" in page
    assert client.post("/rouen/notifications/waste-reminder/", {"zone": "nowhere"}).status_code == 404
    client.post("/rouen/notifications/waste-reminder/", {"zone": "rive-droite", "action": "stop"})
    email.refresh_from_db()
    assert email.waste_zones == []


def test_the_reminder_form_needs_a_signed_in_person(rouen, zones):
    response = Client().post("/rouen/notifications/waste-reminder/", {"zone": "rive-droite"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Subscription.objects.exists()


def test_the_centre_shows_the_zone_by_its_name_and_removes_it(rouen, zones, citizen):
    centre_zone, _left = zones
    email = SubscriptionFactory(city=rouen, user=citizen, themes=[Theme.WASTE], waste_zones=["rive-droite"])
    client = login(Client(), citizen, mfa=False)
    page = client.get("/rouen/notifications/").content.decode()
    assert centre_zone.name_fr in page and 'value="rive-droite"' in page and 'value="rive-gauche"' not in page
    assert "checked" in page.split('value="rive-droite"')[1].split(">")[0]
    form = {"email": "on", "themes": ["waste"], "language": "fr", "digest": "none"}
    client.post("/rouen/notifications/", {**form, "waste_zones": ["rive-droite"]})
    email.refresh_from_db()
    assert email.waste_zones == ["rive-droite"]  # kept when saved as shown
    client.post("/rouen/notifications/", form)
    email.refresh_from_db()
    assert email.waste_zones == [] and email.channel == Channel.EMAIL


def test_a_device_page_shows_and_removes_its_zone(rouen, zones):
    subscription = SubscriptionFactory(city=rouen, webpush=True, themes=[Theme.WASTE],
                                       waste_zones=["rive-droite", "rive-gauche"])
    url = f"/rouen/notifications/device/{subscription.token}/"
    page = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="rive-droite"' in page and 'value="rive-gauche"' in page
    Client().post(url, {"themes": ["waste"], "language": "fr", "waste_zones": ["rive-gauche"]})
    subscription.refresh_from_db()
    assert subscription.waste_zones == ["rive-gauche"]


def test_the_zone_is_in_my_data_and_erased_with_the_subscription(rouen, zones, citizen):
    SubscriptionFactory(city=rouen, user=citizen, themes=[Theme.WASTE], waste_zones=["rive-droite"])
    export = export_personal_data(citizen)
    text = json.dumps(export, ensure_ascii=False, default=str)
    assert '"waste_zones": ["rive-droite"]' in text
    erase_personal_data(user=citizen)
    assert not Subscription.objects.exists()
