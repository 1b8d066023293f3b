"""Sensor API: HTTP ingest for machines (bearer token), public reads of sensors and observations."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router

from citypocket.cities.selectors import get_city
from citypocket.core import fastlane, geojson
from citypocket.core.http import GEOJSON_CONTENT_TYPE, Read, cache_public, freshness_etag, read_answer
from citypocket.core.pagination import CURSOR, cursor_page, decode_cursor, next_link
from citypocket.core.params import CitySlug
from citypocket.core.problems import InvalidValues, Overloaded, PayloadTooLarge, problem_response, responses
from citypocket.sensors import rollups, selectors
from citypocket.sensors.auth import INGEST, IngestTokenAuth
from citypocket.sensors.formats import parse_payload
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.schemas import IngestOut, ObservationSeries, SensorCollection

logger = logging.getLogger(__name__)
router = Router(tags=["sensors"])

_READING_SCHEMA = {
    "type": "object",
    "required": ["sensor", "property", "time", "value", "unit"],
    "properties": {
        "sensor": {"type": "string", "example": "FR25036"},
        "property": {"type": "string", "example": "no2"},
        "time": {"type": "string", "format": "date-time", "example": "2026-11-25T10:00:00Z"},
        "value": {"type": "number", "example": 41.2},
        "unit": {"type": "string", "example": "ug/m3"},
    },
}
INGEST_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            'A CityPocket batch `{"observations": [...]}`, NGSI-LD entities (AirQualityObserved, '
            "OffStreetParking, ParkingSpot, TrafficFlowObserved; normalized or keyValues) or sensor.community "
            "JSON. The format is taken from `?format=`, else `Content-Type: application/ld+json` (NGSI-LD), "
            "else the payload's shape."
        ),
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["observations"],
                            "properties": {"observations": {"type": "array", "items": _READING_SCHEMA}},
                        },
                        {"type": "array", "items": {"type": "object"}},
                        {"type": "object"},
                    ]
                }
            },
            "application/ld+json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}},
        },
    }
}


@router.post(
    "/ingest",
    auth=IngestTokenAuth(),
    throttle=[INGEST],
    response=responses({202: IngestOut}, 400, 401, 413, 422, 429, 503),
    operation_id="ingest_observations",
    summary="Push observations (machines, bearer token)",
    description=(
        "Validates each reading at the edge and stores the valid ones idempotently: a reading already "
        "stored (same sensor, property and time) counts as a duplicate. Refused items are listed with "
        "their index and reason and kept as dead letters. Malformed JSON answers 400; a body over "
        "INGEST_MAX_BYTES answers 413; too many requests for one token answer 429 with Retry-After; an "
        "unavailable database answers 503 with Retry-After (nothing written)."
    ),
    openapi_extra=INGEST_BODY,
)
def ingest(request: HttpRequest, format: Literal["citypocket", "ngsi-ld", "sensor.community"] | None = None):
    token = request.auth
    limit = settings.INGEST_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        declared_size = int(declared)
    except ValueError:
        declared_size = 0
    if declared_size > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    body = request.read(limit + 1)  # never request.body: it would buffer an unbounded stream
    if len(body) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    parsed = parse_payload(body, format=format or "", content_type=request.content_type or "")
    try:
        result = ingest_observations(city=token.city, batch=parsed, source=f"http:{token.name or token.pk}")
    except OperationalError:  # database locked, unreachable or out of connections: nothing was written
        logger.exception("ingest: database unavailable")
        raise Overloaded("The database is busy; nothing was written. Retry later.", retry_after=5) from None
    if parsed.malformed:
        return problem_response(400, parsed.rejections[0].reason, slug="malformed-json")
    return 202, {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": [{"index": item.index, "reason": item.reason} for item in result.rejected],
    }


@router.get(
    "/cities/{city}/sensors",
    response=responses({200: SensorCollection}, 404, 422),
    operation_id="list_sensors",
    summary="Sensors of a city with their latest values (GeoJSON)",
)
@cache_public(max_age=30)
def list_sensors(
    request: HttpRequest, city: CitySlug, kind: Literal["air", "parking", "traffic", "other"] | None = None
):
    # A hot read: one query (sensors left-joined to their latest values), an ETag from the rows read
    # (a 304 before the answer is built), the answer rendered in the SensorCollection shape without
    # ninja's validation (core.http.Read); also answered by the fast lane (core.fastlane).
    return read_answer(request, latest_values(get_city(slug=city), kind=kind))


def latest_values(place, *, kind: str | None) -> Read:
    """The city's sensors with their latest values (of one kind, or all): the answer of list_sensors."""
    sensors = selectors.list_sensors_latest(city=place, kind=kind)
    etag = freshness_etag("sensors", 2, kind, [
        (sensor.pk, sensor.external_id, sensor.name, sensor.kind, sensor.lat, sensor.lon, sensor.simulated, values)
        for sensor, values in sensors
    ])

    def build() -> dict:
        return geojson.feature_collection(
            geojson.feature(sensor.external_id, geojson.point(sensor.lon, sensor.lat), {
                "name": sensor.name,
                "kind": sensor.kind,
                "latest": {prop: {"value": value, "unit": unit, "observed_at": moment.astimezone(UTC)}
                           for prop, unit, value, moment in values},
                "simulated": sensor.simulated,
            })
            for sensor, values in sensors
        )

    return Read(build, etag=etag, content_type=GEOJSON_CONTENT_TYPE)


MAX_AGGREGATE_SPAN = {"hour": timedelta(days=366), "day": timedelta(days=3660)}


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidValues("Times need a UTC offset.", errors=[{"field": field, "message": "needs a UTC offset"}])
    return moment.astimezone(UTC)


@router.get(
    "/cities/{city}/sensors/{sensor}/observations",
    response=responses({200: ObservationSeries}, 404, 422),
    operation_id="list_sensor_observations",
    summary="Observations of one property of a sensor (raw or hourly/daily aggregates)",
    description=(
        "Half-open interval [`from`, `to`) (ISO 8601 with offset; default: the last 24 hours). "
        "`resolution=raw` pages with a cursor (`next` link); `hour` and `day` give avg/min/max/count per "
        "period, read from hourly and daily roll-ups kept at ingest (days of the city's time zone; hours "
        "are UTC hours, the city's own where its offset is a whole number of hours)."
    ),
    exclude_none=True,
)
@cache_public(max_age=60)
def list_observations(
    request: HttpRequest,
    city: CitySlug,
    sensor: Annotated[str, Path(max_length=120, description="The sensor's external id")],
    property: Annotated[str, Query(max_length=40, description="e.g. `no2`, `pm25`, `available_spots`")],
    resolution: Literal["raw", "hour", "day"] = "raw",
    cursor: Annotated[str | None, Query(**CURSOR)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
):
    # A hot read: the sensor and its datastream in one query, the roll-ups in another (plain SQL), an
    # ETag from the rows read (a 304 before the answer is built) and the answer rendered in the
    # ObservationSeries shape without ninja's validation (core.http.Read; no `None` member,
    # as `exclude_none` would give).
    return read_answer(request, observation_series(
        request, get_city(slug=city), sensor=sensor, property=property, resolution=resolution, cursor=cursor,
        limit=limit, start=start, end=end,
    ))


def observation_series(
    request: HttpRequest, place, *, sensor: str, property: str, resolution: str, cursor: str | None, limit: int,
    start: datetime | None, end: datetime | None,
) -> Read:
    """The series' answer (the fast lane gives the `hour` and `day` ones too: core.fastlane); `request`
    only names the next page of a raw series."""
    stream = selectors.get_sensor_datastream(city=place, external_id=sensor, property=property)
    found = stream.sensor
    end = _aware(end, "to") if end else timezone.now().astimezone(UTC)
    start = _aware(start, "from") if start else end - timedelta(days=1)
    if start >= end:
        raise InvalidValues("`from` must be before `to`.", errors=[{"field": "from", "message": "not before to"}])
    series = {
        "sensor": found.external_id,
        "simulated": found.simulated,
        "property": stream.property,
        "unit": stream.unit,
        "resolution": resolution,
        "start": start,
        "end": end,
    }
    if resolution == "raw":
        rows = selectors.list_observations(datastream=stream, start=start, end=end)
        if cursor:
            (after,) = decode_cursor(cursor, datetime)
            rows = rows.filter(phenomenon_time__gt=after)
        page = cursor_page(rows.values_list("phenomenon_time", "value"), limit=limit, key=lambda row: row[:1])
        series["items"] = [{"time": moment.astimezone(UTC), "value": value} for moment, value in page.items]
        # The window is pinned in the link: a default `to` (now) must not move between pages.
        link = next_link(request, page.next_cursor, pinned={"from": start.isoformat(), "to": end.isoformat()})
        if link is not None:
            series["next"] = link
    else:
        if end - start > MAX_AGGREGATE_SPAN[resolution]:
            raise InvalidValues(
                "The interval is too long for this resolution.",
                errors=[{"field": "from", "message": f"at most {MAX_AGGREGATE_SPAN[resolution].days} days"}],
            )
        series["items"] = [
            {key: value for key, value in item.items() if value is not None}
            for item in rollups.series(datastream=stream, city=place, resolution=resolution, start=start, end=end)
        ]
    return Read(lambda: series, etag=freshness_etag("observations", 2, series))


SENSOR_KINDS = ("air", "parking", "traffic", "other")


def fast_list_sensors(request: HttpRequest, language: str, query: dict, *, city: str) -> Read:
    """The latest values in the fast lane (core.fastlane); an unknown kind is Django's 422."""
    kind = query.get("kind")
    if kind is not None and kind not in SENSOR_KINDS:
        raise fastlane.Decline
    return latest_values(get_city(slug=city), kind=kind)


def fast_list_observations(request: HttpRequest, language: str, query: dict, *, city: str, sensor: str) -> Read:
    """The `hour` and `day` series in the fast lane (core.fastlane); a raw page (with its cursor) is Django's."""
    resolution = query.get("resolution")
    if resolution not in ("hour", "day") or len(sensor) > 120 or not 0 < len(query.get("property", "")) <= 40:
        raise fastlane.Decline  # Django's page, or its 422
    return observation_series(
        request, get_city(slug=city), sensor=sensor, property=query["property"], resolution=resolution, cursor=None,
        limit=1000, start=fastlane.moment(query["from"]) if "from" in query else None,
        end=fastlane.moment(query["to"]) if "to" in query else None,
    )
