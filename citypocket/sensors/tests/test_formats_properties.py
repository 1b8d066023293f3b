"""Property-based tests: no input makes a parser raise; every refusal has a reason and a dead letter."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citypocket.sensors.formats import parse_payload
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import DeadLetter
from citypocket.sensors.readings import Parsed

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
any_json = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=30,
)
times = st.sampled_from(["2026-11-25T10:00:00Z", "2016-03-15T11:00:00", "1999-01-01T00:00:00Z", "", "x", None, 5])
units = st.sampled_from(["ug/m3", "mg/m3", "ppb", "GQ", "GP", "%", "1", "veh/h", "furlongs", None, 3])
citypocket_items = st.fixed_dictionaries(
    {},
    optional={
        "sensor": st.sampled_from(["FR25036", "", "NOPE"]) | scalars,
        "property": st.sampled_from(["no2", "pm10", "occupancy", "colour"]) | scalars,
        "time": times | scalars,
        "value": scalars,
        "unit": units | scalars,
    },
)
citypocket_batches = st.fixed_dictionaries({"observations": st.lists(citypocket_items | any_json, max_size=6)})
attribute = scalars | st.fixed_dictionaries(
    {"type": st.sampled_from(["Property", "Relationship", "GeoProperty", "x"])},
    optional={"value": scalars | any_json, "observedAt": times, "unitCode": units, "object": scalars},
)
ngsi_entities = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["urn:ngsi-ld:AirQualityObserved:FR25036", "urn:ngsi-ld:X:1", ""]) | scalars,
        "type": st.sampled_from(["AirQualityObserved", "OffStreetParking", "ParkingSpot", "TrafficFlowObserved"]),
    },
    optional={
        name: attribute
        for name in (
            "no2",
            "pm25",
            "co",
            "dateObserved",
            "dateObservedFrom",
            "dateObservedTo",
            "availableSpotNumber",
            "occupancy",
            "status",
            "intensity",
            "refDevice",
        )
    },
)
sc_records = st.fixed_dictionaries(
    {
        "sensordatavalues": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "value_type": scalars | st.sampled_from(["P1", "P2", "SDS_P1", "humidity"]),
                    "value": scalars,
                },
            )
            | any_json,
            max_size=4,
        )
    },
    optional={
        "timestamp": times,
        "sensor": st.fixed_dictionaries({}, optional={"id": scalars}) | scalars,
        "esp8266id": scalars,
    },
)
payloads = (
    any_json.map(lambda d: json.dumps(d))
    | citypocket_batches.map(json.dumps)
    | st.lists(ngsi_entities, max_size=3).map(json.dumps)
    | ngsi_entities.map(json.dumps)
    | st.lists(sc_records, max_size=3).map(json.dumps)
    | st.text(max_size=60)
    | st.binary(max_size=60)
)


def check(parsed: Parsed) -> None:
    assert isinstance(parsed, Parsed)
    assert parsed.readings or parsed.rejections, "nothing read and nothing refused"
    assert len(parsed.readings) == len(parsed.indices) == len(parsed.payloads)
    for rejection in parsed.rejections:
        assert rejection.reason.strip()
        assert isinstance(rejection.payload, str)


@settings(max_examples=600, deadline=None)
@given(payloads, st.sampled_from(["", "citypocket", "ngsi-ld", "sensor.community"]))
def test_parsers_never_raise(body, format):
    """Any bytes, any JSON, any half-valid payload: a Parsed with readings or reasoned rejections."""
    check(parse_payload(body, format=format))


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=payloads)
def test_every_refusal_becomes_a_dead_letter(rouen, body):
    """Parsing then ingesting arbitrary input never raises; each refused item is a dead letter with its reason."""
    from citypocket.sensors.tests.factories import air_sensor

    air_sensor(rouen)
    before = DeadLetter.objects.count()
    parsed = parse_payload(body)
    result = ingest_observations(city=rouen, batch=parsed, source="fuzz")
    assert DeadLetter.objects.count() - before == len(result.rejected)
    assert result.accepted + result.duplicates + len(result.rejected) >= 1
    assert all(r.reason for r in result.rejected)
    assert not DeadLetter.objects.filter(reason="").exists()
