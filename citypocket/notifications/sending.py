"""Fan-out and sending: one Delivery per matching subscription, sent in batches with retries.

Web push needs `WEBPUSH_VAPID_PRIVATE_KEY` (PEM or base64url raw key) and `WEBPUSH_VAPID_SUBJECT`;
without a key the push deliveries are recorded as skipped. Each push is encrypted (aes128gcm,
RFC 8291, with `cryptography` directly: a fresh ECDH key and salt per message) for its browser and
posted over keep-alive connections; the VAPID signature (RFC 8292) is made once per push service and
reused for an hour. A push service answering 404 or 410 has dropped the subscription: it is deleted.
Other failures are retried with exponential back-off.

Every e-mail carries a one-click unsubscribe (RFC 8058 `List-Unsubscribe` and
`List-Unsubscribe-Post` headers) to a signed URL that works without signing in.
"""

import base64
import hmac
import json
import logging
import os
import select
import socket
import ssl
import struct
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

import httptools
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.notifications.models import (
    URGENT,
    WATER_WITH_ALERT,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    Notification,
    Subscription,
    Theme,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "citypocket.notifications.unsubscribe"
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)
VAPID_VALIDITY = 12 * 3600  # seconds a VAPID token is valid (its `exp`; RFC 8292 allows up to 24 h)
VAPID_REUSE = 3600  # seconds a VAPID token is reused for one push service before a new one is signed
PUSH_TTL = 12 * 3600  # seconds a push service keeps a message for a device that is offline (RFC 8030 TTL)
P256, ECDH = ec.SECP256R1(), ec.ECDH()
RECORD_SIZE = 4096
RECORD_HEADER = struct.pack("!IB", RECORD_SIZE, 65)  # aes128gcm header after the salt: rs, keyid length (a P-256 point)


def setting(name: str, default):
    value = getattr(settings, name, None)
    return default if value in (None, "") else value


# --- Who gets a notification ---------------------------------------------------------------------


def wants(subscription, notification: Notification) -> bool:
    """True when `subscription` asked for what `notification` is about (theme, area, category)."""
    if notification.theme not in subscription.themes:
        return False
    if (notification.theme == Theme.WATER and notification.key.startswith(WATER_WITH_ALERT)
            and Theme.CITY_ALERTS in subscription.themes):
        return False  # the city alert of the same change reaches them (official.py)
    if notification.theme == Theme.WASTE:  # a collection reminder: only its zone's subscriptions
        return notification.category in subscription.waste_zones
    if notification.communes and subscription.communes and not set(notification.communes) & set(subscription.communes):
        return False
    categories = set(notification.category.split(",")) - {""}
    return not (categories and subscription.event_categories and not categories & set(subscription.event_categories))


class Candidate(NamedTuple):
    """The fields of a subscription that choosing and timing its delivery reads (no model instance)."""

    pk: int
    channel: str
    themes: list
    communes: list
    event_categories: list
    waste_zones: list
    quiet_start: object
    quiet_end: object
    digest: str


def matching_subscriptions(notification: Notification):
    """The active subscriptions that want `notification` (as `Candidate`s), streamed (100 000 of them fit)."""
    rows = Subscription.objects.filter(city_id=notification.city_id, is_active=True)
    if notification.user_id:
        rows = rows.filter(user_id=notification.user_id)
    for values in rows.order_by("pk").values_list(*Candidate._fields).iterator(chunk_size=2000):
        subscription = Candidate(*values)
        if wants(subscription, notification):
            yield subscription


def in_quiet_hours(subscription, local: datetime) -> datetime | None:
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


def first_status(subscription, notification: Notification, local: datetime):
    """(status, next attempt) of a new delivery: urgent alerts go now, others wait for quiet hours or a digest."""
    if notification.severity in URGENT:
        return DeliveryStatus.PENDING, None
    release = in_quiet_hours(subscription, local)
    if release is not None:
        return DeliveryStatus.HELD, release
    if subscription.channel == Channel.EMAIL and subscription.digest != Digest.NONE:
        return DeliveryStatus.DIGEST, None
    return DeliveryStatus.PENDING, None


def insert_deliveries(rows: list[tuple]) -> list[tuple[int, str]]:
    """Writes `rows` — (notification id, subscription id, channel, status, next attempt) — as new
    deliveries in one INSERT … ON CONFLICT DO NOTHING RETURNING: a row already there (the same
    notification to the same subscription) is left alone. The (id, status) of the rows written. A
    tenth of the CPU of `bulk_create`, which builds a model per row.

    On PostgreSQL the rows go as five arrays (`unnest`): five query parameters instead of five per
    row, whose binding cost more than the insert; elsewhere, as a multi-row VALUES list."""
    if not rows:
        return []
    meta = Delivery._meta
    quote = connection.ops.quote_name
    names = ("notification", "subscription", "channel", "status", "next_attempt_at")
    fields = [meta.get_field(name) for name in names]
    columns = ", ".join(quote(field.column) for field in fields)
    when = fields[-1]
    values = [list(column) for column in zip(*rows, strict=True)]
    values[-1] = [None if moment is None else when.get_db_prep_value(moment, connection) for moment in values[-1]]
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{field.rel_db_type(connection) if field.is_relation else field.db_type(connection)}[]"
                           for field in fields)
        source, params = f"SELECT *, 0, '' FROM unnest({arrays})", values  # noqa: S608 (model column types)
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, 0, '')"] * len(rows))
        params = [value for row in zip(*values, strict=True) for value in row]
    sql = (f"INSERT INTO {table} ({columns}, {quote(meta.get_field('attempts').column)}, "
           f"{quote(meta.get_field('error').column)}) {source}"
           f" ON CONFLICT ({quote(fields[0].column)}, {quote(fields[1].column)}) DO NOTHING"
           f" RETURNING {quote(meta.pk.column)}, {quote(meta.get_field('status').column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def create_deliveries(notification: Notification, *, batch_size: int = 1000, on_pending=None) -> int:
    """One delivery per matching subscription (again: nothing new); the number of subscriptions matched.

    The rows are written `batch_size` at a time; after each write, `on_pending` (if given) receives
    the ids of that write's new pending deliveries, so that sending can start before the fan-out ends.
    """
    local = timezone.now().astimezone(notification.city.zone)
    batch, matched = [], 0

    def write(batch: list[tuple]) -> None:
        written = insert_deliveries(batch)
        if on_pending is not None:
            pending = sorted(pk for pk, status in written if status == DeliveryStatus.PENDING)
            if pending:
                on_pending(pending)

    for subscription in matching_subscriptions(notification):
        status, release = first_status(subscription, notification, local)
        batch.append((notification.pk, subscription.pk, subscription.channel, status, release))
        matched += 1
        if len(batch) >= batch_size:
            write(batch)
            batch = []
    if batch:
        write(batch)
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
    vapid = vapid_key()
    if vapid is None:
        return ""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt_push(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body (RFC 8188, RFC 8291) of one push message for one browser.

    A fresh ECDH key pair and salt per message; the browser's public key (`p256dh`) and auth secret
    (`auth`, base64url) from its subscription. One record, no padding.
    """
    browser_public = _b64decode(p256dh)
    secret = _b64decode(auth)
    if len(payload) > RECORD_SIZE - 17:  # the record holds the payload, its delimiter and the tag
        raise ValueError("push payload too large")
    browser_key = ec.EllipticCurvePublicKey.from_encoded_point(P256, browser_public)
    own_key = ec.generate_private_key(P256)
    own_public = own_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    shared = own_key.exchange(ECDH, browser_key)
    # HKDF-SHA-256 with one-block outputs is two HMACs each: extract, then expand with counter 1.
    ikm = hmac.digest(hmac.digest(secret, shared, "sha256"),
                      b"WebPush: info\x00" + browser_public + own_public + b"\x01", "sha256")
    salt = os.urandom(16)
    prk = hmac.digest(salt, ikm, "sha256")
    key = hmac.digest(prk, b"Content-Encoding: aes128gcm\x00\x01", "sha256")[:16]
    nonce = hmac.digest(prk, b"Content-Encoding: nonce\x00\x01", "sha256")[:12]
    record = AESGCM(key).encrypt(nonce, payload + b"\x02", None)
    return salt + RECORD_HEADER + own_public + record


MAX_HEAD = 64 * 1024  # a push service's response head is a few hundred bytes


class Endpoint(NamedTuple):
    """A push endpoint split once: where to connect, what to ask for, and its origin (the VAPID audience)."""

    scheme: str
    host: str
    port: int
    target: str
    origin: str


def split_endpoint(endpoint: str) -> Endpoint:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("push endpoint is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Endpoint(parts.scheme, parts.hostname, port, target, f"{parts.scheme}://{parts.netloc}")


def header_lines(headers: dict) -> bytes:
    """`headers` as the lines of an HTTP/1.1 request head."""
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode("latin-1")


class _Connection:
    """One keep-alive HTTP/1.1 connection: the request (head and body) goes out in one write; the
    response is parsed by llhttp through `httptools` (status, keep-alive, a body by `Content-Length`,
    chunks or up to the close, 1xx skipped), a fraction of the CPU of `http.client`, whose header
    parsing goes through the `email` package. The parser's callbacks are this object's `on_*`
    methods."""

    def __init__(self, scheme: str, host: str, port: int, timeout: float, tls: ssl.SSLContext | None):
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = tls.wrap_socket(sock, server_hostname=host) if scheme == "https" else sock
        name = f"[{host}]" if ":" in host else host  # an IPv6 literal
        self.host = (name if port == (443 if scheme == "https" else 80) else f"{name}:{port}").encode("idna")
        self.parser = None

    def post(self, target: str, body: bytes, head: bytes) -> tuple[int, bool]:
        """Sends one POST (`head`: its header lines, Host and Content-Length apart); (status, whether
        the connection must be closed after it: the service says so, the body ended with the
        connection, or the service sent more than its response)."""
        self.sock.sendall(b"POST " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: " + self.host
                          + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + head + b"\r\n" + body)
        parser = self.parser = httptools.HttpResponseParser(self)
        self.status, self.keep_alive, self.framed, self.complete = 0, False, False, False
        received = 0
        while not self.complete:
            data = self.sock.recv(65536)
            if not data:
                if self.status and not self.framed:
                    return self.status, True  # no length: the body ended with the connection
                raise ConnectionError("push service response cut short")
            received += len(data)
            try:
                parser.feed_data(data)
            except (httptools.HttpParserError, httptools.HttpParserUpgrade) as error:
                if not self.complete:
                    raise ConnectionError("push service answered something other than HTTP/1.1") from error
                self.keep_alive = False  # bytes after the response (see on_message_begin)
            if not self.status and received > MAX_HEAD:
                raise ConnectionError("push service response head too long")
        return self.status, not self.keep_alive

    def on_message_begin(self) -> None:
        if self.complete:  # a second response that nothing asked for: stop here
            raise ConnectionError("push service sent more than its response")
        self.framed = False

    def on_header(self, name: bytes, value: bytes) -> None:
        # Whether the body has a length; without one it ends with the connection (llhttp would say
        # so at the end of the input, which httptools does not pass on).
        name = name.lower()
        if name == b"content-length" or (name == b"transfer-encoding" and b"chunked" in value.lower()):
            self.framed = True

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if status >= 200:  # a 1xx interim response (none is asked for) is skipped
            self.status, self.keep_alive = status, self.parser.should_keep_alive()

    def on_message_complete(self) -> None:
        self.complete = self.status != 0

    def close(self) -> None:
        self.parser = None  # the parser holds this object's callbacks
        self.sock.close()


class PushConnections:
    """Keep-alive HTTP/1.1 connections to push services, shared by the sending threads: each request
    takes an idle connection to its service (or opens one) and gives it back after the response, so
    one connection carries one request at a time (no pipelining). A connection the service closed
    while idle is dropped before use."""

    def __init__(self, timeout: float = 10):
        self.timeout = timeout
        self.idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self.lock = threading.Lock()
        self.tls = None

    def _take(self, scheme: str, host: str, port: int) -> _Connection:
        with self.lock:
            idle = self.idle.setdefault((scheme, host, port), [])
            while idle:
                connection = idle.pop()
                if not _dropped(connection.sock):
                    return connection
                connection.close()
            if scheme == "https" and self.tls is None:
                self.tls = ssl.create_default_context()
        return _Connection(scheme, host, port, self.timeout, self.tls)

    def post(self, endpoint: str | Endpoint, body: bytes, headers: dict | bytes) -> int:
        """POSTs `body` to `endpoint` with `headers` (a dict, or the header lines already encoded);
        the response status."""
        if isinstance(endpoint, str):
            endpoint = split_endpoint(endpoint)
        if isinstance(headers, dict):
            headers = header_lines(headers)
        connection = self._take(endpoint.scheme, endpoint.host, endpoint.port)
        try:
            status, close = connection.post(endpoint.target, body, headers)
        except Exception:
            connection.close()
            raise
        if close:
            connection.close()
        else:
            with self.lock:
                self.idle[(endpoint.scheme, endpoint.host, endpoint.port)].append(connection)
        return status

    def close(self) -> None:
        with self.lock:
            for idle in self.idle.values():
                for connection in idle:
                    connection.close()
            self.idle.clear()


def _dropped(sock) -> bool:
    """True when an idle keep-alive socket has something to read: the service closed it (or sent junk)."""
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class PushSender:
    """Sends web pushes over keep-alive connections, signing VAPID once per push service and hour.

    Encryption uses `cryptography` directly (`encrypt_push`); pywebpush's `webpush()` does the same
    work with several times the CPU per message. The header lines of a push (VAPID token, TTL,
    encoding, urgency) are encoded once per push service origin and reused with the token: per
    message, only the encryption, the request line and the response cost anything.
    """

    def __init__(self):
        self.vapid = vapid_key()
        self.subject = setting("WEBPUSH_VAPID_SUBJECT", "mailto:contact@citypocket.org")
        self.connections = PushConnections()
        self.clock = time.monotonic  # when a token was signed (reuse); its `exp` is wall-clock time
        self._heads: dict[str, tuple[float, bytes, bytes]] = {}
        self._lock = threading.Lock()

    def _head(self, origin: str, urgent: bool) -> bytes:
        """The header lines of a push to `origin`, with a VAPID token for that audience signed at most
        VAPID_REUSE seconds ago (it stays valid VAPID_VALIDITY seconds, RFC 8292 allows reusing it)."""
        cached = self._heads.get(origin)
        if cached is None or self.clock() - cached[0] > VAPID_REUSE:
            with self._lock:
                cached = self._heads.get(origin)
                if cached is None or self.clock() - cached[0] > VAPID_REUSE:
                    signed = self.clock()
                    claims = {"sub": self.subject, "aud": origin, "exp": int(time.time()) + VAPID_VALIDITY}
                    lines = header_lines({**self.vapid.sign(claims), "TTL": str(PUSH_TTL),
                                          "Content-Encoding": "aes128gcm",
                                          "Content-Type": "application/octet-stream"})
                    # RFC 8030 Urgency: deliver now, even to a device saving battery.
                    cached = self._heads[origin] = (signed, lines, lines + b"Urgency: high\r\n")
        return cached[2] if urgent else cached[1]

    def send(self, subscription, payload: dict | bytes, *, urgent: bool = False) -> None:
        """Encrypts and posts one push; `subscription` has `endpoint`, `p256dh` and `auth`."""
        if self.vapid is None:
            raise PushNotConfigured("web push is not configured")
        if isinstance(payload, dict):
            payload = json.dumps(payload, ensure_ascii=False).encode()
        endpoint = split_endpoint(subscription.endpoint)
        body = encrypt_push(payload, subscription.p256dh, subscription.auth)
        status = self.connections.post(endpoint, body, self._head(endpoint.origin, urgent))
        if status in (404, 410):
            raise PushGone(str(status))
        if status >= 300:
            raise RuntimeError(f"push refused ({status})")

    def close(self) -> None:
        self.connections.close()


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


class PushTarget(NamedTuple):
    """What sending one push needs of its delivery and subscription (no model instances)."""

    delivery: int
    subscription: int
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    urgent: bool


def _outcome(send, *args, **kwargs) -> tuple[str, str]:
    try:
        send(*args, **kwargs)
    except PushGone as gone:
        return DeliveryStatus.EXPIRED, f"push subscription gone ({gone})"
    except PushNotConfigured as error:
        return DeliveryStatus.SKIPPED, str(error)
    except Exception as error:  # one subscriber's failure must not stop the others
        return DeliveryStatus.FAILED, str(error)[:300]
    return DeliveryStatus.SENT, ""


def _push(sender: "PushSender", target: PushTarget) -> tuple[str, str]:
    return _outcome(sender.send, target, target.payload, urgent=target.urgent)


def send_pushes(sender: "PushSender", pushes: list[PushTarget], threads: int) -> list[tuple[str, str]]:
    """The outcome of each of `pushes`, sent by `threads` threads that each take the next one when
    done with theirs. Not one future per push: the calling thread waits for the threads, not for
    every message (a wake-up and a few locks per message less)."""
    outcomes: list = [None] * len(pushes)
    indexes = iter(range(len(pushes)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            outcomes[index] = _push(sender, pushes[index])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for running in [pool.submit(work) for _n in range(threads)]:
            running.result()
    return outcomes


_senders: dict[tuple, "PushSender"] = {}


def push_sender() -> "PushSender":
    """This process's sender for the configured VAPID key: its connections and signatures outlive a batch."""
    settings_key = (setting("WEBPUSH_VAPID_PRIVATE_KEY", ""), setting("WEBPUSH_VAPID_SUBJECT", ""))
    sender = _senders.get(settings_key)
    if sender is None:
        for old in _senders.values():
            old.close()
        _senders.clear()
        sender = _senders[settings_key] = PushSender()
    return sender


def pks(ids) -> Q:
    """`pk__in=ids` with each run of consecutive ids (a fan-out batch is usually one run) as a range:
    the same rows, with two query parameters per run instead of one per row (a 500-row IN list costs
    more to build and bind than to run)."""
    ids = sorted(set(ids))
    single, runs, start = [], [], 0
    for index in range(1, len(ids) + 1):
        if index == len(ids) or ids[index] != ids[index - 1] + 1:
            if index - start >= 3:
                runs.append((ids[start], ids[index - 1]))
            else:
                single += ids[start:index]
            start = index
    query = Q(pk__in=single) if single or not runs else Q()
    for first, last in runs:
        query |= Q(pk__range=(first, last))
    return query


# How long a claim holds its rows: a worker killed in the middle of a batch leaves them `sending`, and
# `schedule.release_due_deliveries` gives them back once the lease is over (a batch takes seconds).
CLAIM_LEASE = timedelta(minutes=15)


def claim_deliveries(delivery_ids: list[int]) -> str:
    """Marks the due pending deliveries among `delivery_ids` as this claim's (`sending`, until the end
    of the lease in `next_attempt_at`): two workers given the same ids each send only the rows they
    claimed. The claim id."""
    claim = uuid.uuid4().hex
    now = timezone.now()
    (Delivery.objects.filter(pks(delivery_ids), status=DeliveryStatus.PENDING, subscription__isnull=False)
     .exclude(next_attempt_at__gt=now).update(status=DeliveryStatus.SENDING, error=claim,
                                              next_attempt_at=now + CLAIM_LEASE))
    return claim


def record_outcomes(outcomes: list[tuple[int, int | None, int, str, str]], *, at: datetime) -> dict[str, int]:
    """Writes each delivery's outcome — (delivery id, subscription id, attempts before, status, error) —
    with one UPDATE per kind of outcome rather than one per row; deletes expired push subscriptions.
    A failure before MAX_ATTEMPTS goes back to `pending` with its back-off. The count per outcome."""
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "expired": 0}
    groups: dict[tuple, list[int]] = {}
    gone = []
    for delivery_id, subscription_id, attempts, status, error in outcomes:
        attempts += 1
        if status == DeliveryStatus.FAILED and attempts < MAX_ATTEMPTS:
            counts["retry"] += 1
            key = (DeliveryStatus.PENDING, attempts, error, at + backoff(attempts), None)
        else:
            counts[status] += 1
            key = (status, attempts, error, None, at if status == DeliveryStatus.SENT else None)
            if status == DeliveryStatus.EXPIRED and subscription_id is not None:
                gone.append(subscription_id)
        groups.setdefault(key, []).append(delivery_id)
    with transaction.atomic():
        for (status, attempts, error, next_attempt_at, sent_at), ids in groups.items():
            for start in range(0, len(ids), 5000):
                Delivery.objects.filter(pks(ids[start:start + 5000])).update(
                    status=status, attempts=attempts, error=error, next_attempt_at=next_attempt_at, sent_at=sent_at)
        if gone:
            Subscription.objects.filter(pk__in=gone).delete()
    return counts


def send_deliveries(delivery_ids: list[int], *, sender: PushSender | None = None) -> dict[str, int]:
    """Sends the deliveries among `delivery_ids` that are due; returns the count per outcome.

    The rows are claimed first (nobody gets a notification twice), read as plain values (the push
    fields of each subscription), encrypted and posted `NOTIFICATIONS_SEND_THREADS` at a time outside
    any transaction, and their outcomes written in bulk (`record_outcomes`). Failures are retried with
    back-off (`next_attempt_at`, picked up by `schedule.release_due_deliveries` or a deferred task) up
    to MAX_ATTEMPTS; expired push subscriptions are deleted.
    """
    claim = claim_deliveries(delivery_ids)
    rows = list(Delivery.objects.filter(pks(delivery_ids), status=DeliveryStatus.SENDING, error=claim)
                .order_by("pk").values_list("pk", "notification_id", "subscription_id", "channel", "attempts",
                                            "subscription__endpoint", "subscription__p256dh",
                                            "subscription__auth", "subscription__language"))
    if not rows:
        return {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "expired": 0}
    notifications = Notification.objects.in_bulk({row[1] for row in rows})
    payloads: dict[tuple[int, str], bytes] = {}

    def payload(notification_id: int, language: str) -> bytes:
        if (notification_id, language) not in payloads:
            message = push_payload(notifications[notification_id], language)
            payloads[notification_id, language] = json.dumps(message, ensure_ascii=False).encode()
        return payloads[notification_id, language]

    pushes = [PushTarget(pk, subscription, endpoint, p256dh, auth, payload(notification, language),
                         notifications[notification].severity in URGENT)
              for pk, notification, subscription, channel, _attempts, endpoint, p256dh, auth, language in rows
              if channel == Channel.WEBPUSH]
    emails = [row for row in rows if row[3] != Channel.WEBPUSH]
    results: dict[int, tuple[str, str]] = {}
    if pushes:
        sender = sender or push_sender()
        threads = max(1, min(int(setting("NOTIFICATIONS_SEND_THREADS", 8)), len(pushes)))
        for target, outcome in zip(pushes, send_pushes(sender, pushes, threads), strict=True):
            results[target.delivery] = outcome
    if emails:
        subscriptions = Subscription.objects.select_related("user", "city").in_bulk([row[2] for row in emails])
        for pk, notification, subscription, *_rest in emails:
            results[pk] = _outcome(send_email, subscriptions[subscription], notifications[notification])
    counts = record_outcomes([(pk, subscription, attempts, *results[pk])
                              for pk, _n, subscription, _c, attempts, *_rest in rows], at=timezone.now())
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
