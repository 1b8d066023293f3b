"""Fan-out and sending: one Delivery per matching subscription, sent in batches with retries.

Web push needs `WEBPUSH_VAPID_PRIVATE_KEY` (PEM or base64url raw key) and `WEBPUSH_VAPID_SUBJECT`;
without a key the push deliveries are recorded as skipped. Each push is encrypted (aes128gcm,
RFC 8291) for its browser; the VAPID signature (RFC 8292) is made once per push service and reused
for an hour, which is most of the cost of a send. A push service answering 404 or 410 has dropped
the subscription: it is deleted. Other failures are retried with exponential back-off.

Every e-mail carries a one-click unsubscribe (RFC 8058 `List-Unsubscribe` and
`List-Unsubscribe-Post` headers) to a signed URL that works without signing in.
"""

import base64
import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.notifications.models import (
    URGENT,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    Notification,
    Subscription,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "citypocket.notifications.unsubscribe"
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)
VAPID_REUSE = 3600  # seconds a VAPID signature is reused for one push service (valid 12 h)


def setting(name: str, default):
    value = getattr(settings, name, None)
    return default if value in (None, "") else value


# --- Who gets a notification ---------------------------------------------------------------------


def wants(subscription: Subscription, notification: Notification) -> bool:
    """True when `subscription` asked for what `notification` is about (theme, area, category)."""
    if notification.theme not in subscription.themes:
        return False
    if notification.communes and subscription.communes and not set(notification.communes) & set(subscription.communes):
        return False
    return not (notification.category and subscription.event_categories
                and notification.category not in subscription.event_categories)


def matching_subscriptions(notification: Notification):
    """The active subscriptions that want `notification`, streamed (100 000 of them fit)."""
    rows = Subscription.objects.filter(city_id=notification.city_id, is_active=True)
    if notification.user_id:
        rows = rows.filter(user_id=notification.user_id)
    fields = ("pk", "channel", "themes", "communes", "event_categories", "quiet_start", "quiet_end", "digest")
    for subscription in rows.only(*fields).iterator(chunk_size=2000):
        if wants(subscription, notification):
            yield subscription


def in_quiet_hours(subscription: Subscription, local: datetime) -> datetime | None:
    """When the subscription's quiet hours end, if `local` (city time) falls in them; else None."""
    start, end = subscription.quiet_start, subscription.quiet_end
    if start is None or end is None or start == end:
        return None
    now = local.timetz().replace(tzinfo=None)
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release


def first_status(subscription: Subscription, notification: Notification, local: datetime):
    """(status, next attempt) of a new delivery: urgent alerts go now, others wait for quiet hours or a digest."""
    if notification.severity in URGENT:
        return DeliveryStatus.PENDING, None
    release = in_quiet_hours(subscription, local)
    if release is not None:
        return DeliveryStatus.HELD, release
    if subscription.channel == Channel.EMAIL and subscription.digest != Digest.NONE:
        return DeliveryStatus.DIGEST, None
    return DeliveryStatus.PENDING, None


def create_deliveries(notification: Notification, *, batch_size: int = 1000) -> int:
    """One delivery per matching subscription (again: nothing new); the number of subscriptions matched."""
    local = timezone.now().astimezone(notification.city.zone)
    batch, matched = [], 0
    for subscription in matching_subscriptions(notification):
        status, release = first_status(subscription, notification, local)
        batch.append(Delivery(notification=notification, subscription_id=subscription.pk,
                              channel=subscription.channel, status=status, next_attempt_at=release))
        matched += 1
        if len(batch) >= batch_size:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return matched


# --- Web push ------------------------------------------------------------------------------------


class PushGone(Exception):
    """The push service no longer knows this subscription (404, 410)."""


class PushNotConfigured(Exception):
    pass


def vapid_key():
    """The VAPID private key as py_vapid wants it, or None when web push is not configured."""
    key = setting("WEBPUSH_VAPID_PRIVATE_KEY", "")
    if not key:
        return None
    from py_vapid import Vapid02

    return Vapid02.from_pem(key.encode()) if "BEGIN" in key else Vapid02.from_string(key)


def vapid_public_key() -> str:
    """The application server key (base64url, uncompressed P-256 point) browsers subscribe with."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    vapid = vapid_key()
    if vapid is None:
        return ""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushSender:
    """Sends web pushes over one HTTP session, signing VAPID once per push service and hour."""

    def __init__(self):
        import requests

        self.vapid = vapid_key()
        self.subject = setting("WEBPUSH_VAPID_SUBJECT", "mailto:contact@citypocket.org")
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=32)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._headers: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def _vapid_headers(self, endpoint: str) -> dict:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            made, headers = self._headers.get(audience, (0.0, {}))
            if not headers or time.monotonic() - made > VAPID_REUSE:
                claims = {"sub": self.subject, "aud": audience, "exp": int(time.time()) + 12 * 3600}
                headers = self.vapid.sign(claims)
                self._headers[audience] = (time.monotonic(), headers)
        return dict(headers)

    def send(self, subscription: Subscription, payload: dict) -> None:
        from pywebpush import WebPusher

        if self.vapid is None:
            raise PushNotConfigured("web push is not configured")
        pusher = WebPusher({"endpoint": subscription.endpoint,
                            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                           requests_session=self.session)
        response = pusher.send(json.dumps(payload, ensure_ascii=False), headers=self._vapid_headers(
            subscription.endpoint), ttl=12 * 3600, content_encoding="aes128gcm", timeout=10)
        if response.status_code in (404, 410):
            raise PushGone(str(response.status_code))
        if response.status_code >= 300:
            raise RuntimeError(f"push refused ({response.status_code})")


def push_payload(notification: Notification, language: str) -> dict:
    return {**notification.message(language), "theme": notification.theme, "severity": notification.severity}


# --- E-mail --------------------------------------------------------------------------------------


def unsubscribe_url(subscription: Subscription) -> str:
    """The signed one-click URL that stops this subscription (no sign-in needed)."""
    signed = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription.token))
    path = reverse("notifications:unsubscribe", kwargs={"city": subscription.city.slug, "signed": signed})
    return f"{setting('SITE_URL', '').rstrip('/')}{path}"


def read_unsubscribe_token(signed: str) -> str | None:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(signed)
    except signing.BadSignature:
        return None


def email_message(subscription: Subscription, subject: str, body: str) -> EmailMessage:
    """An e-mail to the subscription's owner with the RFC 8058 one-click unsubscribe headers."""
    link = unsubscribe_url(subscription)
    with translation.override(subscription.language):
        footer = _("To stop these notifications, unsubscribe: %(url)s") % {"url": link}
    return EmailMessage(subject=subject, body=f"{body}\n\n--\n{footer}", to=[subscription.user.email],
                        headers={"List-Unsubscribe": f"<{link}>",
                                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def send_email(subscription: Subscription, notification: Notification) -> None:
    message = notification.message(subscription.language)
    site = setting("SITE_URL", "").rstrip("/")
    body = f"{message['body']}\n\n{site}{message.get('url', '')}"
    email_message(subscription, message["title"], body).send()


# --- Batches -------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min… after the 1st, 2nd, 3rd… failed attempt."""
    return FIRST_RETRY * (2 ** max(attempts - 1, 0))


def _send_one(sender: PushSender, delivery: Delivery) -> tuple[str, str]:
    subscription, notification = delivery.subscription, delivery.notification
    try:
        if delivery.channel == Channel.EMAIL:
            send_email(subscription, notification)
        else:
            sender.send(subscription, push_payload(notification, subscription.language))
    except PushGone as gone:
        return DeliveryStatus.EXPIRED, f"push subscription gone ({gone})"
    except PushNotConfigured as error:
        return DeliveryStatus.SKIPPED, str(error)
    except Exception as error:  # one subscriber's failure must not stop the others
        return DeliveryStatus.FAILED, str(error)[:300]
    return DeliveryStatus.SENT, ""


def send_deliveries(delivery_ids: list[int], *, sender: PushSender | None = None) -> dict[str, int]:
    """Sends the deliveries among `delivery_ids` that are due; returns the count per outcome.

    Failures are retried with back-off (`next_attempt_at`, picked up by `schedule.retry_deliveries`
    or a deferred task) up to MAX_ATTEMPTS; expired push subscriptions are deleted.
    """
    now = timezone.now()
    claim = uuid.uuid4().hex  # two workers given the same ids: each sends only the rows it claimed
    (Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING, subscription__isnull=False)
     .exclude(next_attempt_at__gt=now).update(status=DeliveryStatus.SENDING, error=claim))
    due = list(Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.SENDING, error=claim)
               .select_related("subscription__user", "subscription__city", "notification"))
    sender = sender or PushSender()
    threads = int(setting("NOTIFICATIONS_SEND_THREADS", 8))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        outcomes = list(pool.map(lambda delivery: _send_one(sender, delivery), due))
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "expired": 0}
    sent_at = timezone.now()
    changed, gone = [], []
    for delivery, (status, error) in zip(due, outcomes, strict=True):
        delivery.attempts += 1
        delivery.error = error
        if status == DeliveryStatus.FAILED and delivery.attempts < MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = sent_at + backoff(delivery.attempts)
            counts["retry"] += 1
        else:
            delivery.status = status
            delivery.next_attempt_at = None
            counts[status] += 1
            if status == DeliveryStatus.SENT:
                delivery.sent_at = sent_at
            if status == DeliveryStatus.EXPIRED:
                gone.append(delivery.subscription_id)
        changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["status", "attempts", "error", "next_attempt_at", "sent_at"])
    if gone:
        Subscription.objects.filter(pk__in=gone).delete()
    if counts["failed"] or counts["retry"]:
        logger.warning("notification deliveries failed", extra={"counts": counts})
    return counts


def send_digest(subscription: Subscription, deliveries: list[Delivery]) -> None:
    """One e-mail listing the notifications waiting for this subscription's digest."""
    site = setting("SITE_URL", "").rstrip("/")
    with translation.override(subscription.language):
        subject = (_("Your daily CityPocket digest") if subscription.digest == Digest.DAILY
                   else _("Your weekly CityPocket digest"))
    lines = []
    for delivery in deliveries:
        message = delivery.notification.message(subscription.language)
        lines.append(f"- {message['title']}\n  {message['body']}\n  {site}{message.get('url', '')}")
    email_message(subscription, subject, "\n\n".join(lines)).send()
