"""What a dataset page shows of the data itself: its first rows, its places on a map, and, for a time
series, how many rows each day (or month) holds.

Everything reads through the dataset's declaration (`registry.PlatformDataset`) and `opendata.rows`,
the same code as the row API, so the page never shows a field the API would not serve. Each read is
bounded: ten rows, a few hundred places, the last periods of the series (on the time index).
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from citypocket.core import geojson
from citypocket.opendata import rows
from citypocket.opendata.registry import PlatformDataset

PREVIEW_ROWS = 10
MAP_ROWS = 500  # rows read for the map; places repeat (one station, many measurements)
SERIES_PERIODS = 14
SERIES_CACHE_SECONDS = 3600


def preview(definition: PlatformDataset, city) -> dict:
    """The first rows in the API's order (its key), as the API would send them."""
    query = rows.parse_query(definition, {"limit": str(PREVIEW_ROWS)})
    page = rows.page(definition, city, query)
    names = [f.name for f in definition.fields]
    return {"columns": names, "rows": [[rows.project(row, names)[name] for name in names] for row in page.items]}


def _label_field(definition: PlatformDataset) -> str:
    """The first text field that names a row (not its key, not a coordinate), for map popups."""
    skip = {*definition.key, definition.lon_field, definition.lat_field}
    return next((f.name for f in definition.fields if f.type == "string" and f.name not in skip),
                definition.key[0])


def map_features(definition: PlatformDataset, city) -> str:
    """The distinct places of the first rows as a GeoJSON FeatureCollection (JSON text, `<` escaped
    for a data block), or "" when the dataset has no place or none of these rows has one."""
    if not definition.is_geographic:
        return ""
    query = rows.parse_query(definition, {"limit": str(MAP_ROWS)})
    label = _label_field(definition)
    seen, features = set(), []
    for row in rows.page(definition, city, query).items:
        geometry = definition.row_geometry(row)
        if geometry is None:
            continue
        key = json.dumps(geometry, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        features.append(geojson.feature(len(features) + 1, geometry, {"label": str(row.get(label) or "")}))
    if not features:
        return ""
    return json.dumps(geojson.feature_collection(features), ensure_ascii=False).replace("<", "\\u003c")


@dataclass(frozen=True)
class Period:
    start: dt.date
    label: str
    count: int


def series(definition: PlatformDataset, dataset, city) -> list[Period]:
    """Rows per day (per month for a monthly dataset) over the last periods before the dataset's
    latest time, oldest first; [] without a time field or rows.

    Counting two weeks of a busy table takes a moment, and the answer only changes with the data:
    it is cached under the dataset's fingerprint (and the language of its labels)."""
    if not definition.time_field or dataset.temporal_end is None:
        return []
    key = f"opendata:series:{city.slug}:{dataset.slug}:{dataset.fingerprint}:{get_language()}"
    periods = cache.get(key)
    if periods is None:
        periods = _count_periods(definition, dataset, city)
        cache.set(key, periods, SERIES_CACHE_SECONDS)
    return periods


def _count_periods(definition: PlatformDataset, dataset, city) -> list[Period]:
    monthly = dataset.accrual_periodicity in ("MONTHLY", "ANNUAL")
    end = timezone.localtime(dataset.temporal_end).date()
    if monthly:
        first = end.replace(day=1)
        for _ in range(SERIES_PERIODS - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
    else:
        first = end - dt.timedelta(days=SERIES_PERIODS - 1)
    field = definition.field(definition.time_field)
    counts: Counter = Counter()
    if definition.queryset is not None:
        since = first if field.type == "date" else timezone.make_aware(dt.datetime.combine(first, dt.time()))
        trunc = TruncMonth if monthly else TruncDay
        buckets = (definition.queryset(city).filter(**{f"{field.path}__gte": since})
                   .annotate(period=trunc(field.path)).values("period").annotate(n=Count("pk")).order_by())
        for bucket in buckets:
            counts[_as_date(bucket["period"], monthly)] += bucket["n"]
    else:
        for row in definition.rows(city):
            value = row.get(field.name)
            if value is not None and _as_date(value, monthly) >= first:
                counts[_as_date(value, monthly)] += 1
    if not counts:
        return []
    fmt = "F Y" if monthly else "D j M"
    return [Period(start, date_format(start, fmt), counts[start]) for start in _periods(first, end, monthly)]


def _as_date(value, monthly: bool) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1) if monthly else value


def _periods(first: dt.date, end: dt.date, monthly: bool) -> list[dt.date]:
    periods, current = [], first
    while current <= end:
        periods.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1) if monthly else current + dt.timedelta(days=1)
    return periods
