"""Connector for the official daily ATMO index per commune, as the Atmo associations publish it.

Every AASQA (Atmo Normandie, AtmoSud, …) publishes the same layer, "indice ATMO" per commune for
day J and J+1, on ArcGIS (FeatureServer `query`, `f=json` or `f=geojson`) or OpenDataSoft
(`/api/explore/v2.1/.../records`): fields `date_ech` (the day the index is for), `date_dif` (the
day it was published), `code_qual` / `lib_qual` / `coul_qual`, the sub-indices `code_no2`,
`code_o3`, `code_pm10`, `code_pm25`, `code_so2`, and `code_zone` (INSEE code) / `lib_zone`.

Quirks handled here: ArcGIS dates are epoch milliseconds, often at *local* midnight (23:00 UTC the
day before in winter), so they are read in the city's time zone; ODS and GeoJSON give ISO dates.
`code_qual` 0 is "Indisponible" and 7 "Événement" (an incident); both are kept as they are.
Only the communes of the city (`City.insee_codes`) are kept.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citypocket.air import indices
from citypocket.air.episodes import EPISODE_LEVEL, check_episodes
from citypocket.air.models import AirIndexDaily, Source
from citypocket.cities.models import City

SUB_INDEX_FIELDS = {"no2": "code_no2", "o3": "code_o3", "pm10": "code_pm10", "pm25": "code_pm25", "so2": "code_so2"}
MAX_CODE = indices.EVENT
PARIS = ZoneInfo("Europe/Paris")  # every Atmo association publishes in metropolitan French time


class FeedError(ValueError):
    """The payload is not an ATMO index layer we can read."""


@dataclass(frozen=True)
class OfficialIndex:
    zone_code: str
    zone_name: str
    day: date
    published: date | None
    level: int
    sub_indices: dict[str, int]
    source: str


def _records(payload) -> list[dict]:
    """The attribute dicts of an ArcGIS JSON, GeoJSON or ODS v2.1 payload (or a bare list)."""
    if isinstance(payload, list):
        return [item for item in payload if isinstance(item, dict)]
    if not isinstance(payload, dict):
        raise FeedError("the payload is not a JSON object")
    if "features" in payload:
        records = []
        for feature in payload["features"] or []:
            if isinstance(feature, dict):
                records.append(feature.get("attributes") or feature.get("properties") or {})
        return records
    if "results" in payload:  # OpenDataSoft explore v2.1
        return [item for item in payload["results"] or [] if isinstance(item, dict)]
    if "records" in payload:  # OpenDataSoft v1
        return [item.get("fields", {}) for item in payload["records"] or [] if isinstance(item, dict)]
    raise FeedError("no features, results or records in the payload")


def _day(value, zone: tzinfo) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=UTC).astimezone(zone).date()
    text = str(value)
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"unreadable date {text!r}") from None
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


def _code(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        code = int(value)
    except (TypeError, ValueError):
        raise FeedError(f"unreadable index code {value!r}") from None
    if not 0 <= code <= MAX_CODE:
        raise FeedError(f"index code {code} out of 0..7")
    return code


def parse_official(payload, *, zone: tzinfo = PARIS) -> list[OfficialIndex]:
    """Reads every commune-day of the payload, epoch dates in `zone` (raises FeedError on an unreadable one)."""
    parsed = []
    for record in _records(payload):
        level = _code(record.get("code_qual"))
        day = _day(record.get("date_ech"), zone)
        code_zone = str(record.get("code_zone") or "").strip()
        if level is None or day is None or not code_zone:
            raise FeedError("a record lacks code_qual, date_ech or code_zone")
        subs = {}
        for pollutant, field in SUB_INDEX_FIELDS.items():
            value = _code(record.get(field))
            if value:
                subs[pollutant] = value
        parsed.append(
            OfficialIndex(
                zone_code=code_zone,
                zone_name=str(record.get("lib_zone") or ""),
                day=day,
                published=_day(record.get("date_dif"), zone),
                level=level,
                sub_indices=subs,
                source=str(record.get("source") or record.get("aasqa") or ""),
            )
        )
    return parsed


@transaction.atomic
def import_official_indices(*, city: City, payload, now: datetime | None = None) -> list[AirIndexDaily]:
    """Stores the official indices of the city's communes (idempotent per commune, day and scale)."""
    now = now or timezone.now()
    communes = set(city.insee_codes or [])
    version = indices.get_scale(indices.ATMO).version
    rows = []
    for item in parse_official(payload, zone=city.zone):
        if communes and item.zone_code not in communes:
            continue
        dominant = [p for p in indices.POLLUTANTS if 1 <= item.level <= 6 and item.sub_indices.get(p) == item.level]
        published = item.published or city.local_today(now)
        row, _created = AirIndexDaily.objects.update_or_create(
            city=city,
            station=None,
            date=item.day,
            scale=indices.ATMO,
            source=Source.OFFICIAL,
            zone_code=item.zone_code,
            defaults={
                "version": version,
                "level": item.level,
                "sub_indices": item.sub_indices,
                "dominant": dominant,
                "forecast": item.day > published,
                "provisional": False,
                "zone_name": item.zone_name,
                "data_until": None,
                "computed_at": now,
            },
        )
        rows.append(row)
    if any(row.level >= EPISODE_LEVEL for row in rows):
        check_episodes(city=city, now=now)
    return rows


def feed_url(city: City) -> str:
    """The configured feed URL of a city (`AIR_ATMO_FEEDS = {"rouen": "https://…"}`), or ""."""
    return settings.AIR_ATMO_FEEDS.get(city.slug, "")


def fetch_official_indices(*, city: City, url: str | None = None, timeout: float = 20.0) -> list[AirIndexDaily]:
    """Downloads the city's feed and stores its indices; FeedError when it cannot be read."""
    target = url or feed_url(city)
    if not target:
        raise FeedError("no official feed is configured for this city")
    try:
        response = httpx.get(target, timeout=timeout, follow_redirects=True,
                             headers={"Accept": "application/json", "User-Agent": "CityPocket air"})
        response.raise_for_status()
        payload = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise FeedError(f"the feed could not be read: {error.__class__.__name__}") from error
    return import_official_indices(city=city, payload=payload)
