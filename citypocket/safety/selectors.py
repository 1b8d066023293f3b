"""Reads of the safety app: staff triage lists and monthly figures, safe places (open now, nearest),
awareness articles, filmed zones."""

import datetime as dt
import json
import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from citypocket.cities.models import City
from citypocket.core import geojson
from citypocket.core.geo import haversine_m
from citypocket.safety.models import (
    WEEKDAYS,
    AwarenessArticle,
    FilmedZone,
    HarassmentReport,
    SafePlace,
)


def list_reports_for_triage(*, city: City, status: str = "", category: str = "", period: str = "") -> QuerySet:
    """A city's reports for its safety officers (coarse columns only; details go through the audited read)."""
    reports = HarassmentReport.objects.filter(city=city)
    if status:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(category=category)
    if period:
        # A month as YYYY-MM or YYYY-MM-DD; anything else is ignored rather than an error.
        parsed = parse_date(period if len(period) > 7 else f"{period}-01") if len(period) <= 10 else None
        if parsed is not None:
            reports = reports.filter(period=parsed.replace(day=1))
    return reports.order_by("-received_on", "id")


def compute_monthly_figures(*, city: City) -> list[dict]:
    """Counts per month, category and status, for staff (never published as such)."""
    rows = (
        HarassmentReport.objects.filter(city=city)
        .values("period", "category", "status")
        .annotate(count=Count("id"))
        .order_by("-period", "category", "status")
    )
    months: dict[dt.date, dict] = {}
    for row in rows:
        empty = {"period": row["period"], "total": 0, "categories": {}, "statuses": {}}
        month = months.setdefault(row["period"], empty)
        month["total"] += row["count"]
        month["categories"][row["category"]] = month["categories"].get(row["category"], 0) + row["count"]
        month["statuses"][row["status"]] = month["statuses"].get(row["status"], 0) + row["count"]
    return list(months.values())


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def is_open_at(opening_hours: dict, when: dt.datetime) -> bool:
    """True when `when` (local time) falls in an opening range; a range may end after midnight."""
    today = WEEKDAYS[when.weekday()]
    yesterday = WEEKDAYS[(when.weekday() - 1) % 7]
    now = when.hour * 60 + when.minute
    for start, end in opening_hours.get(today, []):
        s, e = _minutes(start), _minutes(end)
        if (s < e and s <= now < e) or (e <= s and now >= s):
            return True
    for start, end in opening_hours.get(yesterday, []):
        s, e = _minutes(start), _minutes(end)
        if e <= s and now < e:
            return True
    return False


# How far ahead a page carries a place's open intervals: a copy kept offline for a week still knows
# whether the place is open when it is read (the page recomputes "open now" on the device).
OPEN_INTERVALS_DAYS = 7


def compute_open_intervals(opening_hours: dict, *, start: dt.datetime, zone, days: int = OPEN_INTERVALS_DAYS
                           ) -> list[tuple[dt.datetime, dt.datetime]]:
    """The opening intervals (aware, in `zone`) that overlap [start, start + days), merged, in order.

    The same hours as `is_open_at` reads ({"mon": [["09:00", "19:00"]], …}; a range whose close is not
    after its opening passes midnight), unrolled over real dates so that summer time is applied."""
    end = start + dt.timedelta(days=days)
    first = timezone.localtime(start, timezone=zone).date() - dt.timedelta(days=1)
    spans = []
    for offset in range(days + 2):
        day = first + dt.timedelta(days=offset)
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        for opens, closes in opening_hours.get(WEEKDAYS[day.weekday()], []):
            s, e = _minutes(opens), _minutes(closes)
            span_start = _wall_clock(midnight, s)
            span_end = _wall_clock(midnight, e if e > s else e + 24 * 60)
            if span_end > start and span_start < end:
                spans.append((span_start, span_end))
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for span_start, span_end in sorted(spans):
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
        else:
            merged.append((span_start, span_end))
    return merged


def _wall_clock(midnight: dt.datetime, minutes: int) -> dt.datetime:
    # Wall-clock arithmetic (ZoneInfo): 09:00 stays 09:00 on the day summer time starts.
    day = midnight.date() + dt.timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=midnight.tzinfo)


@dataclass(frozen=True)
class PlaceNearby:
    place: SafePlace
    distance_m: int
    open_now: bool
    # [[start, end], …] in UTC ISO 8601 for the next OPEN_INTERVALS_DAYS, for the page's own clock.
    open_intervals: tuple = ()
    open_intervals_until: str = ""

    @property
    def open_intervals_json(self) -> str:
        return json.dumps([list(pair) for pair in self.open_intervals])


def _utc_iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_safe_places(*, city: City) -> QuerySet:
    return SafePlace.objects.filter(city=city, is_active=True).order_by("name")


def list_safe_places_by_distance(
    *, city: City, lat: float | None = None, lon: float | None = None, now: dt.datetime | None = None
) -> list[PlaceNearby]:
    """Active safe places sorted by distance from a point (the city centre by default), open ones first."""
    lat = city.centre_lat if lat is None else lat
    lon = city.centre_lon if lon is None else lon
    local = timezone.localtime(now or timezone.now(), timezone=city.zone)
    until = _utc_iso(local + dt.timedelta(days=OPEN_INTERVALS_DAYS))
    items = [
        PlaceNearby(
            place, round(haversine_m(lat, lon, place.lat, place.lon)), is_open_at(place.opening_hours, local),
            tuple((_utc_iso(s), _utc_iso(e)) for s, e in compute_open_intervals(
                place.opening_hours, start=local, zone=city.zone)),
            until,
        )
        for place in list_safe_places(city=city)
    ]
    return sorted(items, key=lambda item: (not item.open_now, item.distance_m, item.place.name))


def list_articles(*, city: City) -> QuerySet:
    return AwarenessArticle.objects.filter(city=city, is_published=True).order_by("order", "slug")


def get_article(*, city: City, slug: str) -> AwarenessArticle | None:
    return list_articles(city=city).filter(slug=slug).first()


def list_filmed_zones(*, city: City) -> QuerySet:
    return FilmedZone.objects.filter(city=city).order_by("name")


def zone_geometry(zone: FilmedZone) -> dict:
    """GeoJSON geometry of a filmed zone: its polygon, or a 24-sided polygon for point + radius."""
    if zone.polygon:
        return zone.polygon
    ring = []
    for step in range(24):
        angle = 2 * math.pi * step / 24
        dlat = zone.radius_m * math.cos(angle) / 111_320
        dlon = zone.radius_m * math.sin(angle) / (111_320 * math.cos(math.radians(zone.lat)))
        ring.append([round(zone.lon + dlon, 6), round(zone.lat + dlat, 6)])
    return geojson.polygon([ring])
