"""Factories of the notification tests: subscriptions, notifications, deliveries and city alerts."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from citypocket.cities.tests.factories import CityOwnedFactory, person
from citypocket.notifications.models import (
    AlertConfirmation,
    AlertKind,
    AlertState,
    Channel,
    CityAlert,
    Delivery,
    Notification,
    Severity,
    Subscription,
    Theme,
)


class SubscriptionFactory(CityOwnedFactory):
    """A citizen's e-mail subscription; `webpush=True` gives a browser's push subscription instead."""

    class Meta:
        model = Subscription

    class Params:
        webpush = factory.Trait(
            channel=Channel.WEBPUSH,
            user=None,
            endpoint=factory.Sequence(lambda n: f"https://push.example.org/subscription-{n}"),
            p256dh="k",
            auth="a",
        )

    token = factory.LazyFunction(uuid.uuid4)
    channel = Channel.EMAIL
    user = person()
    language = "fr"
    themes = factory.LazyFunction(lambda: [Theme.CITY_ALERTS, Theme.AIR])


class NotificationFactory(CityOwnedFactory):
    class Meta:
        model = Notification

    theme = Theme.CITY_ALERTS
    severity = Severity.MINOR
    key = factory.Sequence(lambda n: f"test:{n}")
    messages = factory.LazyFunction(lambda: {"fr": {"title": "Titre", "body": "Texte", "url": "/"},
                                             "en": {"title": "Title", "body": "Text", "url": "/"}})


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    subscription = factory.SubFactory(SubscriptionFactory, city=factory.SelfAttribute("..notification.city"))
    channel = factory.SelfAttribute("subscription.channel")
    status = "sent"


class CityAlertFactory(CityOwnedFactory):
    class Meta:
        model = CityAlert

    identifier = factory.LazyFunction(uuid.uuid4)
    kind = AlertKind.FLOOD
    severity = Severity.MODERATE
    headline_fr = "Crue de la Seine"
    headline_en = "Seine flood"
    onset = factory.LazyFunction(timezone.now)
    expires = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=12))
    state = AlertState.PUBLISHED
    author = person()


class AlertConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertConfirmation

    alert = factory.SubFactory(CityAlertFactory)
    user = person()
