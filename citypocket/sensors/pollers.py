"""Feed pollers: an OpenDataSoft Explore v2.1 poller and a generic JSON-over-HTTP poller.

Both fetch records and turn them, through a per-feed field mapping, into a parsed batch
(`readings.Parsed`: readings and refused records with their reason); `poll_feed` hands it to the
one ingest door, `ingest.ingest_observations`, like every other transport (validation,
idempotent writes, dead letters).

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.sensors.formats.base import BadItem, parse_number
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import MAX_PAYLOAD_TEXT, IngestResult, Parsed, Reading, as_text

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
    records: list[Any], *, mapping: FieldMapping, zone: ZoneInfo, now: datetime, batch: Parsed, offset: int = 0
) -> Parsed:
    """Adds to `batch` the mapped readings of `records` (item index = offset + position) and the refused
    records with their reason; never raises."""
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
                    batch.reject(index=index, reason=str(error), payload=as_text(record))
                    refused += 1
                    continue
                batch.add(
                    Reading(f"{mapping.sensor_prefix}{sensor}".strip(), prop, moment, value, unit),
                    index=index,
                    payload=record,
                )
                made += 1
            if not made and not refused:
                raise BadItem("record has none of the mapped values")
        except BadItem as error:
            batch.reject(index=index, reason=str(error), payload=as_text(record))
    return batch


def fetch_opendatasoft(
    *,
    city: City,
    base_url: str,
    dataset: str,
    mapping: FieldMapping,
    where: str | None = None,
    client: httpx.Client | None = None,
    page_size: int = ODS_PAGE_MAX,
) -> Parsed:
    """Fetches every page of an ODS v2.1 dataset: one parsed batch of the mapped readings.

    An answer that is not ODS v2.1 ends the paging and is refused whole, with the index its first
    record would have had. HTTP errors raise (httpx.HTTPError).
    """
    page_size = max(1, min(page_size, ODS_PAGE_MAX))
    url = f"{base_url.rstrip('/')}/api/explore/v2.1/catalog/datasets/{dataset}/records"
    zone = city.zone
    now = timezone.now().replace(microsecond=0)
    batch = Parsed(format="opendatasoft")
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
                batch.reject(index=offset, reason="not an ODS v2.1 answer", payload=response.text[:MAX_PAYLOAD_TEXT])
                break
            page = data["results"]
            records_to_readings(page, mapping=mapping, zone=zone, now=now, batch=batch, offset=offset)
            offset += len(page)
            total = data.get("total_count")
            if not page or not isinstance(total, int) or offset >= total:
                break
    finally:
        if own:
            client.close()
    return batch


def fetch_json(
    *,
    city: City,
    url: str,
    mapping: FieldMapping,
    records: str = "",
    client: httpx.Client | None = None,
) -> Parsed:
    """Fetches one JSON document: one parsed batch of the records found at the dotted path `records` ("" = the root).

    A document that is not JSON, or has no list at `records`, is refused whole. HTTP errors raise.
    """
    own = client is None
    client = client or httpx.Client(timeout=30, follow_redirects=True)
    try:
        response = client.get(url)
        response.raise_for_status()
    finally:
        if own:
            client.close()
    batch = Parsed(format="json")
    try:
        data = response.json()
    except ValueError as error:
        batch.malformed = True
        batch.reject(index=0, reason=f"malformed JSON: {error}", payload=response.text[:MAX_PAYLOAD_TEXT])
        return batch
    items = _get(data, records) if records else data
    if not isinstance(items, list):
        batch.reject(index=0, reason=f"no list at {records or 'the root'}", payload=response.text[:MAX_PAYLOAD_TEXT])
        return batch
    now = timezone.now().replace(microsecond=0)
    return records_to_readings(items, mapping=mapping, zone=city.zone, now=now, batch=batch)


def configured_feeds() -> list[dict]:
    """The feeds of SENSOR_FEEDS (validated at start-up, see settings.py)."""
    return list(settings.SENSOR_FEEDS)


def poll_feed(feed: dict, *, client: httpx.Client | None = None) -> IngestResult:
    """Fetches one configured feed and ingests its batch through the ingest door (source `poll:<name>`)."""
    city = City.objects.get(slug=feed["city"])
    mapping = FieldMapping.from_dict(feed["mapping"])
    if feed.get("kind", "opendatasoft") == "opendatasoft":
        batch = fetch_opendatasoft(
            city=city,
            base_url=feed["base_url"],
            dataset=feed["dataset"],
            mapping=mapping,
            where=feed.get("where"),
            client=client,
        )
        source = f"poll:{feed.get('name') or feed['dataset']}"
    else:
        batch = fetch_json(city=city, url=feed["url"], mapping=mapping, records=feed.get("records", ""), client=client)
        source = f"poll:{feed.get('name') or feed['url']}"
    return ingest_observations(city=city, batch=batch, source=source)


def feed_label(feed: dict) -> str:
    return feed.get("name") or feed.get("dataset") or feed.get("url") or "feed"


def poll_configured_feeds(*, name: str = "") -> dict[str, IngestResult | Exception]:
    """Polls every feed of SENSOR_FEEDS (or the one called `name`) once; per feed, its result or the error.

    A feed that cannot be read (network, mapping, payload) does not stop the others.
    """
    outcomes: dict[str, IngestResult | Exception] = {}
    for feed in configured_feeds():
        if name and feed.get("name") != name:
            continue
        try:
            outcomes[feed_label(feed)] = poll_feed(feed)
        except (httpx.HTTPError, KeyError, ValueError) as error:
            logger.warning("feed poll failed", extra={"feed": feed_label(feed), "error": type(error).__name__})
            outcomes[feed_label(feed)] = error
    return outcomes
