"""Where the time of a city alert's sending goes: one fan-out and one `send_deliveries` of N push
deliveries against the bench's local push service (its own process), under cProfile; the CPU time
per message of the sender (this process) and of the push service (which decrypts every message).

    .venv/bin/python bench/profile_alerts.py --database-url postgres://… --subscribers 2000 [--top 30]
"""

import argparse
import cProfile
import io
import os
import pstats
import time
import uuid

from alerts import build, start_push_service, stats
from common import free_port, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--batch", type=int, help="deliveries per send_deliveries call (NOTIFICATIONS_BATCH_SIZE)")
    parser.add_argument("--no-profile", action="store_true", help="CPU times only (cProfile inflates them)")
    args = parser.parse_args()

    from py_vapid import Vapid02

    vapid = Vapid02()
    vapid.generate_keys()
    os.environ.update({"WEBPUSH_VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
                       "WEBPUSH_VAPID_SUBJECT": "mailto:bench@citypocket.example",
                       "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend", "LOG_LEVEL": "WARNING"})
    setup_django(args.database_url)

    from citypocket.notifications.models import Delivery, DeliveryStatus, Notification
    from citypocket.notifications.sending import create_deliveries, send_deliveries
    from citypocket.notifications.tasks import batch_size

    port = free_port()
    push = start_push_service(port, args.subscribers)
    try:
        city = build("bench-alerts-profile", port, args.subscribers)
        notification = Notification.objects.create(
            city=city, theme="city_alerts", severity="Severe", key=f"profile:{uuid.uuid4().hex}",
            messages={"fr": {"title": "Tempête", "body": "Restez chez vous.", "url": "/"},
                      "en": {"title": "Storm", "body": "Stay at home.", "url": "/"}})
        fan_out_profile = None if args.no_profile else cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        if fan_out_profile:
            fan_out_profile.enable()
        matched = create_deliveries(notification, batch_size=batch_size())
        if fan_out_profile:
            fan_out_profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"fan-out: {matched} deliveries, {wall:.2f} s wall, {cpu * 1e6 / matched:.0f} us CPU each")
        ids = list(Delivery.objects.filter(notification=notification, status=DeliveryStatus.PENDING)
                   .order_by("pk").values_list("pk", flat=True))
        before = stats(port)
        profile = None if args.no_profile else cProfile.Profile()
        load = os.getloadavg()[0]
        times = os.times()
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        size = args.batch or batch_size()
        counts = {}
        for start in range(0, len(ids), size):
            for outcome, number in send_deliveries(ids[start:start + size]).items():
                counts[outcome] = counts.get(outcome, 0) + number
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        user, system = os.times().user - times.user, os.times().system - times.system
        after = stats(port)
        sent = counts["sent"]
        print(f"send ({size} a batch): {counts}, {wall:.2f} s wall, {sent / wall:.0f}/s")
        print(f"CPU per message: sender {cpu * 1e6 / sent:.0f} us"
              f"{' (under cProfile)' if profile else ''}, push service "
              f"{(after['cpu'] - before['cpu']) * 1e6 / sent:.0f} us; sender user {user * 1e6 / sent:.0f} us, "
              f"system {system * 1e6 / sent:.0f} us; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
        if fan_out_profile:
            out = io.StringIO()
            pstats.Stats(fan_out_profile, stream=out).sort_stats("tottime").print_stats(args.top)
            print("fan-out:", out.getvalue())
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
    finally:
        push.terminate()
        push.wait(timeout=10)


if __name__ == "__main__":
    main()
