"""The CityPocket JSON batch:

    {"observations": [{"sensor": "FR25036", "property": "no2", "time": "2026-11-25T10:00:00Z",
                       "value": 41.2, "unit": "ug/m3"}, …]}

Times need a UTC offset (API convention). Each item is checked on its own; a bad item is refused
with its index and the rest of the batch is kept.
"""

from typing import Any

from citypocket.sensors.formats.base import BadItem, add_items, parse_number, parse_time
from citypocket.sensors.readings import Parsed, Reading, as_text

FIELDS = ("sensor", "property", "time", "value", "unit")


def parse(data: Any) -> Parsed:
    parsed = Parsed(format="citypocket")
    if not isinstance(data, dict) or not isinstance(data.get("observations"), list):
        parsed.reject(index=0, reason="expected an object with an 'observations' list", payload=as_text(data))
        return parsed
    return add_items(parsed, data["observations"], parse_item, empty="payload contains no observation", whole=data)


def parse_item(item: Any) -> Reading:
    if not isinstance(item, dict):
        raise BadItem("observation is not an object")
    missing = [name for name in FIELDS if name not in item]
    if missing:
        raise BadItem("missing field(s): " + ", ".join(missing))
    for name in ("sensor", "property", "unit"):
        if not isinstance(item[name], str) or (name != "unit" and not item[name].strip()):
            raise BadItem(f"{name} must be a non-empty string")
    if len(item["sensor"]) > 120 or len(item["property"]) > 40 or len(item["unit"]) > 32:
        raise BadItem("sensor, property or unit is too long")
    return Reading(
        sensor=item["sensor"].strip(),
        property=item["property"].strip().lower(),
        time=parse_time(item["time"]),
        value=parse_number(item["value"]),
        unit=item["unit"],
    )
