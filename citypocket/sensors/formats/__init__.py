"""Payload formats accepted by the engine, each parsed at the edge into `Reading`s.

Every parser takes decoded JSON and returns a `Parsed` (readings, their item index and text, and
rejections with a reason): it never raises. `parse_payload` decodes bytes, picks the parser
(explicit format, Content-Type, or the payload's shape) and reports malformed JSON as a rejection.

Invariant, checked by property-based tests: whatever the input, the result holds at least one
reading or one rejection, and every rejection has a reason.
"""

import json
from typing import Any

from citypocket.sensors.formats import citypocket, ngsild, sensorcommunity
from citypocket.sensors.readings import MAX_PAYLOAD_TEXT, Parsed

FORMATS = ("citypocket", "ngsi-ld", "sensor.community")
PARSERS = {"citypocket": citypocket.parse, "ngsi-ld": ngsild.parse, "sensor.community": sensorcommunity.parse}

__all__ = ["FORMATS", "detect_format", "parse_payload"]


def detect_format(data: Any, *, content_type: str = "") -> str:
    """ "citypocket", "ngsi-ld", "sensor.community", or "" when the shape is not recognised."""
    if "ld+json" in content_type:
        return "ngsi-ld"
    if isinstance(data, dict):
        if "observations" in data:
            return "citypocket"
        if "sensordatavalues" in data:
            return "sensor.community"
        if ngsild.looks_like(data):
            return "ngsi-ld"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        if "sensordatavalues" in data[0]:
            return "sensor.community"
        if ngsild.looks_like(data[0]):
            return "ngsi-ld"
    return ""


ALIASES = {
    "citypocket": "citypocket",
    "json": "citypocket",
    "ngsi-ld": "ngsi-ld",
    "ngsild": "ngsi-ld",
    "sensor.community": "sensor.community",
    "sensorcommunity": "sensor.community",
    "luftdaten": "sensor.community",
}


def parse_payload(body: bytes | str, *, format: str = "", content_type: str = "") -> Parsed:
    """Decodes and parses a whole payload; never raises (malformed input becomes a rejection)."""
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray, memoryview)) else str(body)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        parsed = Parsed(format=format, malformed=True)
        reason = f"malformed JSON: {error}" if isinstance(error, ValueError) else "malformed JSON: nested too deeply"
        parsed.reject(index=0, reason=reason[:300], payload=text[:MAX_PAYLOAD_TEXT])
        return parsed
    chosen = ALIASES.get(format.strip().lower(), "") if format else ""
    if format and not chosen:
        parsed = Parsed(format=format)
        parsed.reject(index=0, reason=f"unknown format {format[:40]!r}", payload=text[:MAX_PAYLOAD_TEXT])
        return parsed
    chosen = chosen or detect_format(data, content_type=content_type)
    if not chosen:
        parsed = Parsed()
        parsed.reject(
            index=0,
            reason="unrecognised payload: expected a CityPocket batch, NGSI-LD entities or sensor.community data",
            payload=text[:MAX_PAYLOAD_TEXT],
        )
        return parsed
    return PARSERS[chosen](data)
