"""The one sending door: themes and areas, quiet hours, digests, retries, expired push subscriptions,
the one-click unsubscribe of every e-mail, and the notification centre's pages."""

import json
from datetime import time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from citypocket.notifications import services
from citypocket.notifications.models import Channel, Delivery, DeliveryStatus, Digest, Severity, Subscription, Theme
from citypocket.notifications.schedule import release_due_deliveries, send_daily_digests
from citypocket.notifications.selectors import delivery_counts
from citypocket.notifications.sending import CLAIM_LEASE, backoff, claim_deliveries, unsubscribe_url
from citypocket.notifications.tests.factories import SubscriptionFactory
from citypocket.participation.models import PhaseKind
from citypocket.participation.services.accountability import announce_result_change, follow
from citypocket.participation.tests.conftest import make_process
from citypocket.participation.tests.factories import ActionResultFactory
from testsupport import local_moment, login, pin_now

pytestmark = pytest.mark.django_db

MESSAGES = {"fr": {"title": "Coupure d'eau", "body": "Rue Jeanne-d'Arc, de 9 h à 12 h.", "url": "/rouen/"},
            "en": {"title": "Water cut", "body": "Rue Jeanne-d'Arc, 9 am to noon.", "url": "/rouen/"}}


def notify(city, *, key="test:1", severity=Severity.MINOR, theme=Theme.CITY_ALERTS, **kwargs):
    return services.notify(theme=theme, city=city, key=key, severity=severity, messages=MESSAGES, **kwargs)


def push_subscriber(service, city, *, language="fr", themes=(Theme.CITY_ALERTS,), **fields):
    browser = service.subscribe()
    subscription = services.subscribe_push(city=city, endpoint=browser["endpoint"], p256dh=browser["keys"]["p256dh"],
                                           auth=browser["keys"]["auth"], language=language)
    Subscription.objects.filter(pk=subscription.pk).update(themes=list(themes), **fields)
    return browser["endpoint"].rsplit("/", 1)[-1], subscription


def test_push_reaches_the_subscriber_decrypted_in_their_language(rouen, vapid, push_service,
                                                                 django_capture_on_commit_callbacks):
    english, _sub = push_subscriber(push_service, rouen, language="en")
    french, _sub = push_subscriber(push_service, rouen, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(rouen)
    assert json.loads(push_service.messages_for(english)[0])["title"] == "Water cut"
    assert json.loads(push_service.messages_for(french)[0])["title"] == "Coupure d'eau"
    assert push_service.headers[0].get("authorization", "").startswith("vapid t="), push_service.headers
    assert delivery_counts(notification=notification) == {"sent": 2}
    # Same key again: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        notify(rouen)
    assert len(push_service.received) == 2


def test_themes_cities_and_communes_choose_who_gets_it(rouen, aix, vapid, push_service,
                                                      django_capture_on_commit_callbacks):
    wants, _s = push_subscriber(push_service, rouen)
    other_theme, _s = push_subscriber(push_service, rouen, themes=[Theme.AIR])
    other_city, _s = push_subscriber(push_service, aix)
    other_commune, _s = push_subscriber(push_service, rouen, communes=["76000"])
    this_commune, _s = push_subscriber(push_service, rouen, communes=["76540"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(rouen, communes=["76540"])
    got = {browser for browser, _plain, _at in push_service.received}
    assert got == {wants, this_commune}
    assert {other_theme, other_city, other_commune}.isdisjoint(got)


def test_quiet_hours_hold_back_a_minor_notification_and_let_a_severe_alert_through(
        rouen, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks):
    """At 23:30 in Rouen, with quiet hours 22:00-07:00: the minor one waits until 07:00, the severe one goes."""
    night = pin_now(monkeypatch, local_moment(rouen.timezone, hour=23, minute=30))
    browser, _s = push_subscriber(push_service, rouen, quiet_start=time(22), quiet_end=time(7))
    with django_capture_on_commit_callbacks(execute=True):
        minor = notify(rouen, key="minor")
        notify(rouen, key="severe", severity=Severity.SEVERE)
    assert [json.loads(m)["severity"] for m in push_service.messages_for(browser)] == ["Severe"]
    held = Delivery.objects.get(notification=minor)
    assert held.status == DeliveryStatus.HELD
    assert held.next_attempt_at.astimezone(rouen.zone).hour == 7

    pin_now(monkeypatch, night + timedelta(hours=2))  # 01:30: still quiet
    release_due_deliveries.call()
    assert len(push_service.messages_for(browser)) == 1
    pin_now(monkeypatch, night + timedelta(hours=8))  # 07:30: released
    release_due_deliveries.call()
    assert [json.loads(m)["severity"] for m in push_service.messages_for(browser)] == ["Severe", "Minor"]


def test_expired_push_subscriptions_are_removed(rouen, vapid, push_service, django_capture_on_commit_callbacks):
    browser, subscription = push_subscriber(push_service, rouen)
    push_service.gone.add(browser)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(rouen)
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert delivery_counts(notification=notification) == {"expired": 1}


def test_failures_are_retried_with_back_off(rouen, vapid, monkeypatch, django_capture_on_commit_callbacks):
    """A push service that is down: the delivery waits 30 s, then 1 min…, and fails after 5 attempts."""
    start = pin_now(monkeypatch, timezone.now())
    SubscriptionFactory(city=rouen, webpush=True, endpoint="http://127.0.0.1:9/push/down")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(rouen)
    delivery = Delivery.objects.get(notification=notification)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    moment = start
    for _attempt in range(4):
        moment += timedelta(minutes=10)
        pin_now(monkeypatch, moment)
        release_due_deliveries.call()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)


def test_every_email_has_a_one_click_unsubscribe(rouen, citizen, django_capture_on_commit_callbacks):
    """RFC 8058: List-Unsubscribe with an https URL and List-Unsubscribe-Post; a POST without cookies
    or CSRF token stops the subscription; an altered token is refused."""
    subscription = services.subscribe_email(city=rouen, user=citizen, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(rouen)
    [message] = mail.outbox
    assert message.subject == "Water cut"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    assert url == unsubscribe_url(subscription)
    path = url[url.index("/rouen/"):]
    assert Client(enforce_csrf_checks=True).post(path[:-2] + "x/", {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert Client().get(path).status_code == 200  # a link scanner's GET changes nothing
    assert Subscription.objects.get(pk=subscription.pk).is_active
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.get(pk=subscription.pk).is_active


def test_daily_digest_gathers_minor_notifications_but_not_severe_ones(rouen, citizen,
                                                                      django_capture_on_commit_callbacks):
    subscription = services.subscribe_email(city=rouen, user=citizen, language="fr")
    Subscription.objects.filter(pk=subscription.pk).update(digest=Digest.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        notify(rouen, key="a")
        notify(rouen, key="b")
        notify(rouen, key="c", severity=Severity.EXTREME)
    assert len(mail.outbox) == 1  # the extreme one, at once
    assert send_daily_digests.call() == 1
    digest = mail.outbox[1]
    assert digest.subject == "Votre résumé quotidien CityPocket"
    assert digest.body.count("Coupure d'eau") == 2
    assert "List-Unsubscribe" in digest.extra_headers


def test_centre_saves_preferences_and_lists_what_was_sent(rouen, citizen, django_capture_on_commit_callbacks):
    client = login(Client(), citizen, mfa=False)
    page = client.get("/rouen/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and "Mes notifications" in page.content.decode()
    response = client.post("/rouen/notifications/", {
        "email": "on", "themes": ["city_alerts", "air"], "communes": ["76540"], "language": "en",
        "quiet_start": "22:00", "quiet_end": "07:00", "digest": "weekly"})
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=citizen, city=rouen)
    assert subscription.themes == ["city_alerts", "air"] and subscription.communes == ["76540"]
    assert (subscription.quiet_start, subscription.digest, subscription.language) == (time(22), "weekly", "en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(rouen, severity=Severity.SEVERE)
    page = client.get("/rouen/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Water cut" in page


def test_an_anonymous_device_has_its_own_page_and_can_switch_off(rouen, vapid, push_service):
    _browser, subscription = push_subscriber(push_service, rouen)
    url = f"/rouen/notifications/device/{subscription.token}/"
    assert Client().get(url).status_code == 200
    assert Client().post(url, {"action": "stop"}).status_code == 302
    assert not Subscription.objects.get(pk=subscription.pk).is_active
    assert Client().get(f"/aix-en-provence/notifications/device/{subscription.token}/").status_code == 404


def test_participation_news_goes_through_the_centre_and_stops_with_the_theme(rouen, citizen,
                                                                            django_capture_on_commit_callbacks):
    """Following an item adds the participation theme; its news comes with the one-click unsubscribe;
    unticking the theme in the centre stops it."""
    result = ActionResultFactory(process=make_process(rouen, slug="budget-2026", open_phase=PhaseKind.RESULTS),
                                 title="Abris vélos en gare", progress=20)
    follow(user=citizen, result=result, language="fr")
    subscription = Subscription.objects.get(user=citizen, city=rouen)
    assert subscription.themes == [Theme.PARTICIPATION]
    with django_capture_on_commit_callbacks(execute=True):
        announce_result_change(result=result)
    [message] = mail.outbox
    assert "Abris vélos en gare" in message.body and "List-Unsubscribe" in message.extra_headers
    services.update_preferences(subscription, themes=[Theme.CITY_ALERTS], language="fr", communes=[])
    result.progress = 80
    result.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce_result_change(result=result)
    assert len(mail.outbox) == 1


def test_rows_of_a_worker_killed_mid_batch_are_given_back_after_the_claim_lease(
        rouen, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks):
    """A claim holds its rows for CLAIM_LEASE; a worker that died with them leaves them `sending`, and
    the minute sweep sends them once the lease is over (a digest reader's e-mail goes back to the digest)."""
    start = pin_now(monkeypatch, timezone.now())
    browser, push = push_subscriber(push_service, rouen)
    reader = SubscriptionFactory(city=rouen, themes=[Theme.CITY_ALERTS], digest=Digest.DAILY)
    notification = notify(rouen)  # on-commit fan-out not run: the rows are made by hand below
    pushed = Delivery.objects.create(notification=notification, subscription=push, channel=Channel.WEBPUSH)
    mailed = Delivery.objects.create(notification=notification, subscription=reader, channel=Channel.EMAIL,
                                     status=DeliveryStatus.DIGEST)
    claim_deliveries([pushed.pk])  # the worker claims, then dies before sending
    Delivery.objects.filter(pk=mailed.pk).update(status=DeliveryStatus.SENDING, next_attempt_at=start + CLAIM_LEASE)

    pin_now(monkeypatch, start + CLAIM_LEASE - timedelta(minutes=1))
    release_due_deliveries.call()
    assert push_service.messages_for(browser) == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENDING}

    pin_now(monkeypatch, start + CLAIM_LEASE + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        release_due_deliveries.call()
    assert [json.loads(m)["title"] for m in push_service.messages_for(browser)] == ["Coupure d'eau"]
    pushed.refresh_from_db()
    mailed.refresh_from_db()
    assert (pushed.status, mailed.status) == (DeliveryStatus.SENT, DeliveryStatus.DIGEST)
    assert pushed.attempts == 2  # the lost claim counts as an attempt
