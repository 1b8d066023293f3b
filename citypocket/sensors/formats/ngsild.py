"""NGSI-LD entities (normalized and keyValues) of four FIWARE Smart Data Models.

Accepted shapes: one entity, a list of entities, or a notification `{"type": "Notification",
"data": [...]}`. Each attribute may be normalized (`{"type": "Property", "value": …,
"observedAt": …, "unitCode": …}`) or a bare keyValues value.

Mapping (examples: Smart Data Models, CC-BY-4.0, copied in sensors/tests/fixtures/):

- AirQualityObserved: no2, no, nox, o3, so2, co, nh3, c6h6, pm1, pm10, pm25 (also `pm2_5`),
  temperature, relativeHumidity (0-1). `unitCode` is UN/CEFACT: GQ = µg/m³ (the default),
  GP = mg/m³, 61 = ppb, 59 = ppm.
- OffStreetParking: availableSpotNumber -> available_spots, occupancy (0-1 fraction) -> occupancy.
- ParkingSpot: status free / occupied -> available_spots 1 / 0 and occupancy 0 / 1.
- TrafficFlowObserved: intensity (vehicles counted over dateObservedFrom-dateObservedTo) ->
  vehicle_flow in veh/h; occupancy (0-1); averageVehicleSpeed -> average_speed (km/h).

Time of a value: its `observedAt`, else the entity's dateObserved, dateObservedFrom,
observationDateTime or dateModified. NGSI-LD times are UTC (ETSI GS CIM 009 §4.6.3), so a
time without offset is read as UTC.

The sensor is the entity's `refDevice` when there is one (its last `:` segment), else the
entity id without its `urn:ngsi-ld:<Type>:` prefix (e.g. `porto-ParkingLot-23889`).
"""

from typing import Any

from citypocket.sensors.formats.base import BadItem, add_items, parse_number, parse_time
from citypocket.sensors.readings import Parsed, Reading

AIR = {
    "no2": "no2",
    "no": "no",
    "nox": "nox",
    "o3": "o3",
    "so2": "so2",
    "co": "co",
    "nh3": "nh3",
    "c6h6": "c6h6",
    "pm1": "pm1",
    "pm10": "pm10",
    "pm25": "pm25",
    "pm2_5": "pm25",
    "temperature": "temperature",
    "relativeHumidity": "relative_humidity",
}
UNIT_CODES = {
    "GQ": "ug/m3",
    "GP": "mg/m3",
    "61": "ppb",
    "59": "ppm",
    "CEL": "Cel",
    "C62": "1",
    "P1": "%",
    "KMH": "km/h",
}
DEFAULT_UNIT = {"temperature": "Cel", "relative_humidity": "1", "average_speed": "km/h"}
TYPES = ("AirQualityObserved", "OffStreetParking", "ParkingSpot", "TrafficFlowObserved")
TIME_ATTRIBUTES = ("dateObserved", "dateObservedFrom", "observationDateTime", "dateModified")


def looks_like(data: dict) -> bool:
    if data.get("type") == "Notification" and isinstance(data.get("data"), list):
        return True
    entity_type = data.get("type")
    entity_id = data.get("id")
    return entity_type in TYPES or (isinstance(entity_id, str) and entity_id.startswith("urn:ngsi-ld:"))


def parse(data: Any) -> Parsed:
    parsed = Parsed(format="ngsi-ld")
    if isinstance(data, dict) and data.get("type") == "Notification":
        data = data.get("data")
    entities = data if isinstance(data, list) else [data]
    return add_items(parsed, entities, parse_entity, empty="payload contains no entity", whole=data)


def _value(attribute: Any) -> Any:
    """The value of a normalized attribute, or the keyValues value itself."""
    if isinstance(attribute, dict) and attribute.get("type") in ("Property", "GeoProperty") and "value" in attribute:
        return attribute["value"]
    if isinstance(attribute, dict) and attribute.get("type") == "Relationship":
        return attribute.get("object")
    return attribute


def _sensor_id(entity: dict) -> str:
    device = _value(entity.get("refDevice")) if "refDevice" in entity else None
    if isinstance(device, list) and device:
        device = device[0]
    if isinstance(device, str) and device.strip():
        return device.strip().rsplit(":", 1)[-1]
    entity_id = entity.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise BadItem("entity has no id")
    prefix = f"urn:ngsi-ld:{entity.get('type')}:"
    sensor = entity_id[len(prefix) :] if entity_id.startswith(prefix) else entity_id
    if not sensor or len(sensor) > 120:
        raise BadItem("entity id is empty or too long")
    return sensor


def _entity_time(entity: dict):
    for name in TIME_ATTRIBUTES:
        if name in entity:
            return parse_time(_value(entity[name]), assume_utc=True)
    return None


def _time_of(attribute: Any, entity_time, name: str):
    if isinstance(attribute, dict) and "observedAt" in attribute:
        return parse_time(attribute["observedAt"], assume_utc=True)
    if entity_time is None:
        raise BadItem(f"{name}: no observedAt and no dateObserved")
    return entity_time


def parse_entity(entity: Any) -> list[Reading | str]:
    """The readings of one entity; a string in the list is the reason one attribute was refused."""
    if not isinstance(entity, dict):
        raise BadItem("entity is not an object")
    entity_type = entity.get("type")
    if entity_type not in TYPES:
        raise BadItem(f"unsupported entity type {str(entity_type)[:60]!r} (supported: {', '.join(TYPES)})")
    sensor = _sensor_id(entity)
    try:
        entity_time = _entity_time(entity)
    except BadItem as error:
        raise BadItem(f"entity time: {error}") from None
    out: list[Reading | str] = []

    def emit(name: str, prop: str, value: Any, unit: str, attribute: Any) -> None:
        try:
            out.append(
                Reading(
                    sensor=sensor,
                    property=prop,
                    time=_time_of(attribute, entity_time, name),
                    value=parse_number(value, name=name),
                    unit=unit,
                )
            )
        except BadItem as error:
            message = str(error)
            out.append(message if message.startswith(name) else f"{name}: {message}")

    if entity_type == "AirQualityObserved":
        for name, prop in AIR.items():
            if name not in entity:
                continue
            attribute = entity[name]
            code = attribute.get("unitCode") if isinstance(attribute, dict) else None
            if code is not None:
                unit = UNIT_CODES.get(str(code).upper())
                if unit is None:
                    out.append(f"{name}: unknown unitCode {str(code)[:20]!r}")
                    continue
            else:
                unit = DEFAULT_UNIT.get(prop, "ug/m3")
            emit(name, prop, _value(attribute), unit, attribute)
    elif entity_type == "OffStreetParking":
        if "availableSpotNumber" in entity:
            attribute = entity["availableSpotNumber"]
            emit("availableSpotNumber", "available_spots", _value(attribute), "1", attribute)
        if "occupancy" in entity:
            attribute = entity["occupancy"]
            emit("occupancy", "occupancy", _value(attribute), "1", attribute)
    elif entity_type == "ParkingSpot":
        if "status" in entity:
            attribute = entity["status"]
            status = _value(attribute)
            if status in ("free", "occupied"):
                emit("status", "available_spots", 1 if status == "free" else 0, "1", attribute)
                emit("status", "occupancy", 0 if status == "free" else 1, "1", attribute)
            else:
                out.append(f"status: {str(status)[:30]!r} is not an observation (expected free or occupied)")
    elif entity_type == "TrafficFlowObserved":
        if "intensity" in entity:
            attribute = entity["intensity"]
            try:
                flow = _hourly_flow(entity, _value(attribute))
            except BadItem as error:
                out.append(f"intensity: {error}")
            else:
                emit("intensity", "vehicle_flow", flow, "veh/h", attribute)
        if "occupancy" in entity:
            attribute = entity["occupancy"]
            emit("occupancy", "occupancy", _value(attribute), "1", attribute)
        if "averageVehicleSpeed" in entity:
            attribute = entity["averageVehicleSpeed"]
            emit("averageVehicleSpeed", "average_speed", _value(attribute), "km/h", attribute)
    if not out:
        raise BadItem(f"{entity_type} entity has no supported observed attribute")
    return out


def _hourly_flow(entity: dict, intensity: Any) -> float:
    """Vehicles counted over [dateObservedFrom, dateObservedTo), expressed per hour."""
    count = parse_number(intensity, name="intensity")
    if "dateObservedFrom" not in entity or "dateObservedTo" not in entity:
        raise BadItem("no observation period (dateObservedFrom/dateObservedTo) to express it in veh/h")
    start = parse_time(_value(entity["dateObservedFrom"]), assume_utc=True)
    end = parse_time(_value(entity["dateObservedTo"]), assume_utc=True)
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        raise BadItem("observation period is empty or reversed")
    return count * 3600.0 / seconds
