"""Bulk writes of observations, their roll-ups and latest values, for the ingest door (`sensors.ingest`) only.

Rows arrive validated and converted, keyed by (datastream id, phenomenon time). Writing is
idempotent: the unique key on (datastream, phenomenon_time) and `ON CONFLICT DO NOTHING` make a
row already stored a no-op, so a replayed batch (an MQTT redelivery, a poller run twice) adds
nothing. On PostgreSQL, batches of COPY_THRESHOLD rows or more are loaded with binary COPY into a
session temporary table and inserted from there in one statement; smaller ones go through
`unnest` arrays. The latest value of each datastream only moves forward in time.

The hourly and daily roll-ups (`ObservationHourly`, `ObservationDaily`) grow by exactly the rows
that were new: on PostgreSQL the INSERT's `RETURNING` feeds two more INSERT … ON CONFLICT DO
UPDATE in the same statement (count and sum added, minimum and maximum widened), on SQLite the
returned rows are summed in Python. So a replay changes nothing, a late reading lands in its own
hour and day, and two ingest replicas writing the same hour add up (the update reads the row as
committed, under its row lock). Days are the city's (`zone`), hours are UTC hours.

The caller holds the transaction: rows, roll-ups, latest values and dead letters commit together.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from citypocket.sensors import rollups
from citypocket.sensors.models import LatestObservation, Observation, ObservationDaily, ObservationHourly

# Above this many rows, PostgreSQL loads through COPY into a temporary table.
COPY_THRESHOLD = 500
SQLITE_CHUNK = 500  # rows per multi-row INSERT … RETURNING on SQLite (4 parameters each)

Rows = dict[tuple[int, datetime], float]  # (datastream id, phenomenon time in UTC) -> value in its unit


def write_observations(rows: Rows, *, received_at: datetime, zone: str = "UTC") -> int:
    """Inserts the rows not stored yet, adds them to the roll-ups and moves the latest values forward.

    Returns how many rows were new. `zone` is the city's time zone (its days for the daily roll-up).
    """
    if not rows:
        return 0
    inserted = _insert_observations(rows, received_at=received_at, zone=zone)
    _move_latest_forward(rows, received_at=received_at)
    return inserted


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pg_insert_with_rollups(source: str) -> str:
    """One statement: insert `source`'s rows, add the new ones to the roll-ups, yield how many were new.

    `source` selects (datastream id, phenomenon time, value). Parameters: the received time, the
    source's own, then the city's time zone.
    """
    table, hourly, daily = _table(Observation), _table(ObservationHourly), _table(ObservationDaily)
    sums = "count(*), sum(value), min(value), max(value) FROM new GROUP BY 1, 2 ORDER BY 1, 2"
    # ORDER BY 1, 2: every writer locks the roll-up rows in one order, so that replicas never deadlock.
    return f"""WITH new AS (
        INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at)
        SELECT d, t, v, %s FROM ({source}) AS s(d, t, v) ORDER BY d, t
        ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING
        RETURNING datastream_id, phenomenon_time, value
    ), hourly AS (
        INSERT INTO {hourly} (datastream_id, hour, count, total, minimum, maximum)
        SELECT datastream_id, date_trunc('hour', phenomenon_time, 'UTC'), {sums}
        {rollups.upsert_clause(hourly, "hour")}
    ), daily AS (
        INSERT INTO {daily} (datastream_id, day, count, total, minimum, maximum)
        SELECT datastream_id, (phenomenon_time AT TIME ZONE %s)::date, {sums}
        {rollups.upsert_clause(daily, "day")}
    ) SELECT count(*) FROM new"""  # noqa: S608 (model tables and constant clauses)


def _insert_observations(rows: Rows, *, received_at: datetime, zone: str) -> int:
    """Inserts the rows, ignoring those already stored, and adds the new ones to the roll-ups; returns how many."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if len(rows) >= COPY_THRESHOLD:
                _copy_to_stage(cursor, rows)
                source, params = "SELECT datastream_id, phenomenon_time, value FROM sensors_observation_stage", []
            else:
                ids, times, values = [], [], []
                for (datastream_id, moment), value in rows.items():
                    ids.append(datastream_id)
                    times.append(moment)
                    values.append(value)
                source = "SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[])"
                params = [ids, times, values]
            cursor.execute(_pg_insert_with_rollups(source), [received_at, *params, zone])
            (inserted,) = cursor.fetchone()
            if len(rows) >= COPY_THRESHOLD:
                cursor.execute("TRUNCATE sensors_observation_stage")
            return inserted
    return _sqlite_insert(rows, received_at=received_at, zone=zone)


def _sqlite_insert(rows: Rows, *, received_at: datetime, zone: str) -> int:
    """SQLite: multi-row INSERT … RETURNING gives the new rows, summed here into the roll-ups."""
    table = _table(Observation)
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(received_at)
    # SQLite hands the returned times back as naive UTC datetimes (or their text): matched to the keys.
    by_naive = {(datastream_id, moment.replace(tzinfo=None)): (datastream_id, moment) for datastream_id, moment in rows}
    items = list(rows.items())
    new: list[tuple[int, datetime, float]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), SQLITE_CHUNK):
            chunk = items[start : start + SQLITE_CHUNK]
            params = []
            for (datastream_id, moment), value in chunk:
                params += [datastream_id, adapt(moment), value, received]
            cursor.execute(
                f"INSERT INTO {table} (datastream_id, phenomenon_time, value, received_at) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING RETURNING datastream_id, phenomenon_time",
                params,
            )
            for datastream_id, returned in cursor.fetchall():
                if isinstance(returned, str):
                    returned = datetime.fromisoformat(returned)
                key = by_naive[(datastream_id, returned.replace(tzinfo=None))]
                new.append((*key, rows[key]))
    rollups.add(new, zone=ZoneInfo(zone))
    return len(new)


def _copy_to_stage(cursor, rows: Rows) -> None:
    """PostgreSQL: binary COPY of the rows into a session temporary table."""
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
