"""Monthly partitions of the observation table on PostgreSQL, and the retention of raw observations.

On PostgreSQL `sensors_observation` is partitioned by RANGE of `phenomenon_time`, one partition
per UTC month (`sensors_observation_p2026_11`), plus a DEFAULT partition that catches a reading
outside every partition (a backfill of old data, or months ahead the worker has not created yet),
so that the ingest never fails for want of a partition. Why monthly and what each partition holds
is in docs/sensors.md.

`maintain()` (the worker, daily, `schedule.maintain_observation_partitions`) creates the partitions
of the current month and the next `AHEAD` months, gives a partition to every month that has rows
waiting in the default one (moving them there), and, with OBSERVATION_RETENTION_MONTHS, detaches
and drops the partitions older than the retention: a whole month goes in one catalog operation
instead of a DELETE of millions of rows. The roll-ups (`ObservationHourly`, `ObservationDaily`)
are kept: series over old periods still read them.

Every partition carries the parent's indexes: the primary key (datastream_id, phenomenon_time),
which is also the idempotence key of the ingest (`ON CONFLICT`), a plain btree on `id` (the
published identifier of a measurement, for keyset paging of the open-data exports), and a BRIN on
`phenomenon_time` (a few pages for a whole partition: time-window scans across datastreams).

On SQLite the table is a plain one and `maintain()` applies the retention with a DELETE.
`partition_table()` is the migration that converts an existing populated table (0005).
"""

import re
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

TABLE = "sensors_observation"
DEFAULT_PARTITION = f"{TABLE}_default"
AHEAD = 3  # empty monthly partitions kept ahead of the current month
LOCK_TIMEOUT = "5s"  # DDL waits at most this long for the ingest's locks; the next run tries again
_NAME = re.compile(rf"^{TABLE}_p(\d{{4}})_(\d{{2}})$")


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = add_months(month, 1)
    return start, datetime(end.year, end.month, 1, tzinfo=UTC)


def is_partitioned(connection=None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [TABLE],
        )
        return cursor.fetchone() is not None


def list_partitions(connection=None) -> list[date]:
    """The months that have a partition, oldest first (the default partition is not listed)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        if found := _NAME.match(name):
            months.append(date(int(found[1]), int(found[2]), 1))
    return sorted(months)


def _waiting_months(cursor) -> list[date]:
    """The months of the rows that wait in the default partition."""
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', phenomenon_time, 'UTC') FROM {DEFAULT_PARTITION}"  # noqa: S608 (constant)
    )
    return sorted(month_of(row[0].astimezone(UTC)) for row in cursor.fetchall())


def create_partition(cursor, month: date) -> None:
    """Creates the partition of `month`, moving into it the rows of that month held by the default partition."""
    name = partition_name(month)
    start, end = month_bounds(month)
    bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} "  # noqa: S608 (constant)
        "WHERE phenomenon_time >= %s AND phenomenon_time < %s)",
        [start, end],
    )
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
        return
    # PostgreSQL refuses a partition whose range the default partition holds rows of: they move first.
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608 (constant names)
        "WHERE phenomenon_time >= %s AND phenomenon_time < %s RETURNING *) "
        f"INSERT INTO {name} SELECT * FROM moved",
        [start, end],
    )
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")


def create_missing(months, connection=None) -> list[str]:
    """Creates the partitions of `months` that do not exist yet (a bulk load makes its months first); their names."""
    connection = connection or default_connection
    have = set(list_partitions(connection))
    created = []
    with connection.cursor() as cursor:
        for month in sorted(set(months) - have):
            create_partition(cursor, month)
            created.append(partition_name(month))
    return created


def retention_cutoff(now: datetime, months: int) -> date | None:
    """The first month kept: raw rows before it go (None: keep everything)."""
    return add_months(month_of(now.astimezone(UTC)), -months) if months else None


def maintain(*, now: datetime | None = None, retention_months: int | None = None, connection=None) -> dict:
    """Partitions ahead, partitions for waiting rows, retention; returns what it did."""
    connection = connection or default_connection
    now = now or timezone.now()
    months = settings.OBSERVATION_RETENTION_MONTHS if retention_months is None else retention_months
    cutoff = retention_cutoff(now, months)
    if not is_partitioned(connection):
        deleted = 0
        if cutoff:
            start, _end = month_bounds(cutoff)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE phenomenon_time < %s", [start])  # noqa: S608 (constant)
                deleted = cursor.rowcount
        return {"created": [], "dropped": [], "deleted": deleted}
    dropped = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        have = set(list_partitions(connection))
        current = month_of(now.astimezone(UTC))
        wanted = {add_months(current, step) for step in range(AHEAD + 1)} | set(_waiting_months(cursor))
        created = create_missing([month for month in wanted if cutoff is None or month >= cutoff], connection)
        deleted = 0
        if cutoff:
            for month in sorted(have):
                if month < cutoff:
                    name = partition_name(month)
                    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
                    cursor.execute(f"DROP TABLE {name}")
                    dropped.append(name)
            start, _end = month_bounds(cutoff)
            cursor.execute(
                f"DELETE FROM {DEFAULT_PARTITION} WHERE phenomenon_time < %s",  # noqa: S608 (constant)
                [start],
            )
            deleted = cursor.rowcount
    return {"created": created, "dropped": dropped, "deleted": deleted}


# --- The migration of an existing table (sensors 0005), PostgreSQL only.

_COLUMNS = "id, datastream_id, phenomenon_time, value, received_at"


def _drop_constraints(cursor, table: str) -> None:
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')", [table]
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def _restart_ids(cursor) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) "  # noqa: S608
        f"FROM {TABLE}"
    )


def partition_table(connection) -> None:
    """Turns the plain observation table into the partitioned one, keeping every row and its id.

    The old table is renamed and emptied into the new one (rows routed to their month's
    partition): a full copy, at COPY-like speed (docs/sensors.md gives the time per million rows).
    The unique (datastream, phenomenon_time) becomes the primary key (a unique key of a
    partitioned table must hold the partition key; the old `id` primary key cannot) under the
    constraint's old name; the foreign key to the datastream is kept; nothing references
    observations by foreign key.
    """
    if connection.vendor != "postgresql" or is_partitioned(connection):
        return
    old = f"{TABLE}_unpartitioned"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
        _drop_constraints(cursor, old)  # their names (and index names) go to the new table
        cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(
            f"CREATE TABLE {TABLE} ("
            "id bigint GENERATED BY DEFAULT AS IDENTITY, "
            "datastream_id bigint NOT NULL, "
            "phenomenon_time timestamp with time zone NOT NULL, "
            "value double precision NOT NULL, "
            "received_at timestamp with time zone NOT NULL, "
            "CONSTRAINT observation_unique_time PRIMARY KEY (datastream_id, phenomenon_time), "
            f"CONSTRAINT {TABLE}_datastream_id_fk FOREIGN KEY (datastream_id) "
            "REFERENCES sensors_datastream (id) DEFERRABLE INITIALLY DEFERRED"
            ") PARTITION BY RANGE (phenomenon_time)"
        )
        cursor.execute(f"CREATE INDEX {TABLE}_id ON {TABLE} (id)")
        cursor.execute(f"CREATE INDEX {TABLE}_time_brin ON {TABLE} USING brin (phenomenon_time)")
        cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT DISTINCT date_trunc('month', phenomenon_time, 'UTC') FROM {old}")  # noqa: S608
        months = {month_of(row[0].astimezone(UTC)) for row in cursor.fetchall()}
        current = month_of(timezone.now().astimezone(UTC))
        months |= {add_months(current, step) for step in range(AHEAD + 1)}
        for month in sorted(months):
            create_partition(cursor, month)
        cursor.execute(
            f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {old} "  # noqa: S608 (constant names)
            "ORDER BY phenomenon_time, datastream_id"
        )
        _restart_ids(cursor)
        cursor.execute(f"DROP TABLE {old}")
        cursor.execute(f"ANALYZE {TABLE}")


def unpartition_table(connection) -> None:
    """The reverse of `partition_table`: one plain table again, as Django's migrations 0001 to 0003 made it."""
    if not is_partitioned(connection):
        return
    old = f"{TABLE}_partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
        _drop_constraints(cursor, old)
        cursor.execute(f"DROP INDEX {TABLE}_id, {TABLE}_time_brin")
        cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(
            f"CREATE TABLE {TABLE} ("
            "id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "datastream_id bigint NOT NULL, "
            "phenomenon_time timestamp with time zone NOT NULL, "
            "value double precision NOT NULL, "
            "received_at timestamp with time zone NOT NULL, "
            "CONSTRAINT observation_unique_time UNIQUE (datastream_id, phenomenon_time), "
            f"CONSTRAINT {TABLE}_datastream_id_fk FOREIGN KEY (datastream_id) "
            "REFERENCES sensors_datastream (id) DEFERRABLE INITIALLY DEFERRED)"
        )
        cursor.execute(f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {old}")  # noqa: S608
        _restart_ids(cursor)
        cursor.execute(f"DROP TABLE {old}")
