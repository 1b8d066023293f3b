"""Helpers for the tests that run `citypocket ingest` against the machine's Mosquitto."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from testsupport import database_url

MQTT_URL = os.environ.get("MQTT_TEST_URL", "mqtt://127.0.0.1:1883")
HOST = urlsplit(MQTT_URL).hostname or "127.0.0.1"
PORT = urlsplit(MQTT_URL).port or 1883




class IngestProcess:
    """`citypocket ingest` in a subprocess with its own client id and shared-subscription group."""

    def __init__(self, city_slug: str, *, group: str = ""):
        self.client_id = f"cp-test-{uuid.uuid4().hex[:10]}"
        self.topic = f"$share/{group or self.client_id}/citypocket/{city_slug}/#"
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []

    def env(self) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MQTT_URL": MQTT_URL,
            "MQTT_CLIENT_ID": self.client_id,
            "MQTT_TOPIC": self.topic,
            "MQTT_SESSION_EXPIRY": "600",
            "SIMULATOR": "off",
            "INGEST_BATCH_MS": "100",
            "LOG_LEVEL": "INFO",
            "CITYPOCKET_VAR_DIR": str(settings.VAR_DIR),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def prepare_session(self) -> None:
        """Opens the persistent session and its subscription, so nothing published from now on is lost."""
        client = self._client()
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 600
        client.connect(HOST, PORT, clean_start=False, properties=properties)
        client.loop_start()
        result, _mid = client.subscribe(self.topic, qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS
        time.sleep(0.3)
        client.disconnect()
        client.loop_stop()

    def start(self, *, wait_connected: bool = True) -> None:
        """Starts the process and (by default) waits until it is connected to the broker.

        Waiting matters: while Django starts, the broker queues the session's messages, and
        Mosquitto keeps at most `max_queued_messages` (1000 by default) for an offline client.
        """
        self.process = subprocess.Popen(
            [sys.executable, "-m", "citypocket", "ingest"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        connected = threading.Event()
        process, lines = self.process, self.lines

        def read():
            for raw in process.stderr:
                lines.append(raw.decode("utf-8", "replace"))
                if "mqtt connected" in lines[-1]:
                    connected.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        if wait_connected:
            assert connected.wait(60), "".join(self.lines[-20:])

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.reader.join(timeout=5)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=20)
            self.reader.join(timeout=5)  # the last log lines are read
            return code
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def count_lines(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def stderr(self) -> str:
        """The end of the processes' logs, for failure messages."""
        return "".join(self.lines[-30:])

    def pending(self, wait: float = 1.5) -> int:
        """Messages the broker still holds for this session (unacknowledged or queued): resumes it and counts."""
        received = []
        client = self._client()
        client.manual_ack_set(True)  # count without acknowledging
        client.on_message = lambda c, u, message: received.append(message.mid)
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 600
        client.connect(HOST, PORT, clean_start=False, properties=properties)
        client.loop_start()
        time.sleep(wait)
        client.disconnect()
        client.loop_stop()
        return len(received)

    def end_session(self) -> None:
        """Removes the persistent session from the broker."""
        client = self._client()
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 0
        client.connect(HOST, PORT, clean_start=True, properties=properties)
        client.loop_start()
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()

    def _client(self) -> mqtt.Client:
        return mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5
        )


class Publisher:
    def __init__(self):
        self.client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.max_inflight_messages_set(200)
        self.client.connect(HOST, PORT)
        self.client.loop_start()
        self.pending = []

    def publish(self, topic: str, payload: str | bytes) -> None:
        self.pending.append(self.client.publish(topic, payload, qos=1))

    def flush(self, timeout: float = 30) -> None:
        for info in self.pending:
            info.wait_for_publish(timeout)
            assert info.is_published()
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
