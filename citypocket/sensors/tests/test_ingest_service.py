"""The ingestion service: validation, idempotent writes, latest values, dead letters."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from citypocket.sensors import selectors
from citypocket.sensors.ingest import StreamCache, ingest_observations
from citypocket.sensors.models import Datastream, DeadLetter, LatestObservation, Observation, Sensor
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.services import ensure_sensor
from citypocket.sensors.tests.factories import air_sensor, parking_sensor, reading, recent

pytestmark = pytest.mark.django_db


def test_ensure_sensor_is_idempotent(rouen):
    """ensure_sensor twice gives one sensor and one datastream per property, with the latest name and units."""
    air_sensor(rouen)
    sensor = ensure_sensor(city=rouen, external_id="FR25036", kind="air", name="Rouen Centre (renamed)",
                           properties={"no2": "ug/m3", "so2": "ug/m3"})
    assert Sensor.objects.filter(city=rouen).count() == 1
    assert sensor.name == "Rouen Centre (renamed)"
    assert set(sensor.datastreams.values_list("property", flat=True)) == {"no2", "pm10", "pm25", "o3", "so2"}


def test_ingest_counts_accepted_and_duplicates(rouen):
    """A batch with a repeat inside it and a replay of the batch: exact accepted / duplicate counts, rows once."""
    air_sensor(rouen)
    batch = [reading(minutes=m, value=float(m)) for m in (30, 20, 10)] + [reading(minutes=20, value=99.0)]
    first = ingest_observations(city=rouen, batch=Parsed.from_readings(batch), source="test")
    assert (first.accepted, first.duplicates, first.rejected) == (3, 1, [])
    again = ingest_observations(city=rouen, batch=Parsed.from_readings(batch), source="test")
    assert (again.accepted, again.duplicates) == (0, 4)
    assert Observation.objects.count() == 3
    assert Observation.objects.get(phenomenon_time=recent(20)).value == 20.0  # the first of the batch won


def test_latest_only_moves_forward(rouen):
    """An older reading arriving late does not replace the latest value; a newer one does."""
    air_sensor(rouen)
    ingest_observations(city=rouen, batch=Parsed.from_readings([reading(minutes=5, value=50.0)]), source="test")
    ingest_observations(city=rouen, batch=Parsed.from_readings([reading(minutes=60, value=10.0)]), source="test")
    latest = LatestObservation.objects.get(datastream__property="no2")
    assert (latest.value, latest.phenomenon_time) == (50.0, recent(5))
    ingest_observations(city=rouen, batch=Parsed.from_readings([reading(minutes=1, value=60.0)]), source="test")
    latest.refresh_from_db()
    assert latest.value == 60.0
    assert [row.value for row in selectors.list_latest(city=rouen, kind="air")] == [60.0]


def test_units_are_normalised(rouen):
    """mg/m3, ppb (NO2 at 20 °C) and percent occupancy are stored in the datastream's unit."""
    air_sensor(rouen)
    parking_sensor(rouen)
    result = ingest_observations(
        city=rouen,
        batch=Parsed.from_readings(
            [
                reading(minutes=3, value=0.0412, unit="mg/m3"),
                reading(minutes=2, value=10.0, unit="ppb"),
                reading(sensor="P-VIEUX-MARCHE", prop="occupancy", minutes=2, value=75.0, unit="%"),
            ]
        ),
        source="test",
    )
    assert result.accepted == 3
    values = dict(Observation.objects.values_list("phenomenon_time", "value"))
    assert values[recent(3)] == pytest.approx(41.2)
    no2 = Observation.objects.get(datastream__property="no2", phenomenon_time=recent(2))
    assert no2.value == pytest.approx(10 * 46.0055 / 24.055)
    assert Observation.objects.get(datastream__property="occupancy").value == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (Reading("FR25036", "no2", recent(1), math.nan, "ug/m3"), "not finite"),
        (Reading("FR25036", "no2", recent(1), math.inf, "ug/m3"), "not finite"),
        (Reading("FR25036", "no2", recent(1), -3.0, "ug/m3"), "negative concentration"),
        (Reading("FR25036", "no2", recent(1), 3.0, "furlongs"), "unknown unit"),
        (Reading("FR25036", "pm10", recent(1), 3.0, "ppb"), "no molar mass"),
        (Reading("FR25036", "no2", recent(-120), 3.0, "ug/m3"), "in the future"),
        (Reading("FR25036", "no2", datetime(1999, 12, 31, tzinfo=UTC), 3.0, "ug/m3"), "before 2000"),
        (Reading("FR25036", "no2", datetime(2026, 1, 1), 3.0, "ug/m3"), "no UTC offset"),
        (Reading("NOPE", "no2", recent(1), 3.0, "ug/m3"), "unknown sensor"),
        (Reading("AIX-1", "no2", recent(1), 3.0, "ug/m3"), "another city"),
        (Reading("FR25036", "colour", recent(1), 3.0, "1"), "unknown property"),
    ],
)
def test_rejects_with_reason_and_keeps_the_rest(rouen, aix, bad, reason):
    """A bad reading is refused with a precise reason and dead-lettered; the good one in the batch is kept."""
    air_sensor(rouen)
    air_sensor(aix, external_id="AIX-1")
    result = ingest_observations(city=rouen, batch=Parsed.from_readings([reading(minutes=2), bad]), source="test")
    assert result.accepted == 1
    assert len(result.rejected) == 1 and result.rejected[0].index == 1
    assert reason in result.rejected[0].reason
    letter = DeadLetter.objects.get()
    assert letter.city == rouen and reason in letter.reason and letter.source == "test"
    assert Observation.objects.count() == 1


def test_known_property_opens_a_datastream(rouen):
    """A known property that the sensor did not declare gets its datastream in the canonical unit."""
    ensure_sensor(city=rouen, external_id="S1", kind="air", name="S1", properties={"no2": "ug/m3"})
    result = ingest_observations(
        city=rouen, batch=Parsed.from_readings([reading(sensor="S1", prop="so2", value=0.01, unit="mg/m3")]), source="t"
    )
    assert result.accepted == 1
    assert Datastream.objects.get(sensor__external_id="S1", property="so2").unit == "ug/m3"


def test_large_batch_is_written_in_one_go(rouen):
    """A batch above the COPY threshold is written completely, and replayed as duplicates only."""
    air_sensor(rouen)
    start = recent(600)
    batch = [Reading("FR25036", "no2", start + timedelta(seconds=i), float(i % 90), "ug/m3") for i in range(1500)]
    assert ingest_observations(city=rouen, batch=Parsed.from_readings(batch), source="t").accepted == 1500
    replay = ingest_observations(city=rouen, batch=Parsed.from_readings(batch[:700] + batch[:5]), source="t")
    assert (replay.accepted, replay.duplicates) == (0, 705)
    assert Observation.objects.count() == 1500
    assert LatestObservation.objects.get().phenomenon_time == start + timedelta(seconds=1499)


def test_selectors(rouen, aix):
    """get_sensor is city-scoped and list_observations is half-open and ordered."""
    air_sensor(rouen)
    ingest_observations(
        city=rouen, batch=Parsed.from_readings([reading(minutes=m, value=m) for m in (3, 2, 1)]), source="t"
    )
    sensor = selectors.get_sensor(city=rouen, external_id="FR25036")
    stream = sensor.datastreams.get(property="no2")
    values = [o.value for o in selectors.list_observations(datastream=stream, start=recent(3), end=recent(1))]
    assert values == [3.0, 2.0]
    from citypocket.core.problems import NotFound

    with pytest.raises(NotFound):
        selectors.get_sensor(city=aix, external_id="FR25036")


def test_stream_cache_finds_new_sensors_at_once_and_forgets_after_ttl(rouen):
    """The ingest process's datastream cache: a sensor created later is found at once; a deactivation shows after the TTL."""
    cache = StreamCache(ttl=3600)
    air_sensor(rouen)
    first = ingest_observations(city=rouen, batch=Parsed.from_readings([reading(minutes=9)]), source="t", streams=cache)
    assert first.accepted == 1
    air_sensor(rouen, external_id="NEW")
    assert (
        ingest_observations(
            city=rouen, batch=Parsed.from_readings([reading(sensor="NEW", minutes=9)]), source="t", streams=cache
        ).accepted
        == 1
    )
    Sensor.objects.filter(external_id="FR25036").update(is_active=False)
    cached = ingest_observations(
        city=rouen, batch=Parsed.from_readings([reading(minutes=8)]), source="t", streams=cache
    )
    assert cached.accepted == 1  # still cached
    cache.ttl = 0
    refused = ingest_observations(
        city=rouen, batch=Parsed.from_readings([reading(minutes=7)]), source="t", streams=cache
    )
    assert refused.accepted == 0 and refused.rejected[0].reason == "sensor 'FR25036' is inactive"
