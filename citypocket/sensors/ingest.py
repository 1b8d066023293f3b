"""The one door of readings into the sensor engine: `ingest_observations`.

Every transport and every caller goes through it: HTTP push (`POST /api/v1/ingest`), the MQTT
subscriber, the feed pollers, the simulator, the demo loaders, other apps, tests and benchmarks.
Each brings a parsed batch (`readings.Parsed`: readings with the item each came from, and the
items a parser already refused) and the source it came from. In one transaction the door

1. resolves each reading's datastream in the city (a cache serves long-running processes),
2. validates time, unit and value at the edge and converts to the datastream's unit,
3. hands the valid rows to `sensors.storage` (idempotent on datastream + time, COPY on PostgreSQL,
   hourly and daily roll-ups kept in the same statement),
4. keeps every refused item as a DeadLetter with its reason (once for an item delivered again),
5. schedules the ingest listeners (`sensors.hooks`) for after the commit.

A batch is never half-written, and bad input never raises: it is refused with a reason.
"""

import time
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.sensors import storage, units
from citypocket.sensors.hooks import notify_after_commit
from citypocket.sensors.models import Datastream, DeadLetter, Sensor
from citypocket.sensors.readings import IngestResult, Parsed, Reading, Rejection

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_REASON = 500
KNOWN_LETTERS_WINDOW = timedelta(days=7)  # how far back a redelivered item's dead letter is looked for

# (sensor external id, property) -> (datastream id, unit), or the reason why there is none
Streams = dict[tuple[str, str], tuple[int, str] | str]


def ingest_observations(
    *, city: City | None, batch: Parsed, source: str, streams: "StreamCache | None" = None
) -> IngestResult:
    """Validates and stores `batch` for `city`, keeping every refusal as a dead letter; see the module docstring.

    With `city=None` (a topic of an unknown city), every reading is refused: only dead letters are
    written. `source` names the transport in dead letters (`http:<token>`, `mqtt:citypocket/<city>`,
    `poll:<feed>`, `simulator`…). `streams` is the datastream cache of a long-running process.
    """
    now = timezone.now()
    source = _clean(source)[:200]
    refused: list[Rejection] = list(batch.rejections)
    readings = batch.readings
    rows: storage.Rows = {}
    duplicates = 0
    if city is None:
        refused.extend(
            Rejection(batch.indices[position], "unknown city", batch.item_text(position))
            for position in range(len(readings))
        )
        readings = []

    with transaction.atomic():
        if not readings:
            resolved: Streams = {}
        elif streams is not None:
            resolved = streams.resolve(city=city, readings=readings)
        else:
            resolved = _resolve_streams(city=city, readings=readings)
        for position, reading in enumerate(readings):
            try:
                stream = resolved.get((str(reading.sensor), str(reading.property)))
                if isinstance(stream, str):
                    raise units.UnitError(stream)
                datastream_id, unit = stream
                moment = _check_time(reading.time, now=now)
                value = units.convert(property=reading.property, value=reading.value, unit=reading.unit, target=unit)
            except units.UnitError as error:
                refused.append(Rejection(batch.indices[position], str(error), batch.item_text(position)))
                continue
            key = (datastream_id, moment)
            if key in rows:
                duplicates += 1  # the same datastream and instant twice in one batch: the first wins
                continue
            rows[key] = value
        inserted = storage.write_observations(rows, received_at=now, zone=city.timezone if city else "UTC")
        duplicates += len(rows) - inserted
        if inserted:
            notify_after_commit(city=city, properties=frozenset(str(r.property) for r in readings))
        if refused and batch.redelivered:
            refused = _drop_known_letters(refused, city=city, source=source, redelivered=batch.redelivered)
        if refused:
            DeadLetter.objects.bulk_create(
                [
                    DeadLetter(
                        city=city,
                        source=source,
                        payload=_clean(item.payload),
                        reason=_clean(item.reason)[:MAX_REASON],
                        received_at=now,
                    )
                    for item in refused
                ]
            )
    refused.sort(key=lambda item: item.index)
    return IngestResult(accepted=inserted, duplicates=duplicates, rejected=refused)


def _check_time(moment, *, now: datetime) -> datetime:
    """The reading's time in UTC, or UnitError with the reason."""
    if not isinstance(moment, datetime):
        raise units.UnitError("time is not a date-time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise units.UnitError("time has no UTC offset")
    moment = moment.astimezone(UTC)
    if moment < EARLIEST:
        raise units.UnitError("time is before 2000-01-01")
    if moment > now + FUTURE_TOLERANCE:
        raise units.UnitError("time is more than 5 minutes in the future")
    return moment


def _drop_known_letters(
    refused: list[Rejection], *, city: City | None, source: str, redelivered: frozenset[int]
) -> list[Rejection]:
    """Refusals of redelivered items (MQTT DUP) that are already dead letters are not written twice.

    Observations are idempotent through their unique key; this makes the dead letters of an
    at-least-once transport idempotent too, for the items the transport marks as sent again.
    """
    kept = []
    since = timezone.now() - KNOWN_LETTERS_WINDOW
    for item in refused:
        if (
            item.index in redelivered
            and DeadLetter.objects.filter(
                city=city,
                source=source,
                reason=_clean(item.reason)[:MAX_REASON],
                payload=_clean(item.payload),
                received_at__gte=since,
            ).exists()
        ):
            continue
        kept.append(item)
    return kept


def _clean(text: str) -> str:
    """Text storable in any database: PostgreSQL refuses NUL characters, so they are escaped."""
    return text.replace("\x00", "\\u0000") if "\x00" in text else text


def _resolve_streams(*, city: City, readings: list[Reading]) -> Streams:
    """(sensor external id, property) -> (datastream id, unit), or the reason why there is none."""
    wanted = {(str(r.sensor), str(r.property)) for r in readings}
    resolved: Streams = {}
    for key in [key for key in wanted if "\x00" in key[0] or "\x00" in key[1] or len(key[0]) > 120]:
        resolved[key] = "sensor or property contains a NUL character or is too long"
        wanted.discard(key)
    external_ids = {sensor for sensor, _property in wanted}
    sensors = {
        row["external_id"]: row
        for row in Sensor.objects.filter(city=city, external_id__in=external_ids).values(
            "id", "external_id", "is_active"
        )
    }
    missing = external_ids - sensors.keys()
    elsewhere = (
        set(Sensor.objects.filter(external_id__in=missing).exclude(city=city).values_list("external_id", flat=True))
        if missing
        else set()
    )
    streams: dict[tuple[int, str], tuple[int, str]] = {
        (sensor_id, prop): (stream_id, unit)
        for stream_id, sensor_id, prop, unit in Datastream.objects.filter(
            sensor_id__in=[row["id"] for row in sensors.values()]
        ).values_list("id", "sensor_id", "property", "unit")
    }
    for sensor_external_id, prop in wanted:
        sensor = sensors.get(sensor_external_id)
        if sensor is None:
            resolved[(sensor_external_id, prop)] = (
                f"sensor {sensor_external_id!r} belongs to another city"
                if sensor_external_id in elsewhere
                else f"unknown sensor {sensor_external_id!r}"
            )
            continue
        if not sensor["is_active"]:
            resolved[(sensor_external_id, prop)] = f"sensor {sensor_external_id!r} is inactive"
            continue
        stream = streams.get((sensor["id"], prop))
        if stream is None and prop in units.PROPERTIES:
            # A known property that this sensor did not declare yet: open its datastream.
            datastream, _created = Datastream.objects.get_or_create(
                sensor_id=sensor["id"], property=prop, defaults={"unit": units.PROPERTIES[prop]}
            )
            stream = (datastream.id, datastream.unit)
        resolved[(sensor_external_id, prop)] = stream or f"unknown property {prop!r} for sensor {sensor_external_id!r}"
    return resolved


class StreamCache:
    """Remembers resolved datastreams for a long-running ingest process (positive answers only).

    A sensor added since is found at once (misses always go to the database); a sensor
    deactivated or a datastream removed is noticed within `ttl` seconds.
    """

    def __init__(self, ttl: float = 30.0):
        self.ttl = ttl
        self._entries: dict[tuple[int, str, str], tuple[int, str]] = {}
        self._since = 0.0

    def resolve(self, *, city: City, readings: list[Reading]) -> Streams:
        if time.monotonic() - self._since > self.ttl:
            self._entries.clear()
            self._since = time.monotonic()
        resolved: Streams = {}
        missing: list[Reading] = []
        for reading in readings:
            key = (str(reading.sensor), str(reading.property))
            if key in resolved:
                continue
            hit = self._entries.get((city.pk, *key))
            if hit is None:
                missing.append(reading)
            else:
                resolved[key] = hit
        if missing:
            for key, stream in _resolve_streams(city=city, readings=missing).items():
                resolved[key] = stream
                if not isinstance(stream, str):
                    self._entries[(city.pk, *key)] = stream
        return resolved
