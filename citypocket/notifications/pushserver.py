"""A local web push service, for tests and the bench: it accepts pushes like a real one (201),
decrypts and checks each message (aes128gcm, RFC 8188 and RFC 8291) with the keys of the browser
it holds, and can answer 404/410 for a subscription the browser dropped.

`LocalPushService.subscribe()` makes a browser's key pair and auth secret and returns the
PushSubscription JSON a browser would give (`endpoint`, `keys.p256dh`, `keys.auth`).

It is meant to cost what a push service costs us and no more, since it shares the machine with
the sender in the bench: one asyncio thread, a minimal HTTP/1.1 reader (Content-Length bodies,
keep-alive, one request after another on a connection, as the sender does), and decryption with
`cryptography` directly (one ECDH, four HMACs and one AES-GCM per message). A message that does not
decrypt is refused with 400, so a sender's mistake fails the test or the bench.
"""

import asyncio
import base64
import hmac
import json
import os
import threading
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

P256, ECDH = ec.SECP256R1(), ec.ECDH()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def decrypt(body: bytes, key: ec.EllipticCurvePrivateKey, secret: bytes, public: bytes | None = None) -> bytes:
    """The plaintext of an aes128gcm web push message for the browser holding `key` and `secret`
    (`public`: its public key, when known, saves recomputing it). ValueError when it does not decrypt."""
    if len(body) < 21:
        raise ValueError("too short for an aes128gcm header")
    salt, size, id_length = body[:16], int.from_bytes(body[16:20]), body[20]
    sender = body[21:21 + id_length]
    if size < 18 or len(sender) != 65:
        raise ValueError("bad aes128gcm header")
    shared = key.exchange(ECDH, ec.EllipticCurvePublicKey.from_encoded_point(P256, sender))
    public = public or public_bytes(key)
    ikm = hmac.digest(hmac.digest(secret, shared, "sha256"), b"WebPush: info\x00" + public + sender + b"\x01",
                      "sha256")
    prk = hmac.digest(salt, ikm, "sha256")
    cipher = AESGCM(hmac.digest(prk, b"Content-Encoding: aes128gcm\x00\x01", "sha256")[:16])
    nonce = int.from_bytes(hmac.digest(prk, b"Content-Encoding: nonce\x00\x01", "sha256")[:12])
    content = body[21 + id_length:]
    records = [content[start:start + size] for start in range(0, len(content), size)] or [b""]
    plain = []
    for number, record in enumerate(records):
        try:
            padded = cipher.decrypt((nonce ^ number).to_bytes(12), record, None).rstrip(b"\x00")
        except InvalidTag:
            raise ValueError("does not decrypt") from None
        last = number == len(records) - 1
        if not padded or padded[-1] != (2 if last else 1):
            raise ValueError("bad record delimiter")
        plain.append(padded[:-1])
    return b"".join(plain)


class _Connection(asyncio.Protocol):
    """One client connection: reads requests one after another, answers each before the next."""

    def __init__(self, service: "LocalPushService"):
        self.service = service
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.service.transports.add(transport)

    def connection_lost(self, exc) -> None:
        self.service.transports.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _sep, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "transfer-encoding" in headers:
                self.reply(411, b"", close=True)
                return
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
            status, reply = self.service.handle(method, target, headers, body)
            close = headers.get("connection", "").lower() == "close"
            self.reply(status, reply, close=close)
            if close:
                return

    def reply(self, status: int, body: bytes, *, close: bool = False) -> None:
        head = f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        if close:
            head += "Connection: close\r\n"
        self.transport.write(head.encode() + b"\r\n" + body)
        if close:
            self.transport.close()


REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 410: "Gone", 411: "Length Required"}


class LocalPushService:
    """HTTP server on 127.0.0.1 (its own thread); `received` lists (browser id, decrypted bytes, arrival time)."""

    def __init__(self, *, decrypt: bool = True, port: int = 0, keep: bool = True):
        self.browsers: dict[str, tuple] = {}
        self.count, self.last_at, self.keep = 0, 0.0, keep
        self.refused = 0
        self.received: list[tuple[str, bytes, float]] = []
        self.gone: set[str] = set()
        self.headers: list[dict] = []
        self.decrypt = decrypt
        self.lock = threading.Lock()
        self.publics: dict[str, bytes] = {}
        self.transports: set = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        # Made on the service's own loop, in its thread: the caller's thread may run a loop already.
        self.server = asyncio.run_coroutine_threadsafe(
            self.loop.create_server(lambda: _Connection(self), "127.0.0.1", port, backlog=512), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    def handle(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        """(status, JSON body) of one request: POST /push/<browser> delivers, GET /stats counts."""
        if method == "GET" and target == "/stats":  # how many pushes arrived, when the last one did
            return 200, json.dumps({"count": self.count, "last_at": self.last_at, "refused": self.refused,
                                    "cpu": time.process_time()}).encode()
        browser = target.rsplit("/", 1)[-1]
        if method != "POST" or not target.startswith("/push/"):
            return 404, b""
        keys = None if browser in self.gone else self.keys(browser)
        if keys is None:
            return 410, b""
        plain = body
        if self.decrypt:
            key, secret = keys
            public = self.publics.get(browser)
            if public is None:
                public = self.publics[browser] = public_bytes(key)
            try:
                plain = decrypt(body, key, secret, public)
            except ValueError:
                self.refused += 1
                return 400, b""
        with self.lock:
            if self.keep:
                self.received.append((browser, plain, time.monotonic()))
            self.count += 1
            self.last_at = time.time()
            if len(self.headers) < 5:
                self.headers.append(headers)
        return 201, b""

    def keys(self, browser: str) -> tuple | None:
        """The private key and auth secret of a browser this service knows, else None (it answers 410)."""
        return self.browsers.get(browser)

    def url(self, browser: str) -> str:
        return f"http://127.0.0.1:{self.port}/push/{browser}"

    def subscribe(self, browser: str | None = None) -> dict:
        browser = browser or b64(os.urandom(9))
        key = ec.generate_private_key(P256)
        secret = os.urandom(16)
        self.browsers[browser] = (key, secret)
        return {"endpoint": self.url(browser), "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(secret)}}

    def messages_for(self, browser: str) -> list[bytes]:
        return [plain for name, plain, _at in self.received if name == browser]

    def close(self) -> None:
        async def shutdown():
            self.server.close()
            for transport in list(self.transports):
                transport.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
