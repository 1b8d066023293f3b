"""Pollution episode alerts: subscriptions (e-mail, web push with VAPID) and sending an alert to them.

`episodes.check_episodes` creates the AirAlert of an episode day; the task `deliver_air_alert` then
runs `deliver_alert` here: each subscription gets it at most once (a database constraint), in the
language the subscriber chose when subscribing.

Web push needs `WEBPUSH_VAPID_PRIVATE_KEY` (PEM or base64url raw key) and
`WEBPUSH_VAPID_SUBJECT` (mailto: or https:), in settings or the environment; without a key the
web-push deliveries are recorded as skipped. Push endpoints must be https on a public host, so
that the server cannot be made to post to the local network (tests set AIR_PUSH_ALLOW_LOCAL).
"""

import ipaddress
import json
import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citypocket.air import indices
from citypocket.air.models import AirAlert, AlertDelivery, AlertSubscription, Channel
from citypocket.cities.models import City
from citypocket.core.problems import InvalidValues, NotFound

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")


def _setting(name: str, default: str = "") -> str:
    """A setting of the alerts (read from the environment at start-up, see settings.py), else `default`."""
    return getattr(settings, name) or default


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else "fr"


# --- Subscriptions ------------------------------------------------------------------------------


def subscribe_email(*, city: City, user, language: str = "fr") -> AlertSubscription:
    """Subscribes a signed-in citizen's (verified) address to the city's air alerts; idempotent."""
    if not getattr(user, "is_authenticated", False) or not user.email:
        raise InvalidValues("Sign in with an e-mail address to receive alerts by e-mail.")
    subscription, created = AlertSubscription.objects.get_or_create(
        city=city, channel=Channel.EMAIL, user=user,
        defaults={"token": uuid.uuid4(), "language": _language(language)},
    )
    if not created and (not subscription.is_active or subscription.language != _language(language)):
        subscription.is_active = True
        subscription.language = _language(language)
        subscription.save(update_fields=["is_active", "language"])
    return subscription


def check_endpoint(endpoint: str) -> str:
    """A push endpoint we may post to: https on a public host (no IP literal of a private network)."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:  # "https://[…" (an unclosed IPv6 literal) and other unsplittable URLs
        raise InvalidValues("The push endpoint is not a URL.",
                            errors=[{"field": "endpoint", "message": "not a URL"}]) from None
    allow_local = bool(getattr(settings, "AIR_PUSH_ALLOW_LOCAL", False))
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        raise InvalidValues("The push endpoint must use https.", errors=[{"field": "endpoint", "message": "not https"}])
    if not host:
        raise InvalidValues("The push endpoint has no host.", errors=[{"field": "endpoint", "message": "no host"}])
    if not allow_local:
        private = host == "localhost" or host.endswith(".local") or host.endswith(".internal")
        try:
            address = ipaddress.ip_address(host)
            private = private or not address.is_global
        except ValueError:
            pass
        if private:
            raise InvalidValues("The push endpoint must be on a public host.",
                                errors=[{"field": "endpoint", "message": "not a public host"}])
    return endpoint


def subscribe_push(*, city: City, endpoint: str, p256dh: str, auth: str, language: str = "fr",
                   user=None) -> AlertSubscription:
    """Records a browser push subscription for the city's air alerts; idempotent on the endpoint.

    Made while signed in, the subscription belongs to that account (`user`): it is then part of the
    account's personal data, exported and erased with it. Made anonymously, it belongs to nobody
    (a later anonymous subscription of the same endpoint leaves the account).
    """
    check_endpoint(endpoint)
    if not p256dh or not auth:
        raise InvalidValues("The push subscription lacks its keys.",
                            errors=[{"field": "keys", "message": "p256dh and auth are required"}])
    owner = user if getattr(user, "is_authenticated", False) else None
    fields = {"p256dh": p256dh, "auth": auth, "language": _language(language), "is_active": True, "user": owner}
    try:
        with transaction.atomic():
            subscription, _created = AlertSubscription.objects.update_or_create(
                city=city, channel=Channel.WEBPUSH, endpoint=endpoint,
                defaults=fields, create_defaults={"token": uuid.uuid4(), **fields},
            )
    except IntegrityError as error:  # pragma: no cover - a concurrent identical subscription
        raise InvalidValues("This subscription already exists.") from error
    return subscription


def unsubscribe(*, token: uuid.UUID) -> AlertSubscription:
    """Stops the alerts of the subscription holding this secret token."""
    subscription = AlertSubscription.objects.filter(token=token).first()
    if subscription is None:
        raise NotFound("No subscription with this token.")
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    return subscription


def alert_message(alert: AirAlert, language: str) -> dict:
    """Title, body and link of an alert, in `language`."""
    with translation.override(_language(language)):
        label = indices.label(indices.ATMO, alert.level, language)
        _meaning, action = indices.health_advice(alert.level)
        day = date_format(alert.date, "l j F")
        if alert.forecast:
            title = _("Air pollution forecast in %(city)s") % {"city": alert.city.name}
        else:
            title = _("Air pollution episode in %(city)s") % {"city": alert.city.name}
        body = _("%(day)s: air quality index %(label)s (%(level)s/6). %(action)s") % {
            "day": day, "label": label, "level": alert.level, "action": action}
        url = reverse("air:page", kwargs={"city": alert.city.slug})
    return {"title": title, "body": body, "url": url, "level": alert.level, "date": alert.date.isoformat(),
            "label": label}


def _vapid_key():
    """The VAPID private key as py_vapid wants it, or None when web push is not configured."""
    key = _setting("WEBPUSH_VAPID_PRIVATE_KEY")
    if not key:
        return None
    from py_vapid import Vapid02

    if "BEGIN" in key:
        return Vapid02.from_pem(key.encode())
    return Vapid02.from_string(key)


def vapid_public_key() -> str:
    """The application server key (base64url, uncompressed P-256 point) that browsers subscribe with."""
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    vapid = _vapid_key()
    if vapid is None:
        return ""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def send_push(subscription: AlertSubscription, message: dict) -> None:
    """Encrypts (aes128gcm) and posts one push message, signed with our VAPID key."""
    from pywebpush import WebPushException, webpush

    vapid = _vapid_key()
    if vapid is None:
        raise RuntimeError("web push is not configured")
    try:
        webpush(
            subscription_info={"endpoint": subscription.endpoint,
                               "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=vapid,
            vapid_claims={"sub": _setting("WEBPUSH_VAPID_SUBJECT", "mailto:contact@citypocket.org")},
            ttl=12 * 3600,
            timeout=10,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):  # the browser dropped the subscription
            subscription.is_active = False
            subscription.save(update_fields=["is_active"])
        raise RuntimeError(f"push refused ({status})") from error


def send_email(subscription: AlertSubscription, message: dict) -> None:
    base = _setting("SITE_URL", "").rstrip("/")
    with translation.override(subscription.language):
        footer = _("To stop these alerts, unsubscribe from the air page.")
    send_mail(
        subject=message["title"],
        message=f"{message['body']}\n\n{base}{message['url']}\n\n{footer}",
        from_email=None,
        recipient_list=[subscription.user.email],
    )


def deliver_alert(*, alert: AirAlert) -> dict[str, int]:
    """Sends the alert to every active subscription of its city that has not received it yet."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    subscriptions = AlertSubscription.objects.filter(city=alert.city, is_active=True).select_related("user")
    for subscription in subscriptions:
        delivery, _created = AlertDelivery.objects.get_or_create(alert=alert, subscription=subscription)
        if delivery.status == "sent":
            continue
        message = alert_message(alert, subscription.language)
        try:
            if subscription.channel == Channel.EMAIL:
                send_email(subscription, message)
            else:
                send_push(subscription, message)
        except Exception as error:  # one subscriber's failure must not stop the others
            logger.warning("air alert delivery failed", extra={"delivery": delivery.pk, "error": str(error)[:200]})
            delivery.status = "skipped" if "not configured" in str(error) else "failed"
            delivery.error = str(error)[:300]
            delivery.save(update_fields=["status", "error"])
            counts[delivery.status] += 1
            continue
        delivery.status = "sent"
        delivery.error = ""
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "error", "sent_at"])
        counts["sent"] += 1
    return counts
