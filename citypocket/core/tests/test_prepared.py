"""The hot reads are prepared by PostgreSQL, each city's with its own statement (core.prepared), and
nothing else is; the answers are the same as without; SQLite runs the same code unprepared."""

import re
from datetime import UTC, date, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.core.prepared import constant_literal, date_literal, int_literal, prepared, written
from citypocket.mobility import demo as mobility_demo
from citypocket.mobility.rows import _split_at_placeholders
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Datastream, Sensor
from citypocket.sensors.readings import Parsed, Reading

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def hot_reads(client, rouen, aix) -> dict[str, bytes]:
    """The hot reads of both cities, asked twice over: the bodies of the last round by path."""
    arrive = (timezone.now() + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")
    end = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    window = {"from": (end - timedelta(days=1)).isoformat(), "to": end.isoformat()}
    paths = [
        "/api/v1/cities/rouen/car-parks",
        "/api/v1/cities/aix-en-provence/car-parks",
        "/api/v1/cities/rouen/car-parks/search?" + urlencode({"lat": 49.4431, "lon": 1.0993, "arrive_at": arrive}),
        "/api/v1/cities/rouen/air/now",
        "/api/v1/cities/rouen/sensors/FR25036/observations?" + urlencode(
            {"property": "pm10", "resolution": "hour", **window}),
        "/api/v1/cities/rouen/sensors",
        "/rouen/",
    ]
    bodies = {}
    for _round in range(2):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            bodies[path] = response.content
        # A client holding the list: its 304 reads the rows' digest alone (a statement of its own).
        held = client.get(paths[0], HTTP_IF_NONE_MATCH=client.get(paths[0])["ETag"])
        assert held.status_code == 304
    return bodies


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def cities(air, aix):
    mobility_demo.load(history=False)
    return air, aix


@postgres_only
def test_the_hot_reads_are_prepared_with_the_city_written_in(client, cities):
    """After the hot reads, the connection holds their statements: one per city for the car-park list,
    the city's id written in and the request's values as parameters; the same statement for another
    point of the same search."""
    rouen, aix = cities
    hot_reads(client, rouen, aix)
    statements = prepared_statements()
    # The list reads its rows with their digest; a 304, or the list made last asked again, reads the
    # digest alone (mobility.rows): a statement of each kind per city.
    def cities_of(sqls):
        return sorted(int(re.search(r'"mobility_carpark"\."city_id" = (\d+) ', sql).group(1)) for sql in sqls)

    lists = [sql for sql in statements if sql.startswith("SELECT q.*, md5(string_agg(q::text")]
    assert cities_of(lists) == sorted([rouen.pk, aix.pk]), lists
    digests = [sql for sql in statements if sql.startswith("SELECT md5(string_agg(q::text")]
    assert cities_of(digests) == sorted([rouen.pk, aix.pk]), digests
    lists += digests
    # The query's constants are written in too: the list of a city has no parameter left.
    assert all("'available_spots'" in sql and "$1" not in sql for sql in lists), lists
    searches = [sql for sql in statements if '"mobility_freespaceprofile"' in sql]
    assert len(searches) == 1 and f'"city_id" = {rouen.pk} ' in searches[0] and "$5" in searches[0]
    assert any("FROM sensors_sensor s" in sql and f"s.city_id = {rouen.pk} " in sql for sql in statements)
    # Air now's daily indices (today's and tomorrow's) and the latest values have no parameter left: the
    # day, the scale, the kind are written in (with the days as parameters, a whole PostgreSQL test run
    # saw the indices' statement planned again at every run).
    indices = [sql for sql in statements if "FROM air_airindexdaily a" in sql]
    assert len(indices) == 1 and "$1" not in indices[0] and "'atmo-2021'" in indices[0], indices
    latest = [sql for sql in statements if "LEFT JOIN sensors_latestobservation l" in sql and "d.unit" in sql]
    assert latest and all("$1" not in sql for sql in latest), latest
    assert any("FROM sensors_observationhourly" in sql for sql in statements)
    assert any("FROM notifications_cityalert a" in sql for sql in statements)
    # (`q.*` is the list's own subquery, whose columns are named: a migration cannot change them.)
    assert not any("*" in sql.split(" FROM ")[0].replace("SELECT q.*,", "") for sql in statements), (
        "a prepared SELECT names its columns")

    before = len(prepared_statements())
    arrive = (timezone.now() + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")
    for lat in (49.44, 49.45, 49.46):
        assert client.get("/api/v1/cities/rouen/car-parks/search", {"lat": lat, "lon": 1.09, "arrive_at": arrive}
                          ).status_code == 200
    assert len(prepared_statements()) == before, "another destination, the same statement"


@postgres_only
def test_the_hot_reads_are_not_planned_again_at_every_run(client, cities):
    """Past PostgreSQL's five first runs, each statement of the hot reads keeps one plan: none is planned
    again at every run (Rouen's counting points were, while their property names were parameters)."""
    rouen, aix = cities
    assert rouen.sensors.filter(kind="traffic").exists(), "the search reads the counting points of Rouen"
    # Thousands of car-park counters in the other city, as on the bench database, with the planner's
    # statistics as autovacuum keeps them in production.
    sensors = Sensor.objects.bulk_create(
        Sensor(city=aix, external_id=f"P{n}", kind="parking", name=f"P{n}") for n in range(3000))
    Datastream.objects.bulk_create(Datastream(sensor=sensor, property="available_spots", unit="1") for sensor in sensors)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for _round in range(4):  # hot_reads asks each twice: 8 runs
        hot_reads(client, rouen, aix)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE NOT from_sql")
        plans = cursor.fetchall()
    assert plans
    planned_each_time = [(sql[:160], custom) for sql, generic, custom in plans if custom > 5]
    assert planned_each_time == []


@postgres_only
def test_no_other_query_is_prepared(client, cities):
    """The ORM's own queries, however often asked, stay unprepared (psycopg's threshold is never met)."""
    for _ in range(20):
        list(City.objects.filter(slug="rouen"))
    assert not any(sql.startswith('SELECT "cities_city"') for sql in prepared_statements())
    assert connection.connection.prepare_threshold > 10**9


@postgres_only
def test_without_prepared_reads_nothing_is_prepared_and_the_answers_are_the_same(client, cities):
    """With psycopg's preparing off (DB_PREPARED_READS=off gives a threshold of None), the same reads
    prepare nothing and answer byte for byte what the prepared ones did."""
    rouen, aix = cities
    with_prepared = hot_reads(client, rouen, aix)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()  # what psycopg forgets after a DEALLOCATE ALL of its own
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        without = hot_reads(client, rouen, aix)
        assert prepared_statements() == []
    finally:
        connection.connection.prepare_threshold = threshold
    home = "/rouen/"  # the page holds a new CSP nonce and CSRF token each time: compared without them
    fresh = re.compile(rb'(nonce|name="csrfmiddlewaretoken" value)="[^"]+"')
    assert fresh.sub(b"", without.pop(home)) == fresh.sub(b"", with_prepared.pop(home))
    assert without == with_prepared


def test_a_prepared_read_follows_new_rows_at_once(client, cities):
    """A plan kept by the connection still reads the rows of now: a new value shows in the next answer."""
    rouen, _aix = cities
    path = "/api/v1/cities/rouen/air/now"
    for _ in range(7):  # past the five runs after which PostgreSQL may keep one plan
        before = client.get(path).json()
    moment = timezone.now().replace(microsecond=0)
    ingest_observations(city=rouen, batch=Parsed.from_readings(
        [Reading(sensor="FR25036", property="pm10", time=moment, value=73.0, unit="ug/m3")]), source="test")
    after = client.get(path).json()
    assert before != after
    station = next(item for item in after["stations"] if item["code"] == "FR25036")
    assert station["values"]["pm10"]["value"] == 73.0


@postgres_only
def test_the_cursor_is_the_usual_one_outside(cities):
    """Only what runs inside `prepared()` is; the connection's cursor class is given back after."""
    connection.ensure_connection()
    usual = connection.connection.cursor_factory
    with prepared():
        assert connection.connection.cursor_factory is not usual
    assert connection.connection.cursor_factory is usual


def test_only_an_int_is_written_into_sql():
    assert int_literal(42) == "42"
    for value in ("42", 4.2, True, None):
        with pytest.raises(TypeError):
            int_literal(value)


def test_only_plain_constants_are_written_into_sql():
    """A boolean or plain text (an enumeration by its value) is written in; anything that would need
    quoting or escaping, and any other type, stays a parameter."""
    from citypocket.sensors.models import SensorKind

    assert constant_literal("vehicle_flow") == "'vehicle_flow'"
    assert constant_literal(SensorKind.TRAFFIC) == "'traffic'"
    assert constant_literal(True) == "true" and constant_literal(False) == "false"
    for value in ("it's", "50%", "a\\b", "x y", 7, 2.5, None, timezone.now()):
        assert constant_literal(value) is None, value
        with pytest.raises(ValueError):
            written(value)
    assert written("pm25") == "'pm25'"


def test_a_day_is_written_in_as_a_date_only():
    """A day read for today is written as its ISO date; a moment (a datetime is a date too) or text is not."""
    assert date_literal(date(2026, 12, 2)) == "'2026-12-02'"
    for value in (timezone.now(), "2026-12-02", "2026-12-02'; --"):
        with pytest.raises(TypeError):
            date_literal(value)


def test_the_sql_is_split_at_its_placeholders_only():
    """A literal percent sign (%%) stays in its piece, even before an s."""
    assert _split_at_placeholders("a = %s AND b LIKE '%%s' AND c = %s") == ["a = ", " AND b LIKE '%%s' AND c = ", ""]
    assert _split_at_placeholders("x") == ["x"]
