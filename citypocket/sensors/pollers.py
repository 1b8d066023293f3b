"""Feed pollers: an OpenDataSoft Explore v2.1 poller and a generic JSON-over-HTTP poller.

Both turn records into `Reading`s through a per-feed field mapping and go through the same
`ingest_batch` as every other transport (validation, idempotent writes, dead letters).

A feed is configured as a dict (setting or environment variable `SENSOR_FEEDS`, a JSON list):

    {"name": "rouen-parkings", "city": "rouen", "kind": "opendatasoft",
     "base_url": "https://data.metropole-rouen-normandie.fr", "dataset": "parkings-temps-reel",
     "where": "etat = 'OUVERT'",
     "mapping": {"sensor": "id_parking", "sensor_prefix": "ROUEN-P-", "time": "date_maj",
                 "values": {"available_spots": ["places_libres", "1"]}}}

    {"name": "gateway-x", "city": "aix-en-provence", "kind": "json", "url": "https://…/latest.json",
     "records": "data.items", "mapping": {…}}

OpenDataSoft v2.1 answers `{"total_count": N, "results": [...]}`; pages are fetched with
`limit` (at most 100, the API's maximum) and `offset`, up to the API's 10 000-record window.
A time without offset is read in the city's time zone (portals usually publish local times).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.sensors.formats.base import BadItem, as_text, parse_number
from citypocket.sensors.readings import IngestResult, Reading
from citypocket.sensors.services import ItemRejection, dead_letter, ingest_batch

logger = logging.getLogger(__name__)
ODS_PAGE_MAX = 100
ODS_WINDOW = 10_000


@dataclass(frozen=True)
class FieldMapping:
    """Where a record keeps its sensor id, its time and each property's value (and unit)."""

    sensor: str
    values: dict[str, tuple[str, str]]
    time: str | None = None  # None: the time of the poll
    sensor_prefix: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "FieldMapping":
        return cls(
            sensor=data["sensor"],
            values={prop: (spec[0], spec[1]) for prop, spec in data["values"].items()},
            time=data.get("time"),
            sensor_prefix=data.get("sensor_prefix", ""),
        )


@dataclass
class Records:
    items: list[Any] = field(default_factory=list)
    rejections: list[ItemRejection] = field(default_factory=list)


def _get(record: Any, path: str) -> Any:
    """A dotted path into nested dicts (`fields.places`), or None."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _time(value: Any, *, zone: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not value:
        raise BadItem("time is missing")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadItem(f"time {value[:40]!r} is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def records_to_readings(
    records: list[Any], *, mapping: FieldMapping, zone: ZoneInfo, now: datetime, offset: int = 0
) -> tuple[list[Reading], list[int], list[Any], list[ItemRejection]]:
    """Readings (with their record index and record) and refusals; never raises."""
    readings, indices, payloads, rejections = [], [], [], []
    for position, record in enumerate(records):
        index = offset + position
        try:
            if not isinstance(record, dict):
                raise BadItem("record is not an object")
            sensor = _get(record, mapping.sensor)
            if isinstance(sensor, bool) or not isinstance(sensor, (str, int)) or str(sensor).strip() == "":
                raise BadItem(f"record has no {mapping.sensor}")
            moment = _time(_get(record, mapping.time), zone=zone) if mapping.time else now
            made = refused = 0
            for prop, (path, unit) in mapping.values.items():
                raw = _get(record, path)
                if raw is None:
                    continue
                try:
                    value = parse_number(raw, name=path)
                except BadItem as error:
                    rejections.append(ItemRejection(index, str(error), as_text(record)))
                    refused += 1
                    continue
                readings.append(Reading(f"{mapping.sensor_prefix}{sensor}".strip(), prop, moment, value, unit))
                indices.append(index)
                payloads.append(record)
                made += 1
            if not made and not refused:
                raise BadItem("record has none of the mapped values")
        except BadItem as error:
            rejections.append(ItemRejection(index, str(error), as_text(record)))
    return readings, indices, payloads, rejections


def poll_opendatasoft(
    *,
    city: City,
    base_url: str,
    dataset: str,
    mapping: FieldMapping,
    where: str | None = None,
    client: httpx.Client | None = None,
    page_size: int = ODS_PAGE_MAX,
    name: str = "",
) -> IngestResult:
    """Fetches every page of an ODS v2.1 dataset and ingests the mapped readings in one batch."""
    page_size = max(1, min(page_size, ODS_PAGE_MAX))
    url = f"{base_url.rstrip('/')}/api/explore/v2.1/catalog/datasets/{dataset}/records"
    zone = ZoneInfo(city.timezone)
    now = timezone.now().replace(microsecond=0)
    source = f"poll:{name or dataset}"
    readings, indices, payloads, rejections = [], [], [], []
    offset = 0
    own = client is None
    client = client or httpx.Client(timeout=30, follow_redirects=True)
    try:
        while offset < ODS_WINDOW:
            params = {"limit": min(page_size, ODS_WINDOW - offset), "offset": offset}
            if where:
                params["where"] = where
            response = client.get(url, params=params)
            response.raise_for_status()
            data = response.json()
            if not isinstance(data, dict) or not isinstance(data.get("results"), list):
                dead_letter(city=city, source=source, payload=response.text[:20_000], reason="not an ODS v2.1 answer")
                break
            page = data["results"]
            got = records_to_readings(page, mapping=mapping, zone=zone, now=now, offset=offset)
            for bucket, items in zip((readings, indices, payloads, rejections), got, strict=True):
                bucket.extend(items)
            offset += len(page)
            total = data.get("total_count")
            if not page or not isinstance(total, int) or offset >= total:
                break
    finally:
        if own:
            client.close()
    return ingest_batch(
        city=city, readings=readings, source=source, indices=indices, payloads=payloads, rejections=rejections
    )


def poll_json(
    *,
    city: City,
    url: str,
    mapping: FieldMapping,
    records: str = "",
    client: httpx.Client | None = None,
    name: str = "",
) -> IngestResult:
    """Fetches one JSON document and ingests the records found at the dotted path `records` ("" = the root)."""
    source = f"poll:{name or url}"[:200]
    own = client is None
    client = client or httpx.Client(timeout=30, follow_redirects=True)
    try:
        response = client.get(url)
        response.raise_for_status()
    finally:
        if own:
            client.close()
    try:
        data = response.json()
    except ValueError as error:
        dead_letter(city=city, source=source, payload=response.text[:20_000], reason=f"malformed JSON: {error}")
        return IngestResult(rejected=[])
    items = _get(data, records) if records else data
    if not isinstance(items, list):
        dead_letter(
            city=city, source=source, payload=response.text[:20_000], reason=f"no list at {records or 'the root'}"
        )
        return IngestResult()
    now = timezone.now().replace(microsecond=0)
    readings, indices, payloads, rejections = records_to_readings(
        items, mapping=mapping, zone=ZoneInfo(city.timezone), now=now
    )
    return ingest_batch(
        city=city, readings=readings, source=source, indices=indices, payloads=payloads, rejections=rejections
    )


def configured_feeds() -> list[dict]:
    """The feeds of SENSOR_FEEDS (validated at start-up, see settings.py)."""
    return list(settings.SENSOR_FEEDS)


def poll_feed(feed: dict, *, client: httpx.Client | None = None) -> IngestResult:
    city = City.objects.get(slug=feed["city"])
    mapping = FieldMapping.from_dict(feed["mapping"])
    if feed.get("kind", "opendatasoft") == "opendatasoft":
        return poll_opendatasoft(
            city=city,
            base_url=feed["base_url"],
            dataset=feed["dataset"],
            mapping=mapping,
            where=feed.get("where"),
            client=client,
            name=feed.get("name", ""),
        )
    return poll_json(
        city=city,
        url=feed["url"],
        mapping=mapping,
        records=feed.get("records", ""),
        client=client,
        name=feed.get("name", ""),
    )
