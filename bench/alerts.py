"""City-alert benchmark: one alert to N web-push subscriptions (issue 15: 100 000), through the real
pipeline — `cityalerts.publish_alert` → `notify` → the database task queue → `db_worker` processes
that fan out, encrypt (aes128gcm), sign (VAPID) and post — to a local push service that accepts and
decrypts every message with its browser's keys.

Measured: time from publish to the last delivery at the push service, and deliveries per second,
with one worker and with two; and, in the same run, pywebpush's raw send rate (`webpush()` in a
loop, one message after another, to the same service), with the ratio of the two.

    .venv/bin/python bench/alerts.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_bench
    .venv/bin/python bench/alerts.py --database-url … --subscribers 2000   # a quick check

The browsers' keys are derived from a seed, so the push service (its own process, so that
decrypting does not share the bench's interpreter) knows every browser without a key exchange.
"""

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from common import ROOT, free_port, setup_django

SEED = b"citypocket-bench-alerts"
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of the P-256 group


def browser_keys(index: int):
    """The private key and auth secret of bench browser `index` (the same in every process)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    digest = hashlib.sha256(SEED + str(index).encode()).digest()
    scalar = int.from_bytes(digest, "big") % (ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1()), hashlib.sha256(digest).digest()[:16]


def serve_push(port: int, browsers: int) -> None:
    """The push service process: accepts and decrypts, counts, answers /stats.

    The keys of the bench's browsers are derived before it says "ready" (a browser holds its key;
    deriving it is no part of a push service's work), so the clock counts decryption, not derivation.
    """
    sys.path.insert(0, str(ROOT))
    from citypocket.notifications.pushserver import LocalPushService, public_bytes

    known = {str(index): browser_keys(index) for index in range(browsers)}

    class BenchPushService(LocalPushService):
        def keys(self, browser):
            if browser not in known and browser.isdigit():
                known[browser] = browser_keys(int(browser))
            return known.get(browser)

    service = BenchPushService(port=port, keep=False)
    service.publics.update((browser, public_bytes(key)) for browser, (key, _secret) in known.items())
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    service.close()


def stats(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=5) as response:
        return json.loads(response.read())


def start_push_service(port: int, browsers: int = 0) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, __file__, "--serve-push", str(port), "--subscribers", str(browsers)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def build(city_slug: str, port: int, count: int):
    """The bench city and its `count` push subscriptions to city alerts."""
    import base64
    import uuid

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from django.db import transaction

    from citypocket.cities.models import City
    from citypocket.notifications.models import Subscription

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    print(f"building {count} push subscriptions …", flush=True)
    with transaction.atomic():
        City.objects.filter(slug=city_slug).delete()
        city = City.objects.create(slug=city_slug, name="Bench alerts", official_name="Bench alerts",
                                   insee_codes=["99999"], centre_lat=45, centre_lon=4, bbox_south=44.9,
                                   bbox_west=3.9, bbox_north=45.1, bbox_east=4.1, languages=["fr", "en"])
        batch = []
        for index in range(count):
            key, secret = browser_keys(index)
            public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            batch.append(Subscription(city=city, channel="webpush", token=uuid.uuid4(), language="fr" if index % 2
                                      else "en", endpoint=f"http://127.0.0.1:{port}/push/{index}",
                                      p256dh=b64(public), auth=b64(secret), themes=["city_alerts"]))
            if len(batch) == 5000:
                Subscription.objects.bulk_create(batch)
                batch = []
        Subscription.objects.bulk_create(batch)
    return city


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "citypocket", "db_worker", "--no-reload", "--interval", "0.1"]
    return [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _n in range(count)]


def stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def run_alert(city, staff, port: int, expected: int, workers: int, env: dict, timeout: float) -> dict:
    """Publishes one alert with `workers` workers running; waits for the push service to count them all."""
    from datetime import timedelta

    from django.utils import timezone

    from citypocket.notifications.cityalerts import publish_alert
    from citypocket.notifications.tasks import fan_out_notification

    processes = start_workers(workers, env)
    probes = [fan_out_notification.enqueue(notification_id=0) for _n in range(4 * workers)]
    deadline = time.time() + 120
    while time.time() < deadline:  # the workers are up once they have run the probes (no-op tasks)
        for probe in probes:
            probe.refresh()
        if all(probe.is_finished for probe in probes):
            break
        time.sleep(0.2)
    before = stats(port)["count"]
    now = timezone.now()
    started = time.time()
    publish_alert(city=city, author=staff, kind="storm", severity="Moderate",
                  headline_fr=f"Tempête ({workers} worker(s))", headline_en=f"Storm ({workers} worker(s))",
                  instruction_fr="Restez chez vous.", instruction_en="Stay at home.",
                  onset=now, expires=now + timedelta(hours=3))
    current = stats(port)
    while current["count"] - before < expected and time.time() - started < timeout:
        time.sleep(0.2)
        current = stats(port)
    stop(processes)
    delivered = current["count"] - before
    elapsed = max(current["last_at"] - started, 1e-9)
    return {"workers": workers, "delivered": delivered, "seconds": round(elapsed, 2),
            "per_second": round(delivered / elapsed, 1)}


def raw_pywebpush(port: int, count: int, vapid_pem: str) -> dict:
    """pywebpush's `webpush()` one message after another (a new VAPID signature each time)."""
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from py_vapid import Vapid02
    from pywebpush import webpush

    vapid = Vapid02.from_pem(vapid_pem.encode())
    before = stats(port)["count"]
    started = time.time()
    for index in range(count):
        key, secret = browser_keys(index)
        public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        webpush({"endpoint": f"http://127.0.0.1:{port}/push/{index}",
                 "keys": {"p256dh": base64.urlsafe_b64encode(public).rstrip(b"=").decode(),
                          "auth": base64.urlsafe_b64encode(secret).rstrip(b"=").decode()}},
                data=json.dumps({"title": "Storm", "body": "Stay at home."}), vapid_private_key=vapid,
                vapid_claims={"sub": "mailto:bench@citypocket.example"}, ttl=3600)
    elapsed = time.time() - started
    delivered = stats(port)["count"] - before
    return {"delivered": delivered, "seconds": round(elapsed, 2), "per_second": round(delivered / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--raw", type=int, default=2000, help="messages for pywebpush's raw rate")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--serve-push", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_push:
        serve_push(args.serve_push, args.subscribers)
        return
    if not args.database_url:
        parser.error("--database-url is required")

    from py_vapid import Vapid02

    vapid = Vapid02()
    vapid.generate_keys()
    pem = vapid.private_pem().decode()
    os.environ.update({"WEBPUSH_VAPID_PRIVATE_KEY": pem, "WEBPUSH_VAPID_SUBJECT": "mailto:bench@citypocket.example",
                       "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LOG_LEVEL": "WARNING"})
    setup_django(args.database_url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    from django.db import connection

    from citypocket.accounts.models import User
    from citypocket.cities.models import Role
    from citypocket.cities.services import grant_role

    port = free_port()
    push = start_push_service(port, args.subscribers)
    try:
        city = build("bench-alerts", port, args.subscribers)
        User.objects.filter(email__endswith="@bench-alerts.invalid").delete()
        staff = User.objects.create(email="officer@bench-alerts.invalid")
        grant_role(user=staff, city=city, role=Role.SAFETY_OFFICER)
        print(f"database: {connection.vendor}; {args.subscribers} subscriptions; cpus: {os.cpu_count()}", flush=True)
        raw = raw_pywebpush(port, min(args.raw, args.subscribers), pem)
        print(f"pywebpush raw: {raw}", flush=True)
        results = [run_alert(city, staff, port, args.subscribers, workers, env, args.timeout) for workers in (1, 2)]
        for result in results:
            result["ratio_to_raw"] = round(result["per_second"] / raw["per_second"], 2)
            print(f"pipeline: {result}", flush=True)
    finally:
        push.terminate()
        push.wait(timeout=10)
    print(json.dumps({"subscribers": args.subscribers, "raw": raw, "pipeline": results}))


if __name__ == "__main__":
    main()
