"""Helpers for the safety tests: reports filed through the real service, dated in a published month."""

import datetime as dt
import itertools

import h3
import pytest
from django.utils import timezone

from citypocket.safety.models import HarassmentReport
from citypocket.safety.tests.factories import HarassmentReportFactory

_counter = itertools.count(1)


def published_period(months_back: int = 2) -> dt.date:
    """The first day of a month that ended more than 7 days ago."""
    first = timezone.localdate().replace(day=1)
    for _i in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def file_report(city, *, lat, lon, period=None, category="verbal", description="", contact="", place_name="",
                received_on=None) -> HarassmentReport:
    """Files a report through `submit_report`, then backdates its receipt into `period` (a timely report)."""
    period = period or published_period()
    occurred = timezone.make_aware(dt.datetime.combine(period.replace(day=10), dt.time(21, 30)))
    occurred = max(min(occurred, timezone.now() - dt.timedelta(minutes=1)),  # never in the future
                   timezone.make_aware(dt.datetime.combine(period, dt.time(0, 1))))
    return HarassmentReportFactory(
        city=city, category=category, occurred_at=occurred, lat=lat, lon=lon, place_name=place_name,
        description=description, contact=contact, received_on=received_on or period.replace(day=12),
    )


def points_in_cell(cell: str, n: int) -> list[tuple[float, float]]:
    """`n` distinct points inside an H3 cell, around its centre (a few metres apart)."""
    lat, lon = h3.cell_to_latlng(cell)
    points = []
    for i in range(n):
        point = (lat + 0.00003 * (i % 5), lon + 0.00003 * (i // 5))
        assert h3.latlng_to_cell(point[0], point[1], 8) == cell
        points.append(point)
    return points


def distant_cells(city, count: int) -> list[str]:
    """`count` res-8 cells of `city` with different res-7 parents (so their pools never merge)."""
    cells, parents = [], set()
    lat, lon = city.centre_lat, city.centre_lon
    step = 0
    while len(cells) < count:
        cell = h3.latlng_to_cell(lat + 0.03 * step, lon + 0.03 * step, 8)
        parent = h3.cell_to_parent(cell, 7)
        if parent not in parents and city.contains(*h3.cell_to_latlng(cell)):
            cells.append(cell)
            parents.add(parent)
        step += 1
    return cells


@pytest.fixture
def marker():
    """A unique canary string."""
    return lambda label: f"CANARY-{label}-{next(_counter):04d}-Zq7"
