"""Bulk writes of observations and latest values, for the ingest door (`sensors.ingest`) only.

Rows arrive validated and converted, keyed by (datastream id, phenomenon time). Writing is
idempotent: the unique key on (datastream, phenomenon_time) and `ON CONFLICT DO NOTHING` make a
row already stored a no-op, so a replayed batch (an MQTT redelivery, a poller run twice) adds
nothing. On PostgreSQL, batches of COPY_THRESHOLD rows or more are loaded with binary COPY into a
session temporary table and inserted from there in one statement; smaller ones go through
`unnest` arrays. The latest value of each datastream only moves forward in time.

The caller holds the transaction: rows, latest values and dead letters commit together.
"""

from datetime import datetime

from django.db import connection

from citypocket.sensors.models import LatestObservation, Observation

# Above this many rows, PostgreSQL loads through COPY into a temporary table.
COPY_THRESHOLD = 500

Rows = dict[tuple[int, datetime], float]  # (datastream id, phenomenon time in UTC) -> value in its unit


def write_observations(rows: Rows, *, received_at: datetime) -> int:
    """Inserts the rows not stored yet and moves the latest values forward; returns how many rows were new."""
    if not rows:
        return 0
    inserted = _insert_observations(rows, received_at=received_at)
    _move_latest_forward(rows, received_at=received_at)
    return inserted


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert_observations(rows: Rows, *, received_at: datetime) -> int:
    """Inserts the rows, ignoring those already stored; returns how many were new."""
    table = _table(Observation)
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


def _copy_observations(cursor, table: str, rows: Rows, *, received_at: datetime) -> int:
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


def _move_latest_forward(rows: Rows, *, received_at: datetime) -> None:
    """Upserts each datastream's newest row of the batch, only where it is newer than the stored one."""
    newest: dict[int, tuple[datetime, float]] = {}
    for (datastream_id, moment), value in rows.items():
        current = newest.get(datastream_id)
        if current is None or moment > current[0]:
            newest[datastream_id] = (moment, value)
    table = _table(LatestObservation)
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
