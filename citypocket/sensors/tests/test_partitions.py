"""Observations at scale: roll-ups kept by the ingest, series read from them, partitions and retention.

The roll-up tests run on both databases; the partition tests need PostgreSQL (on SQLite the table
is a plain one and retention is a DELETE, tested here too).
"""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citypocket.sensors import partitions, rollups
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Datastream, Observation, ObservationDaily, ObservationHourly
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.schedule import maintain_observation_partitions
from citypocket.sensors.tests.factories import air_sensor

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions are PostgreSQL's")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def ingest(city, readings) -> int:
    return ingest_observations(city=city, batch=Parsed.from_readings(readings), source="t").accepted


def no2(moment: datetime, value: float, sensor: str = "FR25036") -> Reading:
    return Reading(sensor, "no2", moment, value, "ug/m3")


def raw_aggregates() -> tuple[dict, dict]:
    """Hourly (UTC) and daily (Paris) count/sum/min/max computed here from every raw row."""
    hours, days = defaultdict(list), defaultdict(list)
    for stream, moment, value in Observation.objects.values_list("datastream_id", "phenomenon_time", "value"):
        hours[(stream, moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0))].append(value)
        days[(stream, moment.astimezone(PARIS).date())].append(value)

    def summed(groups):
        return {key: (len(v), pytest.approx(sum(v)), min(v), max(v)) for key, v in groups.items()}

    return summed(hours), summed(days)


def stored_rollups() -> tuple[dict, dict]:
    fields = ("count", "total", "minimum", "maximum")
    hours = {
        (row[0], row[1]): row[2:] for row in ObservationHourly.objects.values_list("datastream_id", "hour", *fields)
    }
    days = {(row[0], row[1]): row[2:] for row in ObservationDaily.objects.values_list("datastream_id", "day", *fields)}
    return hours, days


def test_rollups_equal_raw_aggregates_after_replays_and_late_data(rouen):
    """Small and large (COPY) batches, a replay, late readings: the roll-ups equal the raw aggregates."""
    air_sensor(rouen)
    air_sensor(rouen, external_id="FR25037", name="Rouen Sud")
    rng = random.Random(18)
    start = NOW - timedelta(days=3)
    first = [
        no2(start + timedelta(minutes=m), rng.uniform(0, 200), sensor)
        for m in range(0, 3 * 24 * 60, 7)
        for sensor in ("FR25036", "FR25037")
    ]
    assert len(first) >= 500  # storage.COPY_THRESHOLD: the COPY path on PostgreSQL
    assert ingest(rouen, first) == len(first)
    assert ingest(rouen, first[:300]) == 0  # a replay adds nothing, to rows or roll-ups
    late = [no2(start + timedelta(minutes=m, seconds=15), rng.uniform(0, 200)) for m in range(3, 600, 11)]
    assert ingest(rouen, late) == len(late)  # late readings land in hours and days already summed
    mixed = [no2(start + timedelta(minutes=m, seconds=30), -1.0 if m % 2 else 500.0) for m in range(1, 200, 13)]
    mixed += late[:5]
    assert ingest(rouen, mixed) == len(mixed) - 5 - 8  # the 5 replayed and the negative ones refused
    expected_hours, expected_days = raw_aggregates()
    hours, days = stored_rollups()
    assert hours == expected_hours
    assert days == expected_days
    assert ObservationHourly.objects.count() > 72 and ObservationDaily.objects.count() >= 4


def test_rebuild_gives_what_the_ingest_kept(rouen):
    air_sensor(rouen)
    ingest(rouen, [no2(NOW - timedelta(minutes=17 * i), float(i)) for i in range(200)])
    kept = stored_rollups()
    ObservationHourly.objects.update(total=0)
    rollups.rebuild()
    assert stored_rollups() == kept


def series(params: dict) -> list[dict]:
    response = Client().get("/api/v1/cities/rouen/sensors/FR25036/observations", params)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_series_read_the_rollups_and_match_the_raw_aggregates(rouen):
    """Whole periods come from the roll-ups, a partial first or last period from the raw rows: the same answer."""
    air_sensor(rouen)
    rng = random.Random(5)
    start = NOW - timedelta(days=40)
    ingest(rouen, [no2(start + timedelta(minutes=m), round(rng.uniform(0, 100), 1)) for m in range(0, 40 * 1440, 37)])
    stream = Datastream.objects.get(sensor__external_id="FR25036", property="no2")
    windows = [
        (NOW - timedelta(days=1), NOW),  # a day of hours, aligned
        (NOW - timedelta(days=1, minutes=25), NOW - timedelta(minutes=10)),  # partial first and last hours
    ]
    for begin, end in windows:
        expected = rollups._raw(stream, begin, end, rollups.TruncHour, UTC)
        got = series({"property": "no2", "resolution": "hour", "from": begin.isoformat(), "to": end.isoformat()})
        assert [(i["time"], i["count"], i["min"], i["max"]) for i in got] == [
            (e["time"].isoformat().replace("+00:00", "Z"), e["count"], e["min"], e["max"]) for e in expected
        ]
        assert [i["avg"] for i in got] == pytest.approx([e["avg"] for e in expected])
    month_start, _ = rouen.day_bounds(rouen.local_today(NOW) - timedelta(days=30))
    for begin, end in [(month_start, NOW), (month_start + timedelta(hours=5), NOW - timedelta(days=2))]:
        expected = rollups._raw(stream, begin, end, rollups.TruncDay, rouen.zone)
        got = series({"property": "no2", "resolution": "day", "from": begin.isoformat(), "to": end.isoformat()})
        assert [(i["count"], i["min"], i["max"]) for i in got] == [(e["count"], e["min"], e["max"]) for e in expected]
        assert [i["avg"] for i in got] == pytest.approx([e["avg"] for e in expected])
    # And they do read the roll-ups: a changed roll-up row shows in the series.
    ObservationDaily.objects.filter(datastream=stream, day=rouen.local_today(month_start) + timedelta(days=1)).update(
        minimum=-7
    )
    got = series({"property": "no2", "resolution": "day", "from": month_start.isoformat(), "to": NOW.isoformat()})
    assert got[1]["min"] == -7


def test_an_aligned_series_never_reads_raw_observations(rouen):
    air_sensor(rouen)
    ingest(rouen, [no2(NOW - timedelta(minutes=10 * i), float(i)) for i in range(300)])
    month_start, _ = rouen.day_bounds(rouen.local_today(NOW) - timedelta(days=30))
    today, _ = rouen.day_bounds(rouen.local_today(NOW))
    for resolution, begin, end in (("hour", NOW - timedelta(days=1), NOW), ("day", month_start, today)):
        with CaptureQueriesContext(connection) as queries:
            items = series(
                {"property": "no2", "resolution": resolution, "from": begin.isoformat(), "to": end.isoformat()}
            )
        assert items
        assert not [
            q["sql"] for q in queries if 'sensors_observation"' in q["sql"] or "sensors_observation " in q["sql"]
        ]


def test_retention_on_a_plain_table_deletes_old_rows_and_keeps_rollups(rouen, settings):
    """SQLite (and a PostgreSQL table not partitioned): retention is a DELETE of the rows before the cutoff."""
    if partitions.is_partitioned():
        pytest.skip("the partitioned table is tested below")
    air_sensor(rouen)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    ingest(rouen, [no2(datetime(2026, month, 15, tzinfo=UTC), float(month)) for month in (7, 8, 9, 10, 11)])
    settings.OBSERVATION_RETENTION_MONTHS = 2
    done = partitions.maintain(now=now)
    assert done["deleted"] == 2
    assert sorted(m.month for m in Observation.objects.dates("phenomenon_time", "month")) == [9, 10, 11]
    assert ObservationDaily.objects.count() == 5  # series of old months still answer


def test_the_worker_runs_the_maintenance_every_night():
    assert maintain_observation_partitions.name.endswith("maintain_observation_partitions")
    assert isinstance(maintain_observation_partitions.call(), dict)


# --- PostgreSQL: the partitioned table.


def plan(queryset) -> str:
    return queryset.explain()


@postgres_only
def test_the_table_is_partitioned_by_month_with_partitions_ahead():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] WHERE c.relname = %s",
            [partitions.TABLE],
        )
        assert cursor.fetchall() == [("r", "phenomenon_time")]
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [partitions.TABLE])
        (count,) = cursor.fetchone()
    partitions.maintain()
    months = partitions.list_partitions()
    current = partitions.month_of(datetime.now(UTC))
    assert [partitions.add_months(current, n) for n in range(partitions.AHEAD + 1)] == [
        m for m in months if m >= current
    ]
    assert count >= partitions.AHEAD + 2  # and the default partition


@postgres_only
def test_rows_of_a_month_without_partition_wait_in_the_default_and_move_to_their_own(rouen):
    air_sensor(rouen)
    old = datetime(2024, 3, 10, 8, tzinfo=UTC)
    assert ingest(rouen, [no2(old, 12.0), no2(old + timedelta(days=1), 14.0)]) == 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT_PARTITION}")
        assert cursor.fetchone() == (2,)
        done = partitions.maintain()
        assert "sensors_observation_p2024_03" in done["created"]
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT_PARTITION}")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM sensors_observation_p2024_03")
        assert cursor.fetchone() == (2,)
    assert ingest(rouen, [no2(old, 99.0)]) == 0  # the unique key still holds across the move


@postgres_only
def test_retention_drops_whole_old_partitions_and_keeps_rollups(rouen):
    air_sensor(rouen)
    now = datetime.now(UTC)
    current = partitions.month_of(now)
    months = [partitions.add_months(current, -n) for n in range(5, -1, -1)]
    # The first instant of each month: never in the future, even on the first day of the current month.
    ingest(rouen, [no2(datetime(m.year, m.month, 1, tzinfo=UTC), float(i)) for i, m in enumerate(months)])
    partitions.maintain(retention_months=0)
    assert set(months) <= set(partitions.list_partitions())
    done = partitions.maintain(retention_months=2)
    gone = months[:3]
    assert done["dropped"] == [partitions.partition_name(m) for m in gone]
    assert min(partitions.list_partitions()) == partitions.add_months(current, -2)
    assert (
        sorted({partitions.month_of(t) for t in Observation.objects.values_list("phenomenon_time", flat=True)})
        == (months[3:])
    )
    assert ObservationDaily.objects.count() == 6


@postgres_only
def test_a_series_plan_touches_only_the_partitions_of_its_window(rouen):
    air_sensor(rouen)
    current = partitions.month_of(datetime.now(UTC))
    previous = partitions.add_months(current, -1)
    ingest(rouen, [no2(datetime(previous.year, previous.month, 3, tzinfo=UTC), 1.0), no2(NOW, 2.0)])
    partitions.maintain()
    start = datetime(current.year, current.month, 1, tzinfo=UTC)
    raw = Observation.objects.filter(datastream__sensor__external_id="FR25036").filter(
        phenomenon_time__gte=start, phenomenon_time__lt=start + timedelta(days=1)
    )
    text = plan(raw)
    assert partitions.partition_name(current) in text
    others = [partitions.partition_name(m) for m in partitions.list_partitions() if m != current]
    assert not [name for name in [*others, partitions.DEFAULT_PARTITION] if name in text]
    stream = Datastream.objects.get(sensor__external_id="FR25036", property="no2")
    rolled = ObservationDaily.objects.filter(datastream=stream, day__gte=start.date())
    assert "sensors_observation_p" not in plan(rolled) and "sensors_observationdaily" in plan(rolled)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_a_populated_table_keeping_rows_and_ids(rouen):
    """From 0004 (a plain table with rows) to 0005: partitioned, same rows and ids, roll-ups filled."""
    air_sensor(rouen)
    ingest(rouen, [no2(datetime(2025, m, 5, 10, tzinfo=UTC), float(m)) for m in range(1, 13)])
    ingest(rouen, [no2(NOW - timedelta(minutes=m), float(m)) for m in range(0, 120, 5)])
    before = sorted(Observation.objects.values_list("id", "datastream_id", "phenomenon_time", "value", "received_at"))
    executor = MigrationExecutor(connection)
    executor.migrate([("sensors", "0004_observation_rollups")])
    assert not partitions.is_partitioned()
    ObservationHourly.objects.all().delete()
    ObservationDaily.objects.all().delete()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert partitions.is_partitioned()
    after = sorted(Observation.objects.values_list("id", "datastream_id", "phenomenon_time", "value", "received_at"))
    assert after == before
    assert partitions.month_of(datetime(2025, 1, 5, tzinfo=UTC)) in partitions.list_partitions()
    assert stored_rollups() == raw_aggregates()
    assert ingest(rouen, [no2(NOW + timedelta(minutes=1), 5.0)]) == 1
    assert Observation.objects.order_by("-id").values_list("id", flat=True).first() > max(row[0] for row in before)
