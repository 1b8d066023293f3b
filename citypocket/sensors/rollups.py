"""Hourly and daily roll-ups of observations: how they are summed, rebuilt and read as series.

`ObservationHourly` holds, per datastream and UTC hour, the count, sum, minimum and maximum of its
observations; `ObservationDaily` the same per local day of the sensor's city. The ingest door keeps
them as it writes (sensors/storage.py: only rows that were new are added, so replays and late
readings keep them equal to the raw aggregates). `rebuild()` recomputes them from the raw rows
(the migration's backfill, a repair). `series()` answers the API's hourly and daily means from
them: a month of daily means reads about thirty rows whatever the size of the observation table;
only a partial first or last period (a window that does not start or end on a period boundary)
is aggregated from the raw rows of that period.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection as default_connection
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncDay, TruncHour

from citypocket.cities.models import City
from citypocket.core.prepared import prepared
from citypocket.sensors.models import Datastream, Observation, ObservationDaily, ObservationHourly
from citypocket.sensors.selectors import moment_from_db

HOUR = timedelta(hours=1)


def upsert_clause(table: str, key: str, connection=None) -> str:
    """ON CONFLICT clause that adds a bucket's count and sum to the stored ones and widens its range."""
    connection = connection or default_connection
    least, greatest = ("least", "greatest") if connection.vendor == "postgresql" else ("min", "max")
    return (
        f"ON CONFLICT (datastream_id, {key}) DO UPDATE SET count = {table}.count + excluded.count, "
        f"total = {table}.total + excluded.total, minimum = {least}({table}.minimum, excluded.minimum), "
        f"maximum = {greatest}({table}.maximum, excluded.maximum)"
    )


def summarise(rows, *, zone: ZoneInfo) -> tuple[dict, dict]:
    """Count, sum, min and max of (datastream, time, value) rows per (datastream, UTC hour) and (datastream, day)."""
    hours: dict[tuple[int, datetime], list] = defaultdict(lambda: [0, 0.0, float("inf"), float("-inf")])
    days: dict[tuple[int, date], list] = defaultdict(lambda: [0, 0.0, float("inf"), float("-inf")])
    for datastream_id, moment, value in rows:
        moment = moment.astimezone(UTC)
        for bucket in (
            hours[(datastream_id, moment.replace(minute=0, second=0, microsecond=0))],
            days[(datastream_id, moment.astimezone(zone).date())],
        ):
            bucket[0] += 1
            bucket[1] += value
            bucket[2] = min(bucket[2], value)
            bucket[3] = max(bucket[3], value)
    return hours, days


def add(rows, *, zone: ZoneInfo, connection=None) -> None:
    """Adds (datastream, time, value) rows, each one new, to the hourly and daily roll-ups (the SQLite path)."""
    connection = connection or default_connection
    hours, days = summarise(rows, zone=zone)
    quote, ops = connection.ops.quote_name, connection.ops
    with connection.cursor() as cursor:
        for model, key, buckets, adapt in (
            (ObservationHourly, "hour", hours, ops.adapt_datetimefield_value),
            (ObservationDaily, "day", days, ops.adapt_datefield_value),
        ):
            if not buckets:
                continue
            table = quote(model._meta.db_table)
            cursor.executemany(
                f"INSERT INTO {table} (datastream_id, {key}, count, total, minimum, maximum) "  # noqa: S608 (model table)
                "VALUES (%s, %s, %s, %s, %s, %s) " + upsert_clause(table, key, connection),
                [(datastream_id, adapt(moment), *sums) for (datastream_id, moment), sums in sorted(buckets.items())],
            )


def rebuild(connection=None) -> None:
    """Recomputes every roll-up from the raw observations kept (a repair; the migration's backfill).

    Roll-ups of periods whose raw rows retention has dropped are recomputed from nothing, i.e. lost:
    after a retention drop, repair with care.
    """
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sensors_observationhourly")
        cursor.execute("DELETE FROM sensors_observationdaily")
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO sensors_observationhourly (datastream_id, hour, count, total, minimum, maximum) "
                "SELECT datastream_id, date_trunc('hour', phenomenon_time, 'UTC'), count(*), sum(value), "
                "min(value), max(value) FROM sensors_observation GROUP BY 1, 2"
            )
            cursor.execute(
                "INSERT INTO sensors_observationdaily (datastream_id, day, count, total, minimum, maximum) "
                "SELECT o.datastream_id, (o.phenomenon_time AT TIME ZONE c.timezone)::date, count(*), sum(o.value), "
                "min(o.value), max(o.value) FROM sensors_observation o "
                "JOIN sensors_datastream d ON d.id = o.datastream_id JOIN sensors_sensor s ON s.id = d.sensor_id "
                "JOIN cities_city c ON c.id = s.city_id GROUP BY 1, 2"
            )
            return
        cursor.execute(
            "SELECT d.id, c.timezone FROM sensors_datastream d JOIN sensors_sensor s ON s.id = d.sensor_id "
            "JOIN cities_city c ON c.id = s.city_id"
        )
        zones: dict[str, list[int]] = defaultdict(list)
        for datastream_id, zone in cursor.fetchall():
            zones[zone].append(datastream_id)
    parse = connection.ops.convert_datetimefield_value
    for zone, ids in zones.items():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datastream_id, phenomenon_time, value FROM sensors_observation "  # noqa: S608 (placeholders only)
                f"WHERE datastream_id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
            rows = [(d, _as_datetime(parse, t, connection), v) for d, t, v in cursor.fetchall()]
        add(rows, zone=ZoneInfo(zone), connection=connection)


def _as_datetime(parse, value, connection) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = parse(value, None, connection)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- Reads: series of hourly and daily means.


def series(*, datastream: Datastream, city: City, resolution: str, start: datetime, end: datetime) -> list[dict]:
    """avg/min/max/count per hour or local day over [start, end), oldest first, from the roll-ups.

    Hours are UTC hours, which are the city's hours where its offset is a whole number of hours
    (elsewhere, e.g. +05:30, the hours are aggregated from the raw rows in the city's time).
    """
    if resolution == "hour":
        if not (_whole_hours(city.zone, start) and _whole_hours(city.zone, end)):
            return _raw(datastream, start, end, TruncHour, city.zone)
        first = _ceil_hour(start)
        last = end.replace(minute=0, second=0, microsecond=0)
        if first >= last:
            return _raw(datastream, start, end, TruncHour, UTC)
        middle = [_item(moment_from_db(hour), *sums)
                  for hour, *sums in _summaries(ObservationHourly, datastream, first, last)]
        return _raw(datastream, start, first, TruncHour, UTC) + middle + _raw(datastream, last, end, TruncHour, UTC)
    first_day = city.local_today(start)
    if city.day_bounds(first_day)[0] < start:
        first_day += timedelta(days=1)
    last_day = city.local_today(end)
    first, last = city.day_bounds(first_day)[0], city.day_bounds(last_day)[0]
    if first >= last:
        return _raw(datastream, start, end, TruncDay, city.zone)
    middle = [_item(city.day_bounds(_day(day))[0], *sums)
              for day, *sums in _summaries(ObservationDaily, datastream, first_day, last_day)]
    return (
        _raw(datastream, start, first, TruncDay, city.zone) + middle + _raw(datastream, last, end, TruncDay, city.zone)
    )


def _summaries(model, datastream: Datastream, first, last) -> list[tuple]:
    """(period, count, sum, minimum, maximum) of the roll-ups of [first, last), oldest first: plain SQL
    (a hot read: nothing to compile, no object per row)."""
    key = "hour" if model is ObservationHourly else "day"
    ops = default_connection.ops
    adapt = ops.adapt_datetimefield_value if key == "hour" else ops.adapt_datefield_value
    with prepared(), default_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, count, total, minimum, maximum FROM {model._meta.db_table} "  # noqa: S608 (model table)
            f"WHERE datastream_id = %s AND {key} >= %s AND {key} < %s ORDER BY {key}",
            [datastream.pk, adapt(first), adapt(last)],
        )
        return cursor.fetchall()


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _item(moment: datetime, count: int, total: float, minimum: float, maximum: float) -> dict:
    return {"time": moment.astimezone(UTC), "avg": total / count, "min": minimum, "max": maximum, "count": count}


def _whole_hours(zone: ZoneInfo, moment: datetime) -> bool:
    return moment.astimezone(zone).utcoffset() % HOUR == timedelta(0)


def _ceil_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def _raw(datastream: Datastream, start: datetime, end: datetime, trunc, zone) -> list[dict]:
    """Aggregates of the raw rows of [start, end) per period (a partial first or last period)."""
    if start >= end:
        return []
    buckets = (
        Observation.objects.filter(datastream=datastream, phenomenon_time__gte=start, phenomenon_time__lt=end)
        .annotate(bucket=trunc("phenomenon_time", tzinfo=zone))
        .values("bucket")
        .annotate(avg=Avg("value"), min=Min("value"), max=Max("value"), count=Count("value"))
        .order_by("bucket")
    )
    return [
        {
            "time": row["bucket"].astimezone(UTC),
            "avg": row["avg"],
            "min": row["min"],
            "max": row["max"],
            "count": row["count"],
        }
        for row in buckets
    ]
