"""`citypocket ingest` against the machine's Mosquitto: exact counts, crash and restart without loss."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from citypocket.sensors.models import DeadLetter, Observation
from citypocket.sensors.tests.factories import air_sensor
from citypocket.sensors.tests.mqtt_helpers import IngestProcess, Publisher, wait_until
from testsupport import CityFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 1, 1, tzinfo=UTC)


def one(i: int) -> str:
    time_ = (START + timedelta(seconds=i)).isoformat()
    return json.dumps(
        {
            "observations": [
                {"sensor": "FR25036", "property": "no2", "time": time_, "value": float(i % 500), "unit": "ug/m3"}
            ]
        }
    )


def gateway(first: int, count: int, *, bad: int = 0) -> str:
    items = [
        {
            "sensor": "FR25036",
            "property": "no2",
            "time": (START + timedelta(seconds=first + k)).isoformat(),
            "value": 20.0,
            "unit": "ug/m3",
        }
        for k in range(count)
    ]
    for _ in range(bad):
        items.append({"sensor": "FR25036", "property": "no2", "time": START.isoformat(), "value": -5, "unit": "ug/m3"})
    return json.dumps({"observations": items})


@pytest.fixture
def mqtt_city(db):
    city = CityFactory(slug=f"mqtt-{uuid.uuid4().hex[:8]}")
    air_sensor(city)
    return city


@pytest.fixture
def ingest(mqtt_city):
    process = IngestProcess(mqtt_city.slug)
    process.prepare_session()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.kill()
    process.end_session()


def test_exact_counts_with_duplicates_and_malformed(mqtt_city, ingest):
    """2 000 readings of FR25036 (20 sent twice), 20 malformed messages, a gateway message: exact rows and dead letters."""
    ingest.start()
    topic = f"citypocket/{mqtt_city.slug}/FR25036"
    publisher = Publisher()
    for i in range(2000):
        publisher.publish(topic, one(i))
        if i % 100 == 0:
            publisher.publish(topic, one(i))  # sent twice
        if i % 100 == 50:
            publisher.publish(topic, b'{"observations": [' + str(i).encode())  # malformed
    publisher.publish(topic, gateway(5000, 50, bad=2))
    publisher.close()
    done = wait_until(lambda: Observation.objects.count() >= 2050 and DeadLetter.objects.count() >= 22, timeout=60)
    assert done, (Observation.objects.count(), DeadLetter.objects.count(), ingest.stderr())
    time.sleep(0.5)
    assert Observation.objects.filter(datastream__sensor__city=mqtt_city).count() == 2050
    letters = DeadLetter.objects.filter(city=mqtt_city)
    assert letters.count() == 22
    assert letters.filter(reason__startswith="malformed JSON").count() == 20
    assert letters.filter(reason="negative concentration for no2").count() == 2
    assert ingest.stop() == 0
    assert ingest.pending() == 0


def test_killed_and_restarted_ingest_loses_nothing(mqtt_city, ingest):
    """SIGKILL mid-stream, 300 messages published while down, restart: exactly N rows, none twice, none left unacked."""
    n, kill_at, down = 2000, 700, 300
    ingest.start()
    topic = f"citypocket/{mqtt_city.slug}/gw-2"
    publisher = Publisher()
    for i in range(n):
        if i == kill_at:
            publisher.flush()
            assert wait_until(lambda: Observation.objects.count() > 0, timeout=30), ingest.stderr()
            ingest.kill()  # messages in flight and in the writer's hands are not acknowledged
        if i == kill_at + down:
            publisher.flush()  # these wait in the broker for the persistent session
            ingest.start()
        publisher.publish(topic, one(i))
        if i % 50 == 49:
            publisher.flush()
            time.sleep(0.05)
    publisher.close()
    assert wait_until(lambda: Observation.objects.count() >= n, timeout=60), (
        Observation.objects.count(),
        ingest.stderr(),
    )
    time.sleep(0.5)
    rows = Observation.objects.filter(datastream__sensor__city=mqtt_city)
    assert rows.count() == n
    assert rows.values("phenomenon_time").distinct().count() == n
    assert DeadLetter.objects.count() == 0
    assert ingest.stop() == 0
    assert ingest.pending() == 0  # every message was acknowledged after its commit


def test_two_replicas_split_the_load(mqtt_city):
    """Two ingest processes on one shared subscription each take part of the messages; every reading is stored once."""
    group = f"cp-test-group-{uuid.uuid4().hex[:8]}"
    replicas = [IngestProcess(mqtt_city.slug, group=group) for _ in range(2)]
    try:
        for replica in replicas:
            replica.prepare_session()
            replica.start()
        publisher = Publisher()
        for i in range(600):
            publisher.publish(f"citypocket/{mqtt_city.slug}/gw-3", one(i))
        publisher.close()
        assert wait_until(lambda: Observation.objects.count() >= 600, timeout=60), [r.stderr() for r in replicas]
        time.sleep(0.5)
        assert Observation.objects.filter(datastream__sensor__city=mqtt_city).count() == 600
        handled = []
        for replica in replicas:
            assert replica.stop() == 0
            stopped = [json.loads(line) for line in replica.lines if "mqtt ingest stopped" in line]
            handled.append(stopped[-1]["messages"])
        assert sum(handled) == 600 and min(handled) > 0, handled
    finally:
        for replica in replicas:
            if replica.process is not None and replica.process.poll() is None:
                replica.kill()
            replica.end_session()


class PrivateBroker:
    """A Mosquitto of this machine started on a free port with its own persistence, to be restarted at will."""

    def __init__(self, directory):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\nuser root\n"
            f"persistence_location {directory}/\nmax_queued_messages 100000\n"
        )
        self.process = None

    def start(self):
        import subprocess

        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.5)

    def stop(self):
        self.process.terminate()  # Mosquitto saves its persistence file on the way out
        self.process.wait(timeout=10)


def test_broker_restart_and_ingest_restart_lose_nothing(mqtt_city, tmp_path, monkeypatch):
    """The broker is restarted and the ingest process killed and restarted mid-stream: exactly N rows, none twice."""
    from citypocket.sensors.tests import mqtt_helpers

    broker = PrivateBroker(tmp_path)
    broker.start()
    monkeypatch.setattr(mqtt_helpers, "PORT", broker.port)
    monkeypatch.setattr(mqtt_helpers, "MQTT_URL", f"mqtt://127.0.0.1:{broker.port}")
    ingest = IngestProcess(mqtt_city.slug)
    try:
        ingest.prepare_session()
        ingest.start()
        topic = f"citypocket/{mqtt_city.slug}/gw-4"
        n, malformed = 3000, 30
        sent = 0

        def publish(count):
            nonlocal sent
            publisher = Publisher()
            for _ in range(count):
                publisher.publish(topic, one(sent))
                if sent % 100 == 50:
                    publisher.publish(topic, b"{not json " + str(sent).encode())
                sent += 1
            publisher.close()

        publish(1000)
        subscribed = ingest.count_lines("mqtt subscribed")
        broker.stop()
        broker.start()
        # The ingest process reconnects by itself and subscribes again: Mosquitto 2.0.11 restores the
        # persistent session but not its shared subscription, so nothing is queued until then.
        assert wait_until(lambda: ingest.count_lines("mqtt subscribed") > subscribed, timeout=60), ingest.stderr()
        publish(1000)
        ingest.kill()
        publish(500)  # queued for the session while the ingest process is down
        ingest.start()
        publish(500)
        assert sent == n
        assert wait_until(
            lambda: Observation.objects.count() >= n and DeadLetter.objects.count() >= malformed, timeout=90
        ), (
            Observation.objects.count(),
            ingest.stderr(),
        )
        time.sleep(1)
        rows = Observation.objects.filter(datastream__sensor__city=mqtt_city)
        assert rows.count() == n
        assert rows.values("phenomenon_time").distinct().count() == n
        assert DeadLetter.objects.filter(city=mqtt_city, reason__startswith="malformed JSON").count() == malformed
        assert ingest.stop() == 0
        assert ingest.pending() == 0
    finally:
        if ingest.process is not None and ingest.process.poll() is None:
            ingest.kill()
        broker.stop()
