"""`citypocket ingest`: the long-running ingest process.

With MQTT_URL: the MQTT v5 shared-subscription subscriber (see sensors.mqtt). Without it and with
SIMULATOR on: the in-process demo feed, every SIMULATOR_INTERVAL seconds. With neither: it idles
(so that `citypocket run` can always start it) and says so once. SIGTERM/SIGINT stop it cleanly:
the batch in hand is written and acknowledged first.
"""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from citypocket.sensors.mqtt import MqttIngest
from citypocket.sensors.simulator import simulate_once

logger = logging.getLogger("citypocket.sensors.ingest")


class Command(BaseCommand):
    help = "Run the ingest process: MQTT subscriber when MQTT_URL is set, else the demo simulator."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Simulator: one tick, then exit.")
        parser.add_argument("--interval", type=int, default=None, help="Simulator tick in seconds.")

    def handle(self, *args, once: bool, interval: int | None, **options):
        self.stop = threading.Event()
        self.consumer = None
        previous = {signum: signal.signal(signum, self.on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.serve(once=once, interval=interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def on_signal(self, signum, frame):
        self.stop.set()
        if self.consumer is not None:
            self.consumer.stop()

    def serve(self, *, once: bool, interval: int | None) -> None:
        url = settings.MQTT_URL
        if url:
            self.consumer = MqttIngest(url=url)
            stats = self.consumer.run()
            logger.info(
                "mqtt ingest stopped",
                extra={"messages": stats.messages, "accepted": stats.accepted, "duplicates": stats.duplicates},
            )
            return
        if settings.SIMULATOR:
            tick = interval or settings.SIMULATOR_INTERVAL
            logger.info("simulator running", extra={"interval": tick})
            while True:
                results = simulate_once(now=timezone.now(), interval=tick)
                summary = {city: {"accepted": r.accepted, "rejected": len(r.rejected)} for city, r in results.items()}
                logger.info("simulated readings", extra={"cities": summary})
                if once or self.stop.wait(tick):
                    return
                close_old_connections()  # between ticks, as after a request
        logger.info("ingest idle: no MQTT_URL and SIMULATOR is off; nothing to ingest")
        if not once:
            self.stop.wait()
