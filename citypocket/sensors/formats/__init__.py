"""Payload formats accepted by the engine, each parsed at the edge into `Reading`s.

Every parser takes decoded JSON and returns a `Parsed` (readings, their item index and text, and
rejections with a reason): it never raises. `parse_payload` decodes bytes, picks the parser
(explicit format, Content-Type, or the payload's shape) and reports malformed JSON as a rejection.

Invariant, checked by property-based tests: whatever the input, the result holds at least one
reading or one rejection, and every rejection has a reason.
"""

from citypocket.sensors.formats.base import MalformedPayload, Parsed, detect_format, parse_payload

FORMATS = ("citypocket", "ngsi-ld", "sensor.community")

__all__ = ["FORMATS", "MalformedPayload", "Parsed", "detect_format", "parse_payload"]
