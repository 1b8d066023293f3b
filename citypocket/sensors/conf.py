"""Settings of the sensor engine: a Django setting wins, else the environment variable, else the default.

| variable | default | meaning |
|---|---|---|
| INGEST_MAX_BYTES | 5242880 (5 MB) | largest HTTP ingest body; above -> 413 |
| INGEST_RATE | 600/min | HTTP ingest requests per token (cache-based); above -> 429 + Retry-After |
| MQTT_URL | (empty) | mqtt://host:port of the broker; empty -> no MQTT subscriber |
| MQTT_CLIENT_ID | citypocket-ingest-<host> | fixed client id of the persistent MQTT session |
| MQTT_TOPIC | $share/citypocket/citypocket/+/# | subscription (shared, so replicas split the load) |
| MQTT_SESSION_EXPIRY | 3600 | seconds the broker keeps the session (and queued messages) of a stopped ingest |
| MQTT_RECEIVE_MAXIMUM | 65535 | QoS 1 messages the broker may send before our acks (MQTT v5 Receive Maximum) |
| MQTT_BULK_ACKS | on | write a batch's PUBACKs in one buffer (off: paho's `ack()` per message) |
| INGEST_BATCH_SIZE | 500 | messages per database batch |
| INGEST_BATCH_MS | 200 | longest wait before a partial batch is written |
| INGEST_QUEUE_SIZE | 5000 | bounded queue between the network thread and the writer (back-pressure) |
| SIMULATOR | on | in-process demo feed when MQTT_URL is empty |
| SIMULATOR_INTERVAL | 60 | seconds between two simulated readings of each datastream |
"""

import os
import socket

from django.conf import settings

DEFAULTS = {
    "INGEST_MAX_BYTES": 5 * 1024 * 1024,
    "INGEST_RATE": "600/min",
    "MQTT_URL": "",
    "MQTT_CLIENT_ID": "",
    "MQTT_TOPIC": "$share/citypocket/citypocket/+/#",
    "MQTT_SESSION_EXPIRY": 3600,
    "MQTT_RECEIVE_MAXIMUM": 65535,
    "MQTT_BULK_ACKS": "on",
    "INGEST_BATCH_SIZE": 500,
    "INGEST_BATCH_MS": 200,
    "INGEST_QUEUE_SIZE": 5000,
    "SIMULATOR_INTERVAL": 60,
}


def get(name: str):
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    if value in (None, ""):
        value = default
    if isinstance(default, int) and not isinstance(value, int):
        value = int(value)
    return value


def mqtt_client_id() -> str:
    return get("MQTT_CLIENT_ID") or f"citypocket-ingest-{socket.gethostname()}"[:64]


def simulator_on() -> bool:
    return bool(getattr(settings, "SIMULATOR", False))
