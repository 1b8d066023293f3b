"""A payload's whole path through the engine: decode, detect the format, parse, validate, write."""

from citypocket.cities.models import City
from citypocket.sensors.formats import Parsed, parse_payload
from citypocket.sensors.readings import IngestResult
from citypocket.sensors.services import ingest_batch


def ingest_payload(
    *, city: City | None, body: bytes | str, source: str, format: str = "", content_type: str = ""
) -> tuple[Parsed, IngestResult]:
    """Parses `body` (any accepted format) and ingests it for `city` in one transaction; never raises on input."""
    parsed = parse_payload(body, format=format, content_type=content_type)
    result = ingest_batch(
        city=city,
        readings=parsed.readings,
        source=source,
        indices=parsed.indices,
        payloads=parsed.payloads,
        rejections=parsed.rejections,
    )
    return parsed, result


def merge(parts: list[Parsed], spans: list[range] | None = None) -> Parsed:
    """Several parsed messages as one batch (item indices are renumbered to stay distinct).

    If `spans` is given, it receives the range of merged indices of each part.
    """
    merged = Parsed(format="mixed")
    offset = 0
    for part in parts:
        start = offset
        merged.readings.extend(part.readings)
        merged.indices.extend(index + offset for index in part.indices)
        merged.payloads.extend(part.payloads)
        for rejection in part.rejections:
            merged.reject(index=rejection.index + offset, reason=rejection.reason, payload=rejection.payload)
        offset += 1 + max([*part.indices, *(r.index for r in part.rejections), 0])
        if spans is not None:
            spans.append(range(start, offset))
    return merged
