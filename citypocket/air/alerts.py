"""Pollution episode alerts, sent through the notification centre (theme "air").

`episodes.check_episodes` creates the AirAlert of an episode day; the task `deliver_air_alert` then
runs `deliver_alert` here, which hands the alert, written in each language, to
`notifications.services.notify`: each subscriber of the theme gets it at most once (one
notification per city and day), in the language they chose, by e-mail or web push.

Subscribing from the air page or the air API adds the "air" theme to the person's (or device's)
notification subscription; its token unsubscribes from air alerts only.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citypocket.air import indices
from citypocket.air.models import AirAlert
from citypocket.cities.models import City
from citypocket.notifications import services as notifications
from citypocket.notifications.models import Notification, Severity, Subscription, Theme
from citypocket.notifications.sending import vapid_public_key

__all__ = ["alert_message", "deliver_alert", "subscribe_email", "subscribe_push", "unsubscribe", "vapid_public_key"]

LANGUAGES = notifications.LANGUAGES


def subscribe_email(*, city: City, user, language: str = "fr") -> Subscription:
    """Subscribes a signed-in citizen's (verified) address to the city's air alerts; idempotent."""
    return notifications.subscribe_email(city=city, user=user, language=language, theme=Theme.AIR)


def subscribe_push(*, city: City, endpoint: str, p256dh: str, auth: str, language: str = "fr",
                   user=None) -> Subscription:
    """Records a browser push subscription for the city's air alerts; idempotent on the endpoint."""
    return notifications.subscribe_push(city=city, endpoint=endpoint, p256dh=p256dh, auth=auth, language=language,
                                        user=user, theme=Theme.AIR)


def unsubscribe(*, token) -> Subscription:
    """Stops the air alerts of the subscription holding this secret token (its other themes stay)."""
    return notifications.unsubscribe(token=token, theme=Theme.AIR)


def email_subscription(*, city: City, user) -> Subscription | None:
    """The person's e-mail subscription when it includes air alerts."""
    subscription = Subscription.objects.filter(city=city, user=user, channel="email", is_active=True).first()
    return subscription if subscription is not None and Theme.AIR in subscription.themes else None


def alert_message(alert: AirAlert, language: str) -> dict:
    """Title, body and link of an alert, in `language`."""
    with translation.override(notifications.normalise_language(language)):
        label = indices.label(indices.ATMO, alert.level, language)
        _meaning, action = indices.health_advice(alert.level)
        day = date_format(alert.date, "l j F")
        if alert.forecast:
            title = _("Air pollution forecast in %(city)s") % {"city": alert.city.name}
        else:
            title = _("Air pollution episode in %(city)s") % {"city": alert.city.name}
        body = _("%(day)s: air quality index %(label)s (%(level)s/6). %(action)s") % {
            "day": day, "label": label, "level": alert.level, "action": str(action)}
        url = reverse("air:page", kwargs={"city": alert.city.slug})
    return {"title": title, "body": body, "url": url, "level": alert.level, "date": alert.date.isoformat(),
            "label": label}


def severity(level: int) -> str:
    """ATMO Mauvais (4) is a moderate event, Très mauvais (5) severe, Extrêmement mauvais (6+) extreme."""
    return Severity.EXTREME if level >= 6 else Severity.SEVERE if level == 5 else Severity.MODERATE


def deliver_alert(*, alert: AirAlert) -> Notification:
    """Hands the alert to the notification centre (once per city and day, whatever the triggers)."""
    return notifications.notify(
        theme=Theme.AIR, city=alert.city, key=f"air:{alert.date.isoformat()}", severity=severity(alert.level),
        messages={language: alert_message(alert, language) for language in LANGUAGES},
    )
