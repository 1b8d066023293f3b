"""The usual free spaces per car park and quarter-hour, kept by the worker: the search reads them
instead of the history, predicts the same, falls back to the history when they are missing or out
of date, and costs the same queries whatever the number of car parks."""

import json
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from crontask import scheduler
from django.utils import timezone

from citypocket.core.management.commands.clock import load_schedules
from citypocket.mobility import prediction, profiles, schedule
from citypocket.mobility.models import FreeSpaceProfile
from citypocket.mobility.tests.conftest import push
from citypocket.mobility.tests.factories import CarParkFactory
from testsupport import pin_now

ROTONDE_FOUNTAIN = (43.5263, 5.4453)
SEARCH = "/api/v1/cities/aix-en-provence/car-parks/search"


def search(client, arrive) -> tuple[dict, str]:
    response = client.get(SEARCH, {"lat": ROTONDE_FOUNTAIN[0], "lon": ROTONDE_FOUNTAIN[1],
                                   "arrive_at": arrive.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content), response["X-Prediction-Source"]


def predictions(body) -> dict:
    return {f["id"]: (f["properties"]["predicted"], f["properties"]["reasons"], f["properties"]["score"])
            for f in body["features"]}


@pytest.fixture
def history(demo_parks, monkeypatch):
    """Four past weeks around now and an hour ahead for two Aix car parks (one emptier than usual now),
    a reading now for both, and the clock pinned to the last quarter-hour."""
    aix = demo_parks["aix"]
    now = pin_now(monkeypatch, profiles.centre(timezone.now() - timedelta(minutes=8)))
    arrive = now + timedelta(hours=1)
    for sensor, at_arrival, usual, current in (("AIX-P-MEJANES", 20, 100, 150), ("AIX-P-ROTONDE", 80, 60, 30)):
        for k in range(1, 5):
            for minutes in (-15, 0, 15):
                push(aix, sensor, at_arrival + k + minutes / 15, at=arrive - timedelta(weeks=k, minutes=minutes))
                push(aix, sensor, usual - k, at=now - timedelta(weeks=k, minutes=minutes))
        push(aix, sensor, current, at=now)
    return {"aix": aix, "now": now, "arrive": arrive}


@pytest.mark.django_db
def test_the_worker_fills_the_profiles_and_the_search_predicts_the_same_from_them(client, history):
    before, source = search(client, history["arrive"])
    assert source.startswith("history-read=")
    mejanes = predictions(before)["mejanes"][0]
    assert mejanes["method"] == "history_trend" and mejanes["history_weeks"] == 4

    result = schedule.refresh_free_space_profiles.enqueue()  # the test settings run tasks at once
    rows = FreeSpaceProfile.objects.filter(car_park__city=history["aix"])
    assert result.return_value["aix-en-provence"] == rows.count() == profiles.SLOTS * len(
        {row.car_park_id for row in rows})
    row = FreeSpaceProfile.objects.get(car_park__slug="mejanes", slot=profiles.slot_of(history["arrive"]))
    assert (row.weeks, row.through) == (4, history["arrive"] - timedelta(weeks=1))

    with mock.patch.object(prediction, "load_history", side_effect=AssertionError("history read")):
        after, source = search(client, history["arrive"])
    assert source == "profiles"
    assert predictions(after) == predictions(before)
    assert after == before


@pytest.mark.django_db
def test_missing_or_stale_profiles_fall_back_to_the_history_and_say_so(client, history):
    unprofiled, read_all = search(client, history["arrive"])
    profiles.refresh(city=history["aix"])
    expected, source = search(client, history["arrive"])
    assert source == "profiles" and predictions(expected) == predictions(unprofiled)
    # Rows of three weeks ago (a worker stopped since): not used, the history is read instead.
    FreeSpaceProfile.objects.filter(car_park__slug="mejanes").update(through=history["now"] - timedelta(weeks=3))
    body, source = search(client, history["arrive"])
    assert source == "history-read=1"
    assert predictions(body) == predictions(expected)
    # No rows at all (a fresh install before the worker ran): every car park with a sensor reads its history.
    FreeSpaceProfile.objects.all().delete()
    body, source = search(client, history["arrive"])
    assert source == read_all
    assert predictions(body) == predictions(expected)


@pytest.mark.django_db
def test_arrival_too_near_for_history_reads_none(client, history):
    body, source = search(client, history["now"] + timedelta(minutes=5))
    assert source == "now"
    assert predictions(body)["mejanes"][0] == {"free": 150, "method": "now", "history_weeks": 0}


@pytest.mark.django_db
def test_refresh_after_a_quarter_hour_rewrites_only_the_quarter_hour_just_ended(history):
    aix, now = history["aix"], history["now"]
    written = profiles.refresh(city=aix, now=now)
    car_parks = written // profiles.SLOTS
    later = now + timedelta(minutes=15)
    assert profiles.refresh(city=aix, now=later) == car_parks
    newest = profiles.newest_complete(later)
    assert FreeSpaceProfile.objects.filter(through=newest).count() == car_parks
    # A car park added since gets all its quarter-hours at the next refresh; the others one each.
    new = CarParkFactory(city=aix, live=True, slug="nouveau", lat=43.52, lon=5.44)
    push(aix, new.sensor.external_id, 50, at=now)
    assert profiles.refresh(city=aix, now=later + timedelta(minutes=15)) == car_parks + profiles.SLOTS


@pytest.mark.django_db
def test_the_search_costs_the_same_queries_with_many_car_parks(client, history, django_assert_max_num_queries):
    aix = history["aix"]
    profiles.refresh(city=aix)
    # The city (looked up once per process in production, at each request in the tests), the car parks
    # with their readings and profiles, the counting points.
    with django_assert_max_num_queries(3):
        few, _source = search(client, history["arrive"])
    for n in range(30):
        car_park = CarParkFactory(city=aix, live=True, slug=f"extra-{n}", sensor__external_id=f"AIX-X-{n}",
                                  lat=ROTONDE_FOUNTAIN[0] + n / 20000, lon=ROTONDE_FOUNTAIN[1])
        push(aix, car_park.sensor.external_id, 100 + n, at=history["now"])
    profiles.refresh(city=aix, full=True)
    with django_assert_max_num_queries(3):
        many, source = search(client, history["arrive"])
    assert source == "profiles"
    assert len(many["features"]) > len(few["features"])
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/cities/aix-en-provence/car-parks")
    assert len(response.json()["features"]) >= 40


def test_quarter_hours_of_the_week():
    monday = profiles.EPOCH + timedelta(weeks=100)
    assert profiles.centre(monday + timedelta(minutes=7, seconds=29)) == monday
    assert profiles.centre(monday + timedelta(minutes=7, seconds=30)) == monday + profiles.SLOT
    assert profiles.slot_of(monday) == 0 and profiles.slot_of(monday - profiles.SLOT) == profiles.SLOTS - 1
    assert profiles.newest_complete(monday + timedelta(minutes=20)) == monday
    assert profiles.newest_complete(monday + timedelta(minutes=19)) == monday - profiles.SLOT
    # The row of the week before stands in only while the newest window has just ended.
    assert profiles.usable(monday - profiles.WEEK, monday, monday)
    assert profiles.usable(monday - 2 * profiles.WEEK, monday, monday - profiles.WEEK + timedelta(minutes=30))
    assert not profiles.usable(monday - 2 * profiles.WEEK, monday, monday)
    assert not profiles.usable(None, monday, monday)


def test_the_clock_refreshes_every_quarter_hour_and_rebuilds_at_night():
    load_schedules()
    jobs = {job.name: job for job in scheduler.get_jobs()}
    moment = datetime(2026, 6, 1, 9, 8, tzinfo=ZoneInfo("Europe/Paris"))
    assert jobs["refresh_free_space_profiles"].trigger.get_next_fire_time(None, moment).minute == 22
    night = jobs["rebuild_free_space_profiles"].trigger.get_next_fire_time(None, moment)
    assert (night.day, night.hour, night.minute) == (2, 3, 50)
