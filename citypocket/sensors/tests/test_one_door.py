"""Every way in goes through one door, `sensors.ingest.ingest_observations`.

Listeners (`sensors.hooks`) are called by the door only, after commit: hearing from a transport
proves that its batch went through the door. The same refused item leaves the same dead letter
whichever transport brought it.
"""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

import citypocket
from citypocket.sensors import hooks
from citypocket.sensors.models import DeadLetter, Observation
from citypocket.sensors.mqtt import Message, MqttIngest
from citypocket.sensors.pollers import poll_feed
from citypocket.sensors.readings import as_text
from citypocket.sensors.simulator import simulate_once
from citypocket.sensors.tests.factories import air_sensor, recent
from citypocket.sensors.tests.test_http_ingest import make_token, post

pytestmark = pytest.mark.django_db

GOOD = {"sensor": "FR25036", "property": "no2", "time": recent(5).isoformat(), "value": 41.2, "unit": "ug/m3"}
BAD = {"sensor": "FR25036", "property": "no2", "time": recent(4).isoformat(), "value": -3, "unit": "ug/m3"}
FEED_URL = "https://feeds.example.org/gateway.json"


class FakeBroker:
    """Stands in for the broker connection: records the acknowledgements."""

    def __init__(self):
        self.acked = []

    def ack(self, mid, qos):
        self.acked.append(mid)


@pytest.fixture
def heard(monkeypatch):
    """The ingest listeners, replaced by one that records what it hears."""
    monkeypatch.setattr(hooks, "_listeners", {})
    calls = []
    hooks.register_ingest_listener("test", lambda *, city, properties: calls.append((city.slug, properties)))
    return calls


def through_http(city) -> str:
    response = post(make_token(city, name="gateway"), {"observations": [GOOD, BAD]})
    assert response.status_code == 202
    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": [{"index": 1, "reason": "negative concentration for no2"}],
    }
    return "http:gateway"


def through_mqtt(city) -> str:
    consumer = MqttIngest(url="mqtt://127.0.0.1:1")
    consumer.client = FakeBroker()
    body = json.dumps({"observations": [GOOD, BAD]}).encode()
    consumer._write_with_retry([Message(f"citypocket/{city.slug}/gateway", body, 1, 1, "")])
    assert consumer.client.acked == [1]
    assert (consumer.stats.accepted, consumer.stats.rejected) == (1, 1)
    return f"mqtt:citypocket/{city.slug}"


def through_poller(city) -> str:
    feed = {
        "name": "gateway",
        "city": city.slug,
        "kind": "json",
        "url": FEED_URL,
        "records": "items",
        "mapping": {"sensor": "sensor", "time": "time", "values": {"no2": ["value", "ug/m3"]}},
    }
    with respx.mock:
        respx.get(FEED_URL).mock(return_value=httpx.Response(200, json={"items": [GOOD, BAD]}))
        result = poll_feed(feed)
    assert result.accepted == 1
    assert [(r.index, r.reason) for r in result.rejected] == [(1, "negative concentration for no2")]
    return "poll:gateway"


@pytest.mark.parametrize("transport", [through_http, through_mqtt, through_poller], ids=["http", "mqtt", "poller"])
def test_every_transport_goes_through_the_one_door(rouen, heard, django_capture_on_commit_callbacks, transport):
    """HTTP, an MQTT message and a feed poll of the same two items: listeners hear each, and the bad item
    leaves the same dead letter (reason and item text), only the source differs."""
    air_sensor(rouen)
    with django_capture_on_commit_callbacks(execute=True):
        source = transport(rouen)
    assert heard == [("rouen", frozenset({"no2"}))]
    assert list(Observation.objects.values_list("value", flat=True)) == [41.2]
    letter = DeadLetter.objects.get()
    assert (letter.city, letter.source, letter.reason, letter.payload) == (
        rouen,
        source,
        "negative concentration for no2",
        as_text(BAD),
    )


def test_the_simulator_goes_through_the_one_door(rouen, heard, django_capture_on_commit_callbacks):
    """A simulator tick is heard by the listeners like any transport."""
    air_sensor(rouen)
    with django_capture_on_commit_callbacks(execute=True):
        results = simulate_once(now=datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    assert results["rouen"].accepted == 4
    assert heard == [("rouen", frozenset({"no2", "pm10", "pm25", "o3"}))]


def test_nothing_but_the_door_writes_observations():
    """Only sensors.ingest imports the storage module, and no module writes observations through the ORM:
    the demo loaders, other apps and tests can only ingest through the door."""
    root = Path(citypocket.__file__).parent
    this = Path(__file__).resolve()
    reaches_storage = re.compile(
        r"^\s*(from citypocket\.sensors\.storage import|import citypocket\.sensors\.storage"
        r"|from citypocket\.sensors import [^\n]*\bstorage\b)",
        re.M,
    )
    writes_rows = re.compile(r"Observation\.objects\.(create|bulk_create|get_or_create|update_or_create)\b")
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.resolve() == this or path.relative_to(root).as_posix() in {"sensors/ingest.py", "sensors/storage.py"}:
            continue
        text = path.read_text(encoding="utf-8")
        if reaches_storage.search(text) or writes_rows.search(text):
            offenders.append(path.relative_to(root).as_posix())
    assert offenders == []
