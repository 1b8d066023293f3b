"""Privacy-preserving hotspots: the only public face of harassment reports.

Fixed, non-overlapping aggregates only (so that no two queries can be subtracted to isolate a
report):

- unit = (H3 cell, month). A res-8 cell (~0.74 km²) is published when it holds at least k reports
  that month. The reports of the cells below k are pooled by res-7 parent; the pool is published
  (as the parent cell, counting *only* those pooled reports) when it reaches k, else suppressed.
  Every report is therefore counted in at most one published feature.
- k = SAFETY_HOTSPOT_K (default 11), clamped to at least 5.
- a month is published 7 days after it ends, and its figures are frozen then: a report received
  after the publication date never changes a published month (otherwise watching the figures
  change would reveal a late report).
- category counts are given by group (verbal, physical, place, other) and only when at least two
  groups hold reports and every non-zero group count reaches the group floor (5); otherwise
  `categories` is null. A cell whose reports all fall in one group would tell anyone who knows that
  a person reported there what that person reported.
- the only filter is `month`, which selects whole months of the same fixed feature set.
- features are sorted by (month, h3): nothing reflects the order reports arrived in.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import h3
from django.conf import settings
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.core import geojson
from citypocket.safety.models import CATEGORY_GROUPS, GROUPS, HarassmentReport

K_MINIMUM = 5
GROUP_FLOOR = 5
PUBLICATION_DELAY_DAYS = 7
CELL_RESOLUTION = 8
PARENT_RESOLUTION = 7


def hotspot_k() -> int:
    """The minimum count of a published cell: SAFETY_HOTSPOT_K (settings refuse less than 5 at start-up;
    the floor holds here too, whatever the settings say)."""
    return max(K_MINIMUM, int(settings.SAFETY_HOTSPOT_K))


def cell_of(lat: float, lon: float) -> str:
    return h3.latlng_to_cell(lat, lon, CELL_RESOLUTION)


def month_end(period: dt.date) -> dt.date:
    """The first day of the month after `period`."""
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def publication_date(period: dt.date) -> dt.date:
    """The day a month's figures become public (and frozen): 7 days after the month ends."""
    return month_end(period) + dt.timedelta(days=PUBLICATION_DELAY_DAYS)


def published_months(*, city: City, today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    periods = (
        HarassmentReport.objects.filter(city=city).exclude(h3_cell="").values_list("period", flat=True).distinct()
    )
    return sorted(p for p in set(periods) if publication_date(p) <= today)


@dataclass(frozen=True)
class Hotspot:
    h3: str
    resolution: int
    month: str
    count: int
    categories: dict[str, int] | None


def _groups(counts: dict[str, int]) -> dict[str, int] | None:
    """The counts per group, or None when publishing them would say something about one person."""
    present = [value for value in counts.values() if value > 0]
    if len(present) < 2 or any(value < GROUP_FLOOR for value in present):
        return None
    return {group: counts.get(group, 0) for group in GROUPS}


def compute_hotspots(*, city: City, month: dt.date | None = None, today: dt.date | None = None) -> list[Hotspot]:
    """The published hotspots of `city` (one month or every published month)."""
    k = hotspot_k()
    months = published_months(city=city, today=today)
    if month is not None:
        months = [m for m in months if m == month]
    result: list[Hotspot] = []
    for period in months:
        rows = (
            HarassmentReport.objects.filter(city=city, period=period, received_on__lt=publication_date(period))
            .exclude(h3_cell="")
            .values_list("h3_cell", "category")
        )
        cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for cell, category in rows:
            cells[cell][CATEGORY_GROUPS[category]] += 1
        pools: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        label = f"{period:%Y-%m}"
        for cell, groups in cells.items():
            total = sum(groups.values())
            if total >= k:
                result.append(Hotspot(cell, CELL_RESOLUTION, label, total, _groups(groups)))
            else:
                parent = h3.cell_to_parent(cell, PARENT_RESOLUTION)
                for group, value in groups.items():
                    pools[parent][group] += value
        for parent, groups in pools.items():
            total = sum(groups.values())
            if total >= k:
                result.append(Hotspot(parent, PARENT_RESOLUTION, label, total, _groups(groups)))
    return sorted(result, key=lambda spot: (spot.month, spot.h3))


def as_geojson(spots: list[Hotspot], *, k: int) -> dict:
    """A FeatureCollection of cell polygons ([lon, lat], 6 decimals), with the threshold `k` it used."""
    features = []
    for spot in spots:
        ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(spot.h3)]
        properties = {
            "h3": spot.h3,
            "resolution": spot.resolution,
            "month": spot.month,
            "count": spot.count,
            "categories": spot.categories,
        }
        features.append(geojson.feature(f"{spot.month}/{spot.h3}", geojson.polygon([ring]), properties))
    return geojson.feature_collection(features, k=k)
