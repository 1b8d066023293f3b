"""A local web push service, for tests and the bench: it accepts pushes like a real one (201),
decrypts each message (aes128gcm, RFC 8291) with the keys of the browser it holds, and can answer
404/410 for a subscription the browser dropped.

`LocalPushService.subscribe()` makes a browser's key pair and auth secret and returns the
PushSubscription JSON a browser would give (`endpoint`, `keys.p256dh`, `keys.auth`).
"""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LocalPushService:
    """Threaded HTTP server on 127.0.0.1; `received` lists (browser id, decrypted bytes, arrival time)."""

    def __init__(self, *, decrypt: bool = True, port: int = 0, keep: bool = True):
        self.browsers: dict[str, tuple] = {}
        self.count, self.last_at, self.keep = 0, 0.0, keep
        self.received: list[tuple[str, bytes, float]] = []
        self.gone: set[str] = set()
        self.headers: list[dict] = []
        self.decrypt = decrypt
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                browser = self.path.rsplit("/", 1)[-1]
                keys = None if browser in service.gone else service.keys(browser)
                if keys is None:
                    self.send_response(410)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                key, secret = keys
                plain = (http_ece.decrypt(body, private_key=key, auth_secret=secret, version="aes128gcm")
                         if service.decrypt else body)
                with service.lock:
                    if service.keep:
                        service.received.append((browser, plain, time.monotonic()))
                    service.count += 1
                    service.last_at = time.time()
                    if len(service.headers) < 5:
                        service.headers.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # /stats: how many pushes arrived, and when the last one did
                body = json.dumps({"count": service.count, "last_at": service.last_at}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def keys(self, browser: str) -> tuple | None:
        """The private key and auth secret of a browser this service knows, else None (it answers 410)."""
        return self.browsers.get(browser)

    def url(self, browser: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/push/{browser}"

    def subscribe(self, browser: str | None = None) -> dict:
        browser = browser or b64(os.urandom(9))
        key = ec.generate_private_key(ec.SECP256R1())
        secret = os.urandom(16)
        self.browsers[browser] = (key, secret)
        public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.url(browser), "keys": {"p256dh": b64(public), "auth": b64(secret)}}

    def messages_for(self, browser: str) -> list[bytes]:
        return [plain for name, plain, _at in self.received if name == browser]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
