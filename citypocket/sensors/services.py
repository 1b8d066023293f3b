"""Writes of the sensor engine: sensors, ingestion of readings, ingest tokens.

`ingest_readings` is the one door every transport goes through (HTTP push, MQTT, pollers, the
simulator): it validates each reading at the edge, writes the valid ones in bulk and
idempotently (a unique key on datastream + phenomenon time, conflicts ignored), moves the latest
values forward, and keeps every refused item as a DeadLetter with its reason — all in one
transaction, so a batch is never half-written.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.sensors import units
from citypocket.sensors.hooks import notify_after_commit
from citypocket.sensors.models import (
    Datastream,
    DeadLetter,
    IngestToken,
    LatestObservation,
    Observation,
    Sensor,
    SensorKind,
)
from citypocket.sensors.readings import IngestResult, Reading, Rejection

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=5)
# Above this many rows, PostgreSQL loads through COPY into a temporary table.
COPY_THRESHOLD = 500
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class ItemRejection:
    """A refused item of a payload: its index, the reason and the item's own text (for the dead letter)."""

    index: int
    reason: str
    payload: str


# --- Sensors --------------------------------------------------------------------------------


@transaction.atomic
def ensure_sensor(
    *,
    city: City,
    external_id: str,
    kind: str,
    name: str,
    lat: float | None = None,
    lon: float | None = None,
    properties: dict[str, str],
    metadata: dict | None = None,
) -> Sensor:
    """Creates or updates a sensor and one datastream per property -> unit (idempotent)."""
    if kind not in SensorKind.values:
        raise ValueError(f"unknown sensor kind {kind!r}")
    defaults: dict = {"kind": kind, "name": name, "lat": lat, "lon": lon}
    if metadata is not None:
        defaults["metadata"] = metadata
    sensor, _created = Sensor.objects.update_or_create(city=city, external_id=external_id, defaults=defaults)
    for property_name, unit in properties.items():
        Datastream.objects.update_or_create(sensor=sensor, property=property_name, defaults={"unit": unit})
    return sensor


# --- Ingestion ------------------------------------------------------------------------------


def reading_payload(reading: Reading) -> str:
    """The JSON text of a reading, as kept in a dead letter."""
    value = reading.value
    return json.dumps(
        {
            "sensor": reading.sensor,
            "property": reading.property,
            "time": reading.time.isoformat() if isinstance(reading.time, datetime) else str(reading.time),
            "value": value if isinstance(value, (int, float)) else str(value),
            "unit": reading.unit,
        },
        default=str,
    )


def _as_text(item) -> str:
    if isinstance(item, str):
        return item
    try:
        return json.dumps(item, ensure_ascii=False, default=str)[:20_000]
    except (TypeError, ValueError, RecursionError):
        return repr(item)[:20_000]


def check_time(moment, *, now: datetime) -> datetime:
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


def ingest_readings(*, city: City, readings: list[Reading], source: str) -> IngestResult:
    """Validates and stores `readings` for `city`; see the module docstring. Never half-writes a batch."""
    return ingest_batch(city=city, readings=readings, source=source)


def ingest_batch(
    *,
    city: City | None,
    readings: list[Reading],
    source: str,
    indices: list[int] | None = None,
    payloads: list | None = None,
    rejections: list[ItemRejection] = (),
    stream_cache: "StreamCache | None" = None,
    redelivered: set[int] | None = None,
) -> IngestResult:
    """`ingest_readings` with what a parser knows: each reading's item index and text, and its own rejections.

    With `city=None` (an unknown city), every reading is rejected; only dead letters are written.
    """
    now = timezone.now()
    refused: list[ItemRejection] = list(rejections)
    rows: dict[tuple[int, datetime], float] = {}
    duplicates = 0
    if city is None:
        for position, reading in enumerate(readings):
            refused.append(
                ItemRejection(
                    indices[position] if indices else position,
                    "unknown city",
                    _as_text(payloads[position]) if payloads else reading_payload(reading),
                )
            )
        readings = []

    with transaction.atomic():
        if not readings:
            streams = {}
        elif stream_cache is not None:
            streams = stream_cache.resolve(city=city, readings=readings)
        else:
            streams = _resolve_streams(city=city, readings=readings)
        for position, reading in enumerate(readings):
            index = indices[position] if indices else position
            try:
                stream = streams.get((str(reading.sensor), str(reading.property)))
                if isinstance(stream, str):
                    raise units.UnitError(stream)
                datastream_id, unit = stream
                moment = check_time(reading.time, now=now)
                value = units.convert(property=reading.property, value=reading.value, unit=reading.unit, target=unit)
            except units.UnitError as error:
                payload = _as_text(payloads[position]) if payloads else reading_payload(reading)
                refused.append(ItemRejection(index, str(error), payload))
                continue
            key = (datastream_id, moment)
            if key in rows:
                duplicates += 1  # the same datastream and instant twice in one batch: the first wins
                continue
            rows[key] = value
        inserted = _write_observations(rows, received_at=now) if rows else 0
        duplicates += len(rows) - inserted
        if rows:
            _move_latest_forward(rows, received_at=now)
        if inserted:
            notify_after_commit(city=city, properties=frozenset(str(r.property) for r in readings))
        if refused and redelivered:
            refused = _drop_known_letters(refused, city=city, source=source, redelivered=redelivered)
        if refused:
            DeadLetter.objects.bulk_create(
                [
                    DeadLetter(
                        city=city,
                        source=source[:200],
                        payload=_clean(item.payload),
                        reason=_clean(item.reason)[:MAX_REASON],
                        received_at=now,
                    )
                    for item in refused
                ]
            )
    refused.sort(key=lambda item: item.index)
    return IngestResult(
        accepted=inserted,
        duplicates=duplicates,
        rejected=[Rejection(index=item.index, reason=item.reason) for item in refused],
    )


def _drop_known_letters(
    refused: list[ItemRejection], *, city: City | None, source: str, redelivered: set[int]
) -> list[ItemRejection]:
    """Refusals of redelivered items (MQTT DUP) that are already dead letters are not written twice.

    Observations are idempotent through their unique key; this makes the dead letters of an
    at-least-once transport idempotent too, for the items the broker marks as sent again.
    """
    kept = []
    since = timezone.now() - timedelta(days=7)
    for item in refused:
        if (
            item.index in redelivered
            and DeadLetter.objects.filter(
                city=city,
                source=source[:200],
                reason=_clean(item.reason)[:MAX_REASON],
                payload=_clean(item.payload),
                received_at__gte=since,
            ).exists()
        ):
            continue
        kept.append(item)
    return kept


def dead_letter(*, city: City | None, source: str, payload: str, reason: str) -> DeadLetter:
    """Keeps a payload refused as a whole (malformed JSON, unknown topic…)."""
    return DeadLetter.objects.create(
        city=city,
        source=_clean(source)[:200],
        payload=_clean(payload),
        reason=_clean(reason)[:MAX_REASON],
        received_at=timezone.now(),
    )


def _clean(text: str) -> str:
    """Text storable in any database: PostgreSQL refuses NUL characters, so they are escaped."""
    return text.replace("\x00", "\\u0000") if "\x00" in text else text


def _resolve_streams(*, city: City, readings: list[Reading]) -> dict[tuple[str, str], tuple[int, str] | str]:
    """(sensor external id, property) -> (datastream id, unit), or the reason why there is none."""
    wanted = {(str(r.sensor), str(r.property)) for r in readings}
    resolved: dict[tuple[str, str], tuple[int, str] | str] = {}
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

    def resolve(self, *, city: City, readings: list[Reading]) -> dict[tuple[str, str], tuple[int, str] | str]:
        import time

        if time.monotonic() - self._since > self.ttl:
            self._entries.clear()
            self._since = time.monotonic()
        resolved: dict[tuple[str, str], tuple[int, str] | str] = {}
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


def _observation_table() -> str:
    return connection.ops.quote_name(Observation._meta.db_table)


def _latest_table() -> str:
    return connection.ops.quote_name(LatestObservation._meta.db_table)


def _write_observations(rows: dict[tuple[int, datetime], float], *, received_at: datetime) -> int:
    """Inserts the rows, ignoring those already stored; returns how many were new."""
    table = _observation_table()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if len(rows) >= COPY_THRESHOLD:
                return _copy_observations(cursor, table, rows, received_at=received_at)
            ids, times, values = [], [], []
            for (datastream_id, moment), value in rows.items():
                ids.append(datastream_id)
                times.append(moment)
                values.append(value)
            cursor.execute(
                f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) "  # noqa: S608 (model table)
                "SELECT d, t, v, %s FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[]) AS u(d, t, v) "
                "ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING",
                [received_at, ids, times, values],
            )
            return cursor.rowcount
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(received_at)
    inserted = 0
    with connection.cursor() as cursor:
        params = [(datastream_id, adapt(moment), value, received) for (datastream_id, moment), value in rows.items()]
        for start in range(0, len(params), 2000):
            cursor.executemany(
                f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) VALUES (%s, %s, %s, %s) "  # noqa: S608
                "ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING",
                params[start : start + 2000],
            )
            inserted += cursor.rowcount
    return inserted


def _copy_observations(cursor, table: str, rows: dict, *, received_at: datetime) -> int:
    """PostgreSQL: binary COPY into a session temporary table, then one INSERT … ON CONFLICT DO NOTHING."""
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS sensors_observation_stage "
        "(datastream_id bigint, phenomenon_time timestamptz, value double precision)"
    )
    cursor.execute("TRUNCATE sensors_observation_stage")
    raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
    with raw.copy(
        "COPY sensors_observation_stage (datastream_id, phenomenon_time, value) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "timestamptz", "float8"])
        for (datastream_id, moment), value in rows.items():
            copy.write_row((datastream_id, moment, value))
    cursor.execute(
        f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) "  # noqa: S608 (model table)
        "SELECT datastream_id, phenomenon_time, value, %s FROM sensors_observation_stage "
        "ORDER BY datastream_id, phenomenon_time "  # index order: fewer page visits
        "ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING",
        [received_at],
    )
    inserted = cursor.rowcount
    cursor.execute("TRUNCATE sensors_observation_stage")
    return inserted


def _move_latest_forward(rows: dict[tuple[int, datetime], float], *, received_at: datetime) -> None:
    """Upserts each datastream's newest row of the batch, only where it is newer than the stored one."""
    newest: dict[int, tuple[datetime, float]] = {}
    for (datastream_id, moment), value in rows.items():
        current = newest.get(datastream_id)
        if current is None or moment > current[0]:
            newest[datastream_id] = (moment, value)
    table = _latest_table()
    update = (
        "ON CONFLICT (datastream_id) DO UPDATE SET phenomenon_time = excluded.phenomenon_time, "
        "value = excluded.value, received_at = excluded.received_at "
        f"WHERE {table}.phenomenon_time < excluded.phenomenon_time"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids = list(newest)
            cursor.execute(
                f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) "  # noqa: S608 (model table)
                "SELECT d, t, v, %s FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[]) AS u(d, t, v) " + update,
                [received_at, ids, [newest[i][0] for i in ids], [newest[i][1] for i in ids]],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        params = [
            (datastream_id, adapt(moment), value, adapt(received_at))
            for datastream_id, (moment, value) in newest.items()
        ]
        cursor.executemany(
            f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) "  # noqa: S608 (model table)
            "VALUES (%s, %s, %s, %s) " + update,
            params,
        )


# --- Ingest tokens --------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_ingest_token(*, city: City, name: str = "") -> tuple[IngestToken, str]:
    """A new token for `city`: returns the row and the clear token, which is never stored nor shown again."""
    token = "cpi_" + secrets.token_urlsafe(32)
    row = IngestToken.objects.create(city=city, name=name, token_hash=hash_token(token))
    return row, token


@transaction.atomic
def revoke_ingest_token(*, token: IngestToken) -> IngestToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
