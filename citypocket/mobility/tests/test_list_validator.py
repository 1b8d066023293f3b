"""The car-park list's ETag on PostgreSQL: known before the body, checked from the rows' digest alone,
and good only as long as no status can change with time (a reading turning stale, opening hours)."""

import json
import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from citypocket.core.http import held_lasting_etags, lasting_etag, render_json
from citypocket.mobility import api, selectors, status
from citypocket.mobility.models import CarPark
from citypocket.mobility.tests.conftest import push

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows' digest is PostgreSQL's")
LIST = "/api/v1/cities/rouen/car-parks"
LASTING = re.compile(r'"[0-9a-f]{32}\.(\d+)"\Z')


def held(etag: str, language: str = "fr"):
    return RequestFactory().get(LIST, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE=language)


def read(place, *, now: datetime, etag: str = "", language: str = "fr"):
    """The list's Read at `now` for a client holding `etag`, and the queries it took."""
    request = held(etag, language) if etag else RequestFactory().get(LIST)
    with translation.override(language), CaptureQueriesContext(connection) as queries:
        answer = api.car_park_list(request, place, now=now)
        body = answer.body() if answer.etag != etag else None  # a held ETag: the body is never made
    return answer, body, [query["sql"] for query in queries.captured_queries]


def car_park_queries(captured) -> list[str]:
    """The queries of the list itself (the city's may come first: cities.selectors.get_city)."""
    return [query["sql"] for query in captured.captured_queries if "mobility_carpark" in query["sql"]]


def digest_only(sql: str) -> bool:
    """The query sends the rows' digest, no row (prepared statements are logged as QUERY = '…')."""
    return "SELECT md5(string_agg(q::text" in sql and "OVER ()" not in sql


def through_of(etag: str) -> datetime:
    micros = int(LASTING.match(etag).group(1))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


@postgres_only
@pytest.mark.django_db
def test_a_client_holding_the_list_gets_its_304_from_the_digest_alone(client, demo_parks):
    """The 304 takes one query that sends no row (the digest), the 200 one query too (rows and digest)."""
    push(demo_parks["rouen"], "ROUEN-P-HOTEL-DE-VILLE", 120)
    with CaptureQueriesContext(connection) as first:
        response = client.get(LIST)
    assert response.status_code == 200 and LASTING.match(response["ETag"]), response.get("ETag")
    (made,) = car_park_queries(first)
    assert "OVER ()" in made
    with CaptureQueriesContext(connection) as again:
        unchanged = client.get(LIST, HTTP_IF_NONE_MATCH=response["ETag"])
    assert unchanged.status_code == 304 and unchanged["ETag"] == response["ETag"]
    (checked,) = car_park_queries(again)
    assert digest_only(checked)
    # Weak comparison (RFC 9110 13.1.2): W/ before the same tag is the same validator.
    assert client.get(LIST, HTTP_IF_NONE_MATCH=f'"other", W/{response["ETag"]}').status_code == 304


@postgres_only
@pytest.mark.django_db
def test_the_digest_is_the_rows_read_in_their_order(demo_parks):
    """`digest` gives what `rows_and_digest` gives, and the rows come in the list's order (by name)."""
    rouen = demo_parks["rouen"]
    items, digest = selectors.list_car_parks_digested(city=rouen, now=datetime.now(UTC))
    assert re.fullmatch(r"[0-9a-f]{32}", digest) and digest == selectors.car_park_list_digest(city=rouen)
    names = [item.car_park.name for item in items]
    assert names == [item.car_park.name for item in selectors.list_car_parks_rows(city=rouen, now=datetime.now(UTC))]
    assert names == list(CarPark.objects.filter(city=rouen, is_active=True).order_by("name")
                         .values_list("name", flat=True))
    CarPark.objects.filter(city=rouen).update(is_active=False)
    assert selectors.list_car_parks_digested(city=rouen, now=datetime.now(UTC)) == ([], "")
    assert selectors.car_park_list_digest(city=rouen) == ""


@postgres_only
@pytest.mark.django_db
def test_a_new_reading_or_a_staff_edit_ends_the_304(client, demo_parks):
    """Whatever changes a row read (a reading, a car park's name) gives a new ETag and the new answer."""
    rouen = demo_parks["rouen"]
    push(rouen, "ROUEN-P-HOTEL-DE-VILLE", 120)
    etag = client.get(LIST)["ETag"]
    push(rouen, "ROUEN-P-HOTEL-DE-VILLE", 119, at=datetime.now(UTC) + timedelta(seconds=1))
    after_reading = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert after_reading.status_code == 200 and after_reading["ETag"] != etag
    hdv = next(f for f in json.loads(after_reading.content)["features"] if f["properties"]["sensor"] == "ROUEN-P-HOTEL-DE-VILLE")
    assert hdv["properties"]["available"] == 119
    etag = after_reading["ETag"]
    CarPark.objects.filter(sensor__external_id="ROUEN-P-HOTEL-DE-VILLE").update(name="Hôtel de Ville (travaux)")
    after_edit = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert after_edit.status_code == 200 and after_edit["ETag"] != etag
    names = {f["properties"]["name"] for f in json.loads(after_edit.content)["features"]}
    assert "Hôtel de Ville (travaux)" in names


@postgres_only
@pytest.mark.django_db
def test_the_list_etag_lasts_until_a_reading_turns_stale(demo_parks, settings):
    """A fresh reading makes the ETag good through the moment it turns stale, not a microsecond more:
    past it, the same rows give another answer (stale, no number) and another ETag."""
    rouen = demo_parks["rouen"]
    CarPark.objects.filter(city=rouen).update(opening_hours={})
    start = datetime.now(UTC).replace(microsecond=0)
    for sensor in CarPark.objects.filter(city=rouen).values_list("sensor__external_id", flat=True):
        first_stale = sensor == "ROUEN-P-HOTEL-DE-VILLE"
        push(rouen, sensor, 80 if first_stale else 100, at=start - timedelta(minutes=10 if first_stale else 5))
    first, body, _queries = read(rouen, now=start)
    turns_stale = start - timedelta(minutes=10) + timedelta(minutes=settings.MOBILITY_STALE_MINUTES)
    assert through_of(first.etag) == turns_stale
    for now in (start + timedelta(minutes=2), turns_stale):
        answer, again, queries = read(rouen, now=now, etag=first.etag)
        assert answer.etag == first.etag and again is None
        assert len(queries) == 1 and digest_only(queries[0])
        assert answer.body() == body  # what the held ETag stands for is what the client holds
    later, changed, _queries = read(rouen, now=turns_stale + timedelta(microseconds=1), etag=first.etag)
    assert later.etag != first.etag and changed != body
    hdv = next(f for f in json.loads(changed)["features"] if f["properties"]["sensor"] == "ROUEN-P-HOTEL-DE-VILLE")
    assert (hdv["properties"]["stale"], hdv["properties"]["available"]) == (True, None)


@postgres_only
@pytest.mark.django_db
def test_opening_hours_hold_the_list_etag_to_the_minute(demo_parks):
    """With opening hours, the ETag holds to the end of the minute at most: a car park closing at the
    next minute is shown closed, with another ETag, as soon as that minute starts."""
    rouen = demo_parks["rouen"]
    now = datetime(2026, 12, 2, 17, 59, 30, tzinfo=UTC)  # 18:59:30 in Rouen, a Wednesday
    CarPark.objects.filter(city=rouen).update(opening_hours={})
    CarPark.objects.filter(sensor__external_id="ROUEN-P-HOTEL-DE-VILLE").update(opening_hours={"we": [["07:00", "19:00"]]})
    first, _body, _queries = read(rouen, now=now)
    assert through_of(first.etag) == datetime(2026, 12, 2, 17, 59, 59, 999998, tzinfo=UTC)
    assert read(rouen, now=now + timedelta(seconds=29), etag=first.etag)[0].etag == first.etag
    answer, changed, _queries = read(rouen, now=now + timedelta(seconds=30), etag=first.etag)
    assert answer.etag != first.etag
    hdv = next(f for f in json.loads(changed)["features"] if f["properties"]["sensor"] == "ROUEN-P-HOTEL-DE-VILLE")
    assert hdv["properties"]["status"] == status.CLOSED


@postgres_only
@pytest.mark.django_db
def test_the_list_etag_is_per_language(client, demo_parks):
    """The labels differ: an ETag of the French answer is no validator of the English one."""
    french = client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr")["ETag"]
    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert english["ETag"] != french
    assert client.get(LIST, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=french).status_code == 200
    assert client.get(LIST, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 304


@pytest.mark.django_db
def test_elsewhere_the_list_etag_comes_from_the_body(client, demo_parks):
    """On SQLite (no digest) the ETag is the body's, as ConditionalGetMiddleware makes it; on PostgreSQL
    it is a lasting one. Either way a client holding it gets a 304."""
    response = client.get(LIST)
    if connection.vendor == "postgresql":
        assert LASTING.match(response["ETag"])
    else:
        assert not LASTING.match(response["ETag"])
    assert client.get(LIST, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_held_lasting_etags_reads_only_tags_that_still_hold():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    holds = lasting_etag(now + timedelta(seconds=1), "x")
    ended = lasting_etag(now - timedelta(microseconds=1), "x")
    forever = lasting_etag(None, "x")
    header = f'{ended}, W/{holds}, "abc", {forever}, "{"0" * 32}.99999999999999999", *'
    got = held_lasting_etags(RequestFactory().get("/", HTTP_IF_NONE_MATCH=header), now)
    # The last tag (year 5138) is well-formed and still holds; none of these raises.
    assert got == [(holds, now + timedelta(seconds=1)), (forever, None),
                   (f'"{"0" * 32}.99999999999999999"', datetime(1970, 1, 1, tzinfo=UTC)
                    + timedelta(microseconds=99999999999999999))]
    assert held_lasting_etags(RequestFactory().get("/"), now) == []
    assert lasting_etag(now, "x") != lasting_etag(now, "y") != lasting_etag(now + timedelta(microseconds=1), "y")


def test_unchanged_through_is_the_last_moment_of_the_same_status():
    """At random, the status is the same at `now`, at `through` and between, and differs just after
    when the moment comes from a reading turning stale (or is for good: None)."""
    rng = random.Random(20261202)
    tz = "Europe/Paris"
    start = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)  # the days around a change of summer time
    for _ in range(3000):
        now = start + timedelta(seconds=rng.randrange(3 * 86400), microseconds=rng.randrange(1_000_000))
        hours = rng.choice([{}, {"sa": [["07:00", "24:00"]], "su": [["22:30", "02:15"]]},
                            {day: [["08:00", "19:00"]] for day in status.WEEKDAYS}])
        reading = rng.choice([None, now - timedelta(seconds=rng.randrange(-60, 1800))])

        def at(moment, hours=hours, reading=reading):
            return status.live_status(capacity=100, opening_hours=hours, tz=tz, reading_value=50,
                                      reading_time=reading, now=moment)

        through = status.unchanged_through(opening_hours=hours, tz=tz, reading_time=reading, now=now)
        if through is None:
            assert at(now) == at(now + timedelta(days=rng.randrange(1, 30)))
            continue
        between = now + (through - now) * rng.random() if through > now else now
        assert at(now) == at(between) == at(max(now, through)), (now, hours, reading, through)
        if not hours:
            assert at(through + timedelta(microseconds=1)) != at(through)


def test_unchanged_through_a_range_that_ends_at_midnight():
    """A range to 24:00 ends at 23:59:59.999999 local: the moment stops just before it."""
    now = datetime(2026, 12, 5, 22, 59, 59, 999000, tzinfo=UTC)  # Saturday 23:59:59.999 in Paris
    hours = {"sa": [["07:00", "24:00"]]}
    through = status.unchanged_through(opening_hours=hours, tz="Europe/Paris", reading_time=None, now=now)
    assert through == datetime(2026, 12, 5, 22, 59, 59, 999998, tzinfo=UTC)

    def open_at(moment):
        return status.is_open_at(hours, moment, "Europe/Paris")

    assert open_at(through) and not open_at(through + timedelta(microseconds=1))


def fresh_body(place, now: datetime, language: str = "fr") -> bytes:
    """The list made from its rows, as if no list had been made before."""
    with translation.override(language):
        return render_json(api._list_data(selectors.list_car_parks_rows(city=place, now=now)))


@postgres_only
@pytest.mark.django_db
def test_the_list_made_last_is_the_answer_while_its_etag_holds(demo_parks, settings):
    """A second request reads the rows' digest only and answers the bytes made last, which are the bytes
    the rows give now; a new reading, a reading turning stale or another language makes the list again."""
    rouen = demo_parks["rouen"]
    api._MADE_LISTS.clear()
    CarPark.objects.filter(city=rouen).update(opening_hours={})
    start = datetime.now(UTC).replace(microsecond=0)
    for sensor in CarPark.objects.filter(city=rouen).values_list("sensor__external_id", flat=True):
        push(rouen, sensor, 100, at=start - timedelta(minutes=5))
    first, body, queries = read(rouen, now=start)
    assert len(car_park_rows := [q for q in queries if "mobility_carpark" in q]) == 1 and "OVER ()" in car_park_rows[0]
    again, same, queries = read(rouen, now=start + timedelta(minutes=1))
    assert [q for q in queries if "mobility_carpark" in q] == [q for q in queries if digest_only(q)] != []
    assert (again.etag, same) == (first.etag, body) and same == fresh_body(rouen, start + timedelta(minutes=1))
    english, english_body, _queries = read(rouen, now=start, language="en")
    assert english.etag != first.etag and english_body == fresh_body(rouen, start, "en") != body

    push(rouen, "ROUEN-P-HOTEL-DE-VILLE", 42, at=start)
    after_reading, changed, _queries = read(rouen, now=start + timedelta(minutes=1))
    assert after_reading.etag != first.etag and changed == fresh_body(rouen, start + timedelta(minutes=1)) != body

    turns_stale = through_of(after_reading.etag)
    assert turns_stale == start - timedelta(minutes=5) + timedelta(minutes=settings.MOBILITY_STALE_MINUTES)
    assert read(rouen, now=turns_stale)[1] == changed
    later, stale, queries = read(rouen, now=turns_stale + timedelta(microseconds=1))
    assert not any(digest_only(q) for q in queries)  # the list made last no longer holds: the rows are read
    assert later.etag != after_reading.etag and stale == fresh_body(rouen, turns_stale + timedelta(microseconds=1))
    others = [f for f in json.loads(stale)["features"] if f["properties"]["sensor"] != "ROUEN-P-HOTEL-DE-VILLE"]
    assert {(f["properties"]["stale"], f["properties"]["available"]) for f in others} == {(True, None)}
