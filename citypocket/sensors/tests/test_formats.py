"""Parsers: CityPocket batch, NGSI-LD (normalized and keyValues), sensor.community; malformed input."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from citypocket.sensors.formats import detect_format, parse_payload

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def key_values(entity: dict) -> dict:
    """The keyValues rendering of a normalized entity (attribute -> bare value)."""
    out = {}
    for key, attribute in entity.items():
        if isinstance(attribute, dict) and attribute.get("type") in ("Property", "GeoProperty"):
            out[key] = attribute["value"]
        elif isinstance(attribute, dict) and attribute.get("type") == "Relationship":
            out[key] = attribute["object"]
        else:
            out[key] = attribute
    return out


def triples(parsed) -> set[tuple]:
    return {(r.sensor, r.property, r.time, r.value, r.unit) for r in parsed.readings}


def test_citypocket_batch_keeps_good_items_and_refuses_bad_ones():
    """Each item is parsed on its own; bad ones are refused with their index and reason."""
    body = {
        "observations": [
            {"sensor": "FR25036", "property": "no2", "time": "2026-11-25T10:00:00Z", "value": 41.2, "unit": "ug/m3"},
            {"sensor": "FR25036", "property": "no2", "time": "2026-11-25T11:00:00+01:00", "value": 3, "unit": "ug/m3"},
            {"sensor": "FR25036", "property": "no2", "time": "2026-11-25T10:00:00", "value": 1, "unit": "ug/m3"},
            {"sensor": "FR25036", "property": "no2", "time": "yesterday", "value": 1, "unit": "ug/m3"},
            {"sensor": "FR25036", "property": "no2", "time": "2026-11-25T10:00:00Z", "value": "x", "unit": "ug/m3"},
            {"sensor": "FR25036", "time": "2026-11-25T10:00:00Z", "value": 1},
            "not an object",
        ]
    }
    parsed = parse_payload(json.dumps(body))
    assert parsed.format == "citypocket"
    assert [r.value for r in parsed.readings] == [41.2, 3.0]
    assert parsed.readings[1].time == datetime(2026, 11, 25, 10, tzinfo=UTC)
    reasons = {item.index: item.reason for item in parsed.rejections}
    assert reasons == {
        2: "time has no UTC offset",
        3: "time 'yesterday' is not ISO 8601",
        4: "value is not a number",
        5: "missing field(s): property, unit",
        6: "observation is not an object",
    }


def test_ngsild_air_quality_normalized_and_key_values_agree():
    """The AirQualityObserved example gives the same readings, unitCode GP (mg/m3) included, in both forms."""
    entity = fixture("sdm-AirQualityObserved-example-normalized.jsonld")
    normalized = parse_payload(json.dumps(entity), content_type="application/ld+json")
    assert normalized.format == "ngsi-ld" and normalized.rejections == []
    moment = datetime(2016, 3, 15, 11, tzinfo=UTC)
    sensor = "Madrid-AmbientObserved-28079004-2016-03-15T11:00:00"
    expected = {
        (sensor, "co", moment, 500.0, "mg/m3"),
        (sensor, "no", moment, 45.0, "ug/m3"),
        (sensor, "no2", moment, 69.0, "ug/m3"),
        (sensor, "nox", moment, 139.0, "ug/m3"),
        (sensor, "so2", moment, 11.0, "ug/m3"),
        (sensor, "temperature", moment, 12.2, "Cel"),
        (sensor, "relative_humidity", moment, 0.54, "1"),
    }
    assert triples(normalized) == expected
    kv = parse_payload(json.dumps(key_values(entity)))
    assert {t for t in triples(kv)} == {
        (s, p, t, v, "ug/m3" if u == "mg/m3" else u) for s, p, t, v, u in expected
    }  # keyValues carry no unitCode: the model's default unit (µg/m³) applies


def test_ngsild_off_street_parking_uses_observed_at():
    """OffStreetParking: availableSpotNumber at its observedAt, occupancy as a fraction."""
    entity = fixture("sdm-OffStreetParking-example-normalized.jsonld")
    parsed = parse_payload(json.dumps([entity]))
    assert triples(parsed) == {
        ("porto-ParkingLot-23889", "available_spots", datetime(2018, 9, 21, 12, tzinfo=UTC), 132.0, "1"),
        ("porto-ParkingLot-23889", "occupancy", datetime(2021, 3, 11, 15, 51, 2, tzinfo=UTC), 0.68, "1"),
    }


def test_ngsild_parking_spot_status():
    """ParkingSpot status free gives one available spot and zero occupancy; closed is refused."""
    entity = fixture("sdm-ParkingSpot-example-normalized.jsonld")
    parsed = parse_payload(json.dumps({"type": "Notification", "data": [entity]}))
    moment = datetime(2018, 9, 21, 12, tzinfo=UTC)
    assert triples(parsed) == {
        ("santander:daoiz_velarde_1_5:3", "available_spots", moment, 1.0, "1"),
        ("santander:daoiz_velarde_1_5:3", "occupancy", moment, 0.0, "1"),
    }
    closed = key_values(entity) | {"status": "closed", "dateObserved": "2018-09-21T12:00:00Z"}
    refused = parse_payload(json.dumps(closed))
    assert refused.readings == [] and "not an observation" in refused.rejections[0].reason


def test_ngsild_traffic_flow_intensity_per_hour():
    """TrafficFlowObserved: 197 vehicles in 5 minutes is 2364 veh/h; naive dateObserved is UTC."""
    entity = fixture("sdm-TrafficFlowObserved-example-normalized.jsonld")
    parsed = parse_payload(json.dumps(entity))
    moment = datetime(2016, 12, 7, 11, 10, tzinfo=UTC)
    sensor = "TrafficFlowObserved-Valladolid-osm-60821110"
    assert triples(parsed) == {
        (sensor, "vehicle_flow", moment, 2364.0, "veh/h"),
        (sensor, "occupancy", moment, 0.76, "1"),
        (sensor, "average_speed", moment, 52.6, "km/h"),
    }
    no_period = {k: v for k, v in key_values(entity).items() if k != "dateObservedTo"}
    partial = parse_payload(json.dumps(no_period))
    assert len(partial.readings) == 2
    assert "no observation period" in partial.rejections[0].reason


def test_ngsild_unknown_unit_code_and_type():
    """An unknown unitCode refuses that attribute only; an unsupported entity type is refused whole."""
    entity = {
        "id": "urn:ngsi-ld:AirQualityObserved:S1",
        "type": "AirQualityObserved",
        "dateObserved": "2026-11-25T10:00:00Z",
        "no2": {"type": "Property", "value": 20, "unitCode": "XYZ"},
        "o3": {"type": "Property", "value": 50},
    }
    parsed = parse_payload(json.dumps([entity, {"id": "urn:ngsi-ld:Building:1", "type": "Building"}]))
    assert [(r.sensor, r.property) for r in parsed.readings] == [("S1", "o3")]
    assert [(x.index, x.reason) for x in parsed.rejections] == [
        (0, "no2: unknown unitCode 'XYZ'"),
        (
            1,
            "unsupported entity type 'Building' (supported: AirQualityObserved, OffStreetParking, "
            "ParkingSpot, TrafficFlowObserved)",
        ),
    ]


def test_sensor_community_api_and_firmware_push():
    """P1 is PM10, P2 is PM2.5, humidity in percent; timestamps are UTC; the firmware push has no time."""
    api = [
        {
            "id": 1,
            "timestamp": "2026-11-25 09:58:31",
            "sensor": {"id": 12345, "sensor_type": {"name": "SDS011"}},
            "sensordatavalues": [
                {"value_type": "P1", "value": "12.30"},
                {"value_type": "P2", "value": "5.10"},
                {"value_type": "pressure", "value": "100000"},
            ],
        },
        {
            "timestamp": "2026-11-25 09:58:31",
            "sensor": {"id": 9},
            "sensordatavalues": [{"value_type": "P1", "value": "NaN"}],
        },
    ]
    parsed = parse_payload(json.dumps(api))
    moment = datetime(2026, 11, 25, 9, 58, 31, tzinfo=UTC)
    assert triples(parsed) == {("sc-12345", "pm10", moment, 12.3, "ug/m3"), ("sc-12345", "pm25", moment, 5.1, "ug/m3")}
    assert [(x.index, x.reason) for x in parsed.rejections] == [(1, "P1 is not finite (NaN or infinity)")]
    push = {
        "esp8266id": "1234567",
        "sensordatavalues": [{"value_type": "SDS_P2", "value": "7"}, {"value_type": "BME280_humidity", "value": "55"}],
    }
    pushed = parse_payload(json.dumps(push))
    assert {(r.sensor, r.property, r.value, r.unit) for r in pushed.readings} == {
        ("esp8266-1234567", "pm25", 7.0, "ug/m3"),
        ("esp8266-1234567", "relative_humidity", 55.0, "%"),
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "malformed JSON"),
        ("", "malformed JSON"),
        ("[]", "unrecognised payload"),
        ('{"observations": []}', "no observation"),
        ("42", "unrecognised payload"),
    ],
)
def test_whole_payload_refusals(body, reason):
    """Malformed or unrecognised payloads become one rejection with a reason."""
    parsed = parse_payload(body)
    assert parsed.readings == [] and len(parsed.rejections) == 1
    assert reason in parsed.rejections[0].reason
    assert parsed.malformed == (reason == "malformed JSON")


def test_explicit_format_wins_and_unknown_format_is_refused():
    """?format= overrides detection; an unknown format name is a rejection."""
    body = json.dumps(
        {
            "observations": [
                {"sensor": "A", "property": "no2", "time": "2026-01-01T00:00:00Z", "value": 1, "unit": "ug/m3"}
            ]
        }
    )
    assert "unsupported entity type" in parse_payload(body, format="ngsi-ld").rejections[0].reason
    assert parse_payload(body, format="bogus").rejections[0].reason == "unknown format 'bogus'"
    assert detect_format(json.loads(body)) == "citypocket"


def test_merged_payloads_keep_distinct_indices_and_redelivered_marks():
    """Merging parsed payloads (one MQTT batch) renumbers items so they stay distinct; marks of a payload sent
    again follow its items, readings and refusals alike."""
    from citypocket.sensors.readings import Parsed

    good = {"sensor": "S", "property": "no2", "time": "2026-11-25T10:00:00Z", "value": 1, "unit": "ug/m3"}
    first = parse_payload(json.dumps({"observations": [good, {"sensor": "S"}, good]}))
    malformed = parse_payload(b"{nope")
    again = parse_payload(json.dumps({"observations": [{"value": 2}, good]}))
    again.mark_redelivered()
    merged = Parsed.merge([first, malformed, again])
    assert merged.indices == [0, 2, 5]
    assert [(r.index, r.reason.split(":")[0]) for r in merged.rejections] == [
        (1, "missing field(s)"),
        (3, "malformed JSON"),
        (4, "missing field(s)"),
    ]
    assert merged.redelivered == {4, 5}
    assert len(merged.readings) == len(merged.payloads) == 3
