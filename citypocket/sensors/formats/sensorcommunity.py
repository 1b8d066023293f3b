"""sensor.community (ex-luftdaten) JSON.

Two shapes:

- the data API (`https://data.sensor.community/airrohr/v1/...`): a list of
  `{"timestamp": "2026-11-25 10:00:00", "sensor": {"id": 12345, ...},
  "sensordatavalues": [{"value_type": "P1", "value": "12.3"}, ...]}`; timestamps are UTC
  without offset; the sensor's external id is `sc-<sensor id>`;
- the airrohr firmware push (`{"esp8266id": "1234567", "sensordatavalues": [...]}`), which has
  no time: the reading is stamped when received; the external id is `esp8266-<chip id>`.

Value types: P1 = PM10, P2 = PM2.5, P0 = PM1 (µg/m³), with or without a sensor prefix such as
`SDS_P1`; temperature (°C); humidity (% -> 0-1 fraction). Other value types (pressure, noise,
signal…) are ignored.
"""

from typing import Any

from django.utils import timezone

from citypocket.sensors.formats.base import BadItem, add_items, parse_number, parse_time
from citypocket.sensors.readings import Parsed, Reading

VALUE_TYPES = {
    "P1": ("pm10", "ug/m3"),
    "P2": ("pm25", "ug/m3"),
    "P0": ("pm1", "ug/m3"),
    "temperature": ("temperature", "Cel"),
    "humidity": ("relative_humidity", "%"),
}


def parse(data: Any) -> Parsed:
    parsed = Parsed(format="sensor.community")
    records = data if isinstance(data, list) else [data]
    return add_items(parsed, records, parse_record, empty="payload contains no record", whole=data)


def _sensor_id(record: dict) -> str:
    sensor = record.get("sensor")
    if isinstance(sensor, dict) and isinstance(sensor.get("id"), (int, str)) and not isinstance(sensor["id"], bool):
        return f"sc-{sensor['id']}"
    chip = record.get("esp8266id")
    if isinstance(chip, (int, str)) and not isinstance(chip, bool) and str(chip).strip():
        return f"esp8266-{str(chip).strip()}"
    raise BadItem("record has no sensor id (sensor.id or esp8266id)")


def parse_record(record: Any) -> list[Reading | str]:
    if not isinstance(record, dict):
        raise BadItem("record is not an object")
    values = record.get("sensordatavalues")
    if not isinstance(values, list):
        raise BadItem("record has no 'sensordatavalues' list")
    sensor = _sensor_id(record)
    if len(sensor) > 120:
        raise BadItem("sensor id is too long")
    if "timestamp" in record:
        moment = parse_time(record["timestamp"], assume_utc=True)
    elif "esp8266id" in record:
        moment = timezone.now().replace(microsecond=0)
    else:
        raise BadItem("record has no timestamp")
    out: list[Reading | str] = []
    for entry in values:
        if not isinstance(entry, dict) or not isinstance(entry.get("value_type"), str):
            out.append("sensordatavalues entry without a value_type")
            continue
        value_type = entry["value_type"]
        known = VALUE_TYPES.get(value_type) or VALUE_TYPES.get(value_type.rsplit("_", 1)[-1])
        if known is None:
            continue
        prop, unit = known
        try:
            out.append(Reading(sensor, prop, moment, parse_number(entry.get("value"), name=value_type), unit))
        except BadItem as error:
            out.append(str(error))
    if not out:
        raise BadItem("record has no P0, P1, P2, temperature or humidity value")
    return out
