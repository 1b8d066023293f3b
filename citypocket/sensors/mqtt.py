"""The MQTT transport: a long-running subscriber that writes observations in batches.

- MQTT v5 shared subscription (`$share/citypocket/citypocket/+/#` by default), so N replicas of
  `citypocket ingest` split the load; topics are `citypocket/<city-slug>/<anything>`.
- QoS 1 with manual acknowledgements: a message is acknowledged only after the transaction that
  holds its readings (or its dead letter) has committed. A crash before that means the broker
  redelivers it; the unique key on (datastream, time) makes the redelivery harmless.
- A persistent session (fixed client id, clean_start=False, a session expiry), so messages
  published while the process is down wait in the broker (within its `max_queued_messages`).
- Batches by count (INGEST_BATCH_SIZE messages) and time (INGEST_BATCH_MS after the first).
- Bounded memory: a bounded queue between paho's network thread and the writer; when it is full
  the network thread stops reading and the broker holds the rest. The Receive Maximum is high
  (65535) on purpose: Mosquitto drops QoS 1 messages for a subscriber once its in-flight window
  and its `max_queued_messages` (1000 by default) are both full, so a small window loses data
  under a burst.
- A malformed message becomes a dead letter and is acknowledged like any other.
"""

import inspect
import logging
import queue
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from citypocket.cities.models import City
from citypocket.sensors import conf
from citypocket.sensors.formats import parse_payload
from citypocket.sensors.ingest import StreamCache, ingest_observations
from citypocket.sensors.readings import Parsed

logger = logging.getLogger(__name__)
PUBACK_COMMAND = 0x40
PUBACK_HEADER = bytes([PUBACK_COMMAND, 2])  # fixed header: PUBACK, remaining length 2 (packet id only)


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    content_type: str
    dup: bool = False  # the broker sends it again (after a lost connection or a restart)


@dataclass(slots=True)
class Stats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0


def city_slug(topic: str) -> str:
    """`citypocket/<slug>/…` -> slug ("" when the topic has another shape)."""
    parts = topic.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "citypocket" else ""


def parse_url(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, not {parts.scheme!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    return parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), tls


def _private_packet_queue(client: mqtt.Client):
    """paho's `Client._packet_queue(command, packet, mid, qos, ...)`, or None if this paho has no such method.

    See `MqttIngest._ack` for why a private method is used and what depends on it.
    """
    queue_packet = getattr(client, "_packet_queue", None)
    try:
        parameters = list(inspect.signature(queue_packet).parameters)
    except (TypeError, ValueError):
        parameters = []
    if parameters[:4] != ["command", "packet", "mid", "qos"]:
        logger.warning("paho-mqtt has no usable _packet_queue; acknowledging message by message")
        return None
    return queue_packet


class MqttIngest:
    """Subscribes, batches and writes; `run()` blocks until `stop()` is called (e.g. on SIGTERM)."""

    def __init__(
        self,
        *,
        url: str,
        client_id: str | None = None,
        topic: str | None = None,
        batch_size: int | None = None,
        batch_ms: int | None = None,
        queue_size: int | None = None,
        session_expiry: int | None = None,
    ):
        self.host, self.port, tls = parse_url(url)
        self.url = url
        self.client_id = client_id or conf.mqtt_client_id()
        self.topic = topic or conf.get("MQTT_TOPIC")
        self.batch_size = batch_size or conf.get("INGEST_BATCH_SIZE")
        self.batch_wait = (batch_ms or conf.get("INGEST_BATCH_MS")) / 1000.0
        self.queue_size = queue_size or conf.get("INGEST_QUEUE_SIZE")
        self.session_expiry = conf.get("MQTT_SESSION_EXPIRY") if session_expiry is None else session_expiry
        # A deque (append/popleft are atomic) is several times cheaper per message than queue.Queue;
        # the bound is enforced by the network thread, which waits while the deque is full.
        self.queue: deque[Message] = deque()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.stats = Stats()
        self._cities: dict[str, City | None] = {}
        self._streams = StreamCache()
        self._cities_at = 0.0
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
        )
        if tls:
            self.client.tls_set()
        self.client.manual_ack_set(True)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.bulk_acks = conf.get("MQTT_BULK_ACKS") != "off" and _private_packet_queue(self.client) is not None

    # --- network thread -----------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("mqtt connection refused", extra={"reason": str(reason_code)})
            return
        logger.info(
            "mqtt connected",
            extra={"broker": f"{self.host}:{self.port}", "session_present": flags.session_present},
        )
        options = mqtt.SubscribeOptions(qos=1)
        client.subscribe(self.topic, options=options)
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        failed = [str(code) for code in reason_codes if code.is_failure]
        if failed:
            logger.error("mqtt subscription refused", extra={"topic": self.topic, "reasons": failed})
        else:
            logger.info("mqtt subscribed", extra={"topic": self.topic})

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stopping.is_set():
            logger.warning("mqtt disconnected; reconnecting", extra={"reason": str(reason_code)})

    def _on_message(self, client, userdata, message):
        content_type = ""
        properties = getattr(message, "properties", None)
        if properties is not None:
            content_type = getattr(properties, "ContentType", "") or ""
        item = Message(message.topic, bytes(message.payload), message.mid, message.qos, content_type, bool(message.dup))
        # Blocks the network thread when the writer falls behind: back-pressure up to the broker.
        while len(self.queue) >= self.queue_size and not self.stopping.is_set():
            time.sleep(0.005)
        self.queue.append(item)

    # --- writer (the calling thread) ----------------------------------------------------------

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = int(self.session_expiry)
        properties.ReceiveMaximum = max(1, min(65535, conf.get("MQTT_RECEIVE_MAXIMUM")))
        self.client.connect_async(self.host, self.port, keepalive=30, clean_start=False, properties=properties)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> Stats:
        """Two stages: a parser thread collects and parses batch N+1 while this thread writes batch N."""
        self.start()
        logger.info(
            "mqtt ingest running",
            extra={"topic": self.topic, "client_id": self.client_id, "batch_size": self.batch_size},
        )
        handoff: queue.Queue = queue.Queue(maxsize=2)  # at most two parsed batches wait for the writer

        def produce() -> None:
            try:
                while not self.stopping.is_set():
                    batch = self._collect()
                    if not batch:
                        continue
                    try:
                        prepared = self.prepare(batch)
                    except DatabaseError:  # the writer prepares it again, with its retries
                        connection.close()
                        prepared = None
                    handoff.put((batch, prepared))
            finally:
                connection.close()
                handoff.put(None)

        parser = threading.Thread(target=produce, name="ingest-parser", daemon=True)
        parser.start()
        try:
            while (item := handoff.get()) is not None:
                self._write_with_retry(*item)
            # Write and acknowledge what was already received (not what keeps arriving) before leaving.
            left = len(self.queue)
            while left > 0 and self.queue:
                batch = [self.queue.popleft() for _ in range(min(left, self.batch_size, len(self.queue)))]
                left -= len(batch)
                self._write_with_retry(batch)
        finally:
            self.stopping.set()
            self.client.disconnect()
            self.client.loop_stop()
        return self.stats

    def _collect(self, wait: float = 0.5) -> list[Message]:
        """Up to batch_size messages; waits up to `wait` for the first, then batch_wait for the rest."""
        pending = self.queue
        give_up = time.monotonic() + wait
        while not pending:
            if time.monotonic() >= give_up or self.stopping.is_set():
                return []
            time.sleep(0.002)
        batch = [pending.popleft()]
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            if pending:
                batch.append(pending.popleft())
            elif time.monotonic() >= deadline:
                break
            else:
                time.sleep(0.002)
        return batch

    def _city(self, slug: str) -> City | None:
        if time.monotonic() - self._cities_at > 60:
            self._cities.clear()
            self._cities_at = time.monotonic()
        if slug not in self._cities:
            self._cities[slug] = City.objects.filter(slug=slug, is_active=True).first() if slug else None
        return self._cities[slug]

    def prepare(self, batch: list[Message]) -> list[tuple[City | None, str, Parsed]]:
        """Parses a batch into one parsed batch per city of the topics (reads only the city table)."""
        groups: dict[str, list[Message]] = defaultdict(list)
        for message in batch:
            groups[city_slug(message.topic)].append(message)
        prepared = []
        for slug, messages in groups.items():
            city = self._city(slug)
            source = f"mqtt:citypocket/{slug}" if slug else "mqtt"
            if city is None:  # one dead letter per message, kept whole
                reason = "unknown city in topic" if slug else "topic is not citypocket/<city>/..."
                merged = Parsed(format="unknown")
                for index, message in enumerate(messages):
                    text = message.payload.decode("utf-8", "replace")
                    merged.reject(index=index, reason=reason, payload=f"{message.topic}\n{text}")
                redelivered = [index for index, message in enumerate(messages) if message.dup]
                if redelivered:
                    merged.redelivered = frozenset(redelivered)
            else:
                parts = []
                for message in messages:
                    part = parse_payload(message.payload, content_type=message.content_type)
                    if message.dup:
                        part.mark_redelivered()
                    parts.append(part)
                merged = Parsed.merge(parts)
            prepared.append((city, source, merged))
        return prepared

    def store(self, prepared: list[tuple[City | None, str, Parsed]]) -> None:
        """Writes the parsed batches in one transaction, through the ingest door (raises on a database error)."""
        accepted = duplicates = rejected = 0
        with transaction.atomic():
            for city, source, merged in prepared:
                result = ingest_observations(city=city, batch=merged, source=source, streams=self._streams)
                accepted += result.accepted
                duplicates += result.duplicates
                rejected += len(result.rejected)
        self.stats.accepted += accepted
        self.stats.duplicates += duplicates
        self.stats.rejected += rejected

    def write(self, batch: list[Message]) -> None:
        """Parses and stores a batch in one transaction (raises on a database error)."""
        self.store(self.prepare(batch))

    def _ack(self, batch: list[Message]) -> None:
        """Acknowledges a committed batch: one write of all its PUBACK packets when paho allows it.

        paho's `ack()` queues one packet and wakes the network thread once per message, which
        costs more than the database write for one-reading messages. A PUBACK is 4 bytes
        (0x40, 2, packet id) and MQTT packets may follow one another in a TCP stream, so the
        batch's acknowledgements are queued as one buffer through paho's own packet queue.

        That queue is private (`Client._packet_queue`) because paho-mqtt 2.x has no public call
        for it: its only acknowledgement is `ack(mid, qos)`, one packet per call, and it offers no
        way to queue several packets or raw bytes. Writing to `client.socket()` ourselves is no
        way either: it would race with the network thread, which may be halfway through sending
        another packet. The buffer is queued as `(command, packet, mid=0, qos=0)`: paho's writer
        only sends the bytes, and looks at `command`/`qos` of a sent packet to report a QoS 0
        PUBLISH or to close after a DISCONNECT, neither of which a PUBACK is.
        If paho renames the method or changes its parameters, `_private_packet_queue` finds it
        missing at start-up, logs it, and the public `ack()` is used per message (same
        guarantees, more CPU). If paho changed what its writer does with a queued packet, PUBACKs
        could be lost: the broker would redeliver (harmless for the data, thanks to the unique
        key), and the broker tests, which check that nothing is left unacknowledged after a run,
        would fail on the upgrade.
        """
        mids = [message.mid for message in batch if message.qos == 1]
        queue_packet = getattr(self.client, "_packet_queue", None) if self.bulk_acks else None
        if mids and queue_packet is not None:
            packet = b"".join(PUBACK_HEADER + mid.to_bytes(2, "big") for mid in mids)
            queue_packet(PUBACK_COMMAND, packet, 0, 0)
        else:
            for message in batch:
                if message.qos > 0:
                    self.client.ack(message.mid, message.qos)
        self.stats.messages += len(batch)
        self.stats.batches += 1

    def _write_with_retry(self, batch: list[Message], prepared: list | None = None) -> None:
        """Writes then acknowledges; waits out an unavailable database; isolates a message at fault."""
        attempt = 0
        while True:
            try:
                started = time.perf_counter()
                if prepared is not None and attempt == 0:
                    self.store(prepared)
                else:
                    self.write(batch)
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug(
                        "batch written",
                        extra={
                            "messages": len(batch),
                            "seconds": round(time.perf_counter() - started, 4),
                            "waiting": len(self.queue),
                        },
                    )
            except (OperationalError, InterfaceError):
                attempt += 1
                logger.exception("database unavailable", extra={"attempt": attempt, "messages": len(batch)})
                connection.close()
                if self.stopping.is_set() and attempt >= 3:
                    return  # left unacknowledged: the broker redelivers them to the next session
                time.sleep(min(30.0, 0.5 * 2**attempt))
                continue
            except DatabaseError:
                logger.exception("ingest batch failed; retrying message by message", extra={"messages": len(batch)})
                connection.close()
                break
            self._ack(batch)
            return
        for message in batch:  # a message that still fails alone is dead-lettered, then acknowledged
            try:
                self.write([message])
            except DatabaseError as error:
                connection.close()
                refused = Parsed(format="unknown")
                refused.reject(
                    index=0,
                    reason=f"could not be stored: {type(error).__name__}",
                    payload=message.payload.decode("utf-8", "replace"),
                )
                if message.dup:
                    refused.mark_redelivered()
                try:
                    ingest_observations(city=None, batch=refused, source=f"mqtt:{message.topic}")
                except DatabaseError:
                    logger.exception("database unavailable; message left for redelivery")
                    continue
            self._ack([message])
