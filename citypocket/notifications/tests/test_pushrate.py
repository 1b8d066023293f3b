"""The fast sending path of web push: encryption that another implementation decrypts, a local push
service that checks every message, outcomes written in bulk but counted per delivery, claims, and a
fan-out that enqueues its batches as it goes."""

import base64
import json
import os
import socket
import time as clock
from datetime import time, timedelta

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from pywebpush import webpush

from citypocket.notifications import services
from citypocket.notifications.models import Delivery, DeliveryStatus, Severity, Subscription, Theme
from citypocket.notifications.pushserver import LocalPushService, decrypt, public_bytes
from citypocket.notifications.selectors import delivery_counts
from citypocket.notifications.sending import (
    VAPID_REUSE,
    VAPID_VALIDITY,
    PushConnections,
    PushSender,
    _Connection,
    _dropped,
    claim_deliveries,
    create_deliveries,
    encrypt_push,
    pks,
    send_deliveries,
)
from citypocket.notifications.tasks import fan_out_notification
from citypocket.notifications.tests.factories import SubscriptionFactory
from testsupport import local_moment, pin_now

pytestmark = pytest.mark.django_db

MESSAGES = {"fr": {"title": "Tempête", "body": "Restez chez vous."}, "en": {"title": "Storm", "body": "Stay home."}}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def push_subscriber(service, city, **fields):
    browser = service.subscribe()
    subscription = services.subscribe_push(city=city, endpoint=browser["endpoint"], p256dh=browser["keys"]["p256dh"],
                                           auth=browser["keys"]["auth"], language="en")
    Subscription.objects.filter(pk=subscription.pk).update(themes=[Theme.CITY_ALERTS], **fields)
    return browser["endpoint"].rsplit("/", 1)[-1], subscription


def test_our_encryption_and_the_push_services_decryption_agree_with_http_ece():
    """RFC 8291 both ways against an independent implementation (http_ece, what pywebpush uses)."""
    key, secret = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    payload = json.dumps({"title": "Tempête"}, ensure_ascii=False).encode()
    body = encrypt_push(payload, b64(public_bytes(key)), b64(secret))
    assert http_ece.decrypt(body, private_key=key, auth_secret=secret, version="aes128gcm") == payload
    assert body[:16] != encrypt_push(payload, b64(public_bytes(key)), b64(secret))[:16]  # a fresh salt each time
    long = payload * 8
    theirs = http_ece.encrypt(long, private_key=ec.generate_private_key(ec.SECP256R1()),
                              dh=public_bytes(key), auth_secret=secret, version="aes128gcm", rs=60)
    assert len(theirs) > 3 * 60 and decrypt(theirs, key, secret) == long  # several records
    tampered = body[:-1] + bytes([body[-1] ^ 1])
    with pytest.raises(ValueError):
        decrypt(tampered, key, secret)
    with pytest.raises(ValueError):
        decrypt(body, key, os.urandom(16))  # another browser's secret
    with pytest.raises(ValueError):
        encrypt_push(b"x" * 4080, b64(public_bytes(key)), b64(secret))  # over one 4 096-byte record


def test_the_local_push_service_refuses_what_does_not_decrypt_and_takes_pywebpush(push_service, vapid):
    browser = push_service.subscribe()
    connections = PushConnections()
    assert connections.post(browser["endpoint"], b"\x00" * 120, {"TTL": "60"}) == 400
    webpush(browser, data="hello", vapid_private_key=vapid, vapid_claims={"sub": "mailto:a@citypocket.example"})
    assert push_service.received[-1][1] == b"hello" and push_service.refused == 1
    body = encrypt_push(b"again", browser["keys"]["p256dh"], browser["keys"]["auth"])
    assert connections.post(browser["endpoint"], body, {"TTL": "60"}) == 201
    assert connections.post(browser["endpoint"], body, {"TTL": "60"}) == 201
    assert [len(idle) for idle in connections.idle.values()] == [1]  # one keep-alive connection, reused
    connections.close()


def vapid_claims(headers: dict) -> tuple[str, dict]:
    """The token of a push's VAPID `Authorization` header and its claims."""
    token = headers["authorization"].removeprefix("vapid t=").split(",k=")[0]
    claims = token.split(".")[1]
    return token, json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))


def test_a_vapid_token_is_reused_per_push_service_within_its_validity_and_renewed_after(vapid, push_service):
    """RFC 8292: one signature per push service origin, reused until VAPID_REUSE (well before its
    `exp`, at most 24 h ahead), then a new one; another origin gets its own, with its own audience."""
    other = LocalPushService()
    sender = PushSender()
    now = [1000.0]
    sender.clock = lambda: now[0]
    try:
        first, second = push_service.subscribe(), other.subscribe()

        def push(browser, service, urgent=False) -> tuple[str, dict]:
            sender.send(type("S", (), {"endpoint": browser["endpoint"], **browser["keys"]}), b"hi", urgent=urgent)
            return vapid_claims(service.headers[-1])

        token, claims = push(first, push_service)
        assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
        assert clock.time() < claims["exp"] <= clock.time() + min(VAPID_VALIDITY, 24 * 3600)
        now[0] += VAPID_REUSE - 1
        assert push(first, push_service, urgent=True)[0] == token  # reused, the urgent one too
        assert push_service.headers[-1]["urgency"] == "high" and "urgency" not in push_service.headers[0]
        elsewhere, its_claims = push(second, other)
        assert elsewhere != token and its_claims["aud"] == f"http://127.0.0.1:{other.port}"
        now[0] += 2  # past the reuse time of the first origin's token
        renewed, renewed_claims = push(first, push_service)
        assert renewed != token and renewed_claims["aud"] == claims["aud"]
        assert push(first, push_service)[0] == renewed
        assert [plain for _b, plain, _at in push_service.received] == [b"hi"] * 4
    finally:
        sender.close()
        other.close()


def read_response(raw: bytes, *, then_close: bool = False) -> tuple[int, bool]:
    """What our HTTP/1.1 reader makes of `raw` (a push service's answer): (status, close)."""
    ours, theirs = socket.socketpair()
    connection = _Connection.__new__(_Connection)
    connection.sock, connection.host = ours, b"push.example"
    ours.settimeout(10)
    theirs.sendall(raw)
    if then_close:
        theirs.shutdown(socket.SHUT_WR)
    try:
        result = connection.post("/push/1", b"body", b"TTL: 60\r\n")
        request = theirs.recv(65536)
        assert request.startswith(b"POST /push/1 HTTP/1.1\r\nHost: push.example\r\nContent-Length: 4\r\n")
        assert request.endswith(b"TTL: 60\r\n\r\nbody")
        return result
    finally:
        ours.close()
        theirs.close()


def test_the_response_reader_handles_lengths_chunks_interim_answers_and_closes():
    assert read_response(b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n") == (201, False)
    assert read_response(b"HTTP/1.1 410 Gone\r\ncontent-length: 5\r\n\r\ngone!") == (410, False)
    chunked = b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nbad \r\n3\r\nkey\r\n0\r\n\r\n"
    assert read_response(chunked) == (400, False)
    interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    assert read_response(interim) == (201, True)
    assert read_response(b"HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n") == (201, True)
    keep = b"HTTP/1.0 201 Created\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
    assert read_response(keep) == (201, False)
    # A body without a length ends with the connection.
    assert read_response(b"HTTP/1.0 200 OK\r\n\r\nuntil the end", then_close=True) == (200, True)
    assert read_response(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", then_close=True) == (200, True)
    # More than the response: the connection is not reused.
    assert read_response(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nHTTP/1.1") == (201, True)
    assert read_response(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nSSH-2.0") == (201, True)


@pytest.mark.parametrize("raw", [
    b"SSH-2.0-OpenSSH\r\n\r\n",  # not HTTP
    b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: close\r\n\r\nok",  # cut short
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbad",  # cut short
    b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n",  # head cut short
])
def test_the_response_reader_refuses_what_is_not_a_whole_http_response(raw):
    with pytest.raises(ConnectionError):
        read_response(raw, then_close=True)


def test_the_response_reader_stops_at_a_head_too_long_without_waiting_for_its_end():
    with pytest.raises(ConnectionError):  # not a timeout: the head's end is not waited for
        read_response(b"HTTP/1.1 201 Created\r\nX-Padding: " + b"x" * 150_000)


def test_id_runs_select_the_same_rows_as_an_in_list_with_fewer_parameters(rouen):
    ids = sorted(SubscriptionFactory(city=rouen).pk for _n in range(9))
    for chosen in (ids, ids[:2] + ids[3:], ids[::2], ids[:1], [ids[0], ids[1], ids[4], ids[5], ids[6], ids[7]]):
        rows = Subscription.objects.filter(pks(chosen))
        assert sorted(rows.values_list("pk", flat=True)) == sorted(chosen)
    assert not Subscription.objects.filter(pks([])).exists()
    _sql, params = Subscription.objects.filter(pks(ids)).query.sql_with_params()
    assert len(params) == 2  # one run, one range


def test_a_connection_the_service_closed_while_idle_is_not_reused():
    ours, theirs = socket.socketpair()
    assert not _dropped(ours)
    theirs.close()
    assert _dropped(ours)
    ours.close()


def test_a_batch_with_every_outcome_counts_each_delivery_once(rouen, vapid, push_service, monkeypatch):
    """Outcomes are written one UPDATE per kind: each delivery still gets its own status, attempts and
    time; the 410 deletes its subscription; the failure waits for its back-off; urgent pushes say so."""
    start = pin_now(monkeypatch, timezone.now())
    fine = [push_subscriber(push_service, rouen) for _n in range(3)]
    gone_browser, gone = push_subscriber(push_service, rouen)
    push_service.gone.add(gone_browser)
    down = SubscriptionFactory(city=rouen, webpush=True, endpoint="http://127.0.0.1:9/push/down",
                               themes=[Theme.CITY_ALERTS])
    notification = services.notify(theme=Theme.CITY_ALERTS, city=rouen, key="mixed", severity=Severity.SEVERE,
                                   messages=MESSAGES)
    assert create_deliveries(notification) == 5
    ids = list(Delivery.objects.filter(notification=notification).values_list("pk", flat=True))
    assert send_deliveries(ids) == {"sent": 3, "failed": 0, "retry": 1, "skipped": 0, "expired": 1}
    assert sorted(json.loads(plain)["title"] for _b, plain, _at in push_service.received) == ["Storm"] * 3
    assert {headers.get("urgency") for headers in push_service.headers} == {"high"}
    rows = {row.subscription_id: row for row in Delivery.objects.filter(notification=notification)}
    for _browser, subscription in fine:
        assert (rows[subscription.pk].status, rows[subscription.pk].attempts) == (DeliveryStatus.SENT, 1)
        assert rows[subscription.pk].sent_at == start
    assert not Subscription.objects.filter(pk=gone.pk).exists()
    assert rows[None].status == DeliveryStatus.EXPIRED
    retry = rows[down.pk]
    assert (retry.status, retry.attempts, retry.next_attempt_at) == (DeliveryStatus.PENDING, 1,
                                                                     start + timedelta(seconds=30))
    assert retry.error
    assert delivery_counts(notification=notification) == {"sent": 3, "expired": 1, "pending": 1}
    # Again with the same ids: only the failed one is due, and not before its back-off.
    assert send_deliveries(ids)["sent"] == 0
    pin_now(monkeypatch, start + timedelta(seconds=31))
    assert send_deliveries(ids) == {"sent": 0, "failed": 0, "retry": 1, "skipped": 0, "expired": 0}
    assert len(push_service.received) == 3
    assert Delivery.objects.get(pk=retry.pk).attempts == 2


def test_rows_claimed_by_another_worker_are_not_sent(rouen, vapid, push_service):
    push_subscriber(push_service, rouen)
    push_subscriber(push_service, rouen)
    notification = services.notify(theme=Theme.CITY_ALERTS, city=rouen, key="claims", messages=MESSAGES)
    create_deliveries(notification)
    ids = sorted(Delivery.objects.filter(notification=notification).values_list("pk", flat=True))
    claim_deliveries(ids[:1])  # another worker holds the first row
    assert send_deliveries(ids)["sent"] == 1
    assert send_deliveries(ids)["sent"] == 0
    assert len(push_service.received) == 1


def test_the_fan_out_enqueues_its_batches_as_it_writes_them(rouen, vapid, push_service, settings, monkeypatch):
    settings.NOTIFICATIONS_BATCH_SIZE = 2
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=12))
    browsers = {push_subscriber(push_service, rouen)[0] for _n in range(5)}
    push_subscriber(push_service, rouen, quiet_start=time(11), quiet_end=time(13))
    notification = services.notify(theme=Theme.CITY_ALERTS, city=rouen, key="batches", messages=MESSAGES)
    result = fan_out_notification.call(notification_id=notification.pk)
    assert result["matched"] == 6
    assert result["batches"] >= 3  # 5 pending ones, 2 a batch
    assert sorted(browser for browser, _p, _at in push_service.received) == sorted(browsers)
    assert fan_out_notification.call(notification_id=notification.pk)["batches"] == 0  # nothing new
    assert len(push_service.received) == 5
    assert delivery_counts(notification=notification) == {"sent": 5, "held": 1}
