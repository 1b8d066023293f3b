"""The ingest process without a broker: batching logic, the simulator, idling."""

import json
import logging
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from citypocket.sensors.models import DeadLetter, LatestObservation, Observation
from citypocket.sensors.mqtt import Message, MqttIngest, city_slug, parse_url
from citypocket.sensors.services import ensure_sensor
from citypocket.sensors.simulator import occupancy_curve, rush, simulate_once
from citypocket.sensors.tests.factories import air_sensor, parking_sensor, recent

pytestmark = pytest.mark.django_db


class FakeBroker:
    """Stands in for the broker connection: records the acknowledgements."""

    def __init__(self):
        self.acked = []

    def ack(self, mid, qos):
        self.acked.append(mid)


def message(mid, topic, body):
    return Message(
        topic=topic, payload=body.encode() if isinstance(body, str) else body, mid=mid, qos=1, content_type=""
    )


def obs(minutes, value=10.0, sensor="FR25036"):
    return {"sensor": sensor, "property": "no2", "time": recent(minutes).isoformat(), "value": value, "unit": "ug/m3"}


def test_topic_and_url_parsing():
    """The city comes from the topic's second level; mqtt:// and mqtts:// URLs are understood."""
    assert city_slug("citypocket/rouen/gw/1") == "rouen"
    assert city_slug("other/rouen") == ""
    assert parse_url("mqtt://broker:1884") == ("broker", 1884, False)
    assert parse_url("mqtts://broker") == ("broker", 8883, True)
    with pytest.raises(ValueError):
        parse_url("http://broker")


def test_a_batch_is_written_then_acknowledged(rouen, aix):
    """Messages of several cities in one batch: readings stored per city, bad ones dead-lettered, all acked after."""
    air_sensor(rouen)
    air_sensor(aix, external_id="FR02004")
    consumer = MqttIngest(url="mqtt://127.0.0.1:1")
    consumer.client = FakeBroker()
    batch = [
        message(1, "citypocket/rouen/gw", json.dumps({"observations": [obs(5), obs(4)]})),
        message(2, "citypocket/rouen/gw", json.dumps({"observations": [obs(5)]})),  # redelivered reading
        message(3, "citypocket/aix-en-provence/gw", json.dumps({"observations": [obs(5, sensor="FR02004")]})),
        message(4, "citypocket/rouen/gw", b"\xff not json"),
        message(5, "citypocket/atlantis/gw", json.dumps({"observations": [obs(3)]})),
        message(6, "elsewhere", json.dumps({"observations": [obs(3)]})),
    ]
    consumer._write_with_retry(batch)
    assert consumer.client.acked == [1, 2, 3, 4, 5, 6]
    assert (consumer.stats.accepted, consumer.stats.duplicates, consumer.stats.rejected) == (3, 1, 3)
    assert Observation.objects.filter(datastream__sensor__city=rouen).count() == 2
    assert Observation.objects.filter(datastream__sensor__city=aix).count() == 1
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert reasons[0].startswith("malformed JSON") and reasons[1:] == [
        "topic is not citypocket/<city>/...",
        "unknown city in topic",
    ]
    assert DeadLetter.objects.get(reason__startswith="malformed").city == rouen


def test_simulator_feeds_every_sensor_it_finds(rouen, aix):
    """One tick gives each known property of each active sensor a value; a second tick in the same interval adds nothing."""
    air_sensor(rouen)
    parking_sensor(rouen, metadata={"capacity": 400})
    ensure_sensor(
        city=aix,
        external_id="T1",
        kind="traffic",
        name="Cours Mirabeau",
        properties={"vehicle_flow": "veh/h", "occupancy": "1"},
    )
    ensure_sensor(city=aix, external_id="X1", kind="other", name="Mystery", properties={"radiation": "uSv/h"})
    now = datetime(2026, 11, 24, 7, 30, 20, tzinfo=UTC)  # Tuesday 08:30 in Paris
    results = simulate_once(now=now, interval=60)
    assert results["rouen"].accepted == 6 and results["rouen"].rejected == []
    assert results["aix-en-provence"].accepted == 2
    latest = {
        (row.datastream.sensor.external_id, row.datastream.property): row
        for row in LatestObservation.objects.select_related("datastream__sensor")
    }
    assert latest[("FR25036", "no2")].phenomenon_time == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    assert 20 < latest[("FR25036", "no2")].value < 120  # a rush-hour value
    spots = latest[("P-VIEUX-MARCHE", "available_spots")].value
    occupancy = latest[("P-VIEUX-MARCHE", "occupancy")].value
    assert 0 <= spots <= 400 and 0 <= occupancy <= 1
    assert abs(spots - 400 * (1 - occupancy)) <= 1
    assert ("X1", "radiation") not in latest
    assert 0.2 < latest[("T1", "occupancy")].value < 0.45  # a busy road at the morning rush
    assert latest[("T1", "vehicle_flow")].value > 1000
    again = simulate_once(now=now, interval=60)
    assert again["rouen"].accepted == 0 and again["rouen"].duplicates == 6


def test_simulated_curves_are_plausible():
    """Rush hours peak at 8 h and 18 h on working days; car parks are nearly empty at 4 h and busy at 11 h."""
    assert rush(8.0, 1) > 0.9 and rush(18.0, 1) > 0.8 and rush(3.0, 1) < 0.05
    assert rush(8.0, 6) < rush(8.0, 1)
    assert occupancy_curve(4.0, 2) < 0.15 < 0.5 < occupancy_curve(11.5, 2)


def test_ingest_command_simulator_once(rouen, settings):
    """`citypocket ingest --once` with SIMULATOR on and no MQTT_URL runs one simulator tick."""
    settings.SIMULATOR = True
    settings.MQTT_URL = ""
    air_sensor(rouen)
    call_command("ingest", "--once")
    assert Observation.objects.filter(datastream__sensor__city=rouen).count() == 4


def test_ingest_command_idles_without_broker_or_simulator(rouen, settings, caplog):
    """With neither MQTT_URL nor the simulator, the command says so and writes nothing."""
    settings.SIMULATOR = False
    settings.MQTT_URL = ""
    air_sensor(rouen)
    with caplog.at_level(logging.INFO, logger="citypocket.sensors.ingest"):
        call_command("ingest", "--once")
    assert "ingest idle" in caplog.text
    assert Observation.objects.count() == 0


def test_redelivered_messages_do_not_duplicate_dead_letters(rouen):
    """A malformed or partly invalid message sent again by the broker (DUP) leaves its dead letters once."""
    air_sensor(rouen)
    consumer = MqttIngest(url="mqtt://127.0.0.1:1")
    consumer.client = FakeBroker()
    bad = json.dumps({"observations": [obs(5), obs(4, value=-1)]})
    first = [message(1, "citypocket/rouen/gw", b"{nope"), message(2, "citypocket/rouen/gw", bad)]
    consumer._write_with_retry(first)
    again = [
        Message("citypocket/rouen/gw", b"{nope", 7, 1, "", dup=True),
        Message("citypocket/rouen/gw", bad.encode(), 8, 1, "", dup=True),
        Message("citypocket/rouen/gw", b"{nope", 9, 1, "", dup=False),  # published again by the sender
    ]
    consumer._write_with_retry(again)
    assert consumer.client.acked == [1, 2, 7, 8, 9]
    assert Observation.objects.count() == 1
    assert DeadLetter.objects.filter(reason__startswith="malformed JSON").count() == 2
    assert DeadLetter.objects.filter(reason="negative concentration for no2").count() == 1


def test_bulk_acks_go_through_paho_packet_queue_while_it_has_the_expected_shape():
    """A batch's PUBACKs are queued as one buffer in paho's packet queue; a paho without that queue gets ack()."""
    from citypocket.sensors.mqtt import _private_packet_queue

    consumer = MqttIngest(url="mqtt://127.0.0.1:1")
    assert consumer.bulk_acks, (
        "this paho-mqtt no longer has _packet_queue(command, packet, mid, qos): see MqttIngest._ack"
    )
    queued = []
    consumer.client._packet_queue = lambda command, packet, mid, qos: queued.append((command, packet, mid, qos))
    consumer._ack([message(1, "citypocket/rouen/gw", b"{}"), message(258, "citypocket/rouen/gw", b"{}")])
    assert queued == [(0x40, bytes([0x40, 2, 0, 1, 0x40, 2, 1, 2]), 0, 0)]

    class OtherPaho:
        def _packet_queue(self, packet):
            raise AssertionError("never called")

    assert _private_packet_queue(OtherPaho()) is None
    assert _private_packet_queue(object()) is None
