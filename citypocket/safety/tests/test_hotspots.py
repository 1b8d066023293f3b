"""Public hotspots: k-anonymous monthly counts per H3 cell, fixed non-overlapping aggregates only."""

import datetime as dt
import json

import h3
import pytest
from django.utils import timezone

from citypocket.safety import hotspots
from citypocket.safety.models import HarassmentReport
from citypocket.safety.tests.conftest import distant_cells, file_report, points_in_cell, published_period
from testsupport import assert_problem, local_moment, pin_now

pytestmark = pytest.mark.django_db

URL = "/api/v1/cities/{city}/safety/hotspots"


def fill(city, cell, n, *, period=None, category="verbal", **kwargs):
    return [file_report(city, lat=lat, lon=lon, period=period, category=category, **kwargs)
            for lat, lon in points_in_cell(cell, n)]


def get(client, city="rouen", **params):
    response = client.get(URL.format(city=city), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_twelve_reports_in_one_cell_and_three_in_another_show_only_the_first(client, rouen):
    """k = 11: the 12-report cell is published with its month and count; the 3-report cell is not."""
    big, small = distant_cells(rouen, 2)
    fill(rouen, big, 12)
    fill(rouen, small, 3)
    body = get(client)
    assert body["k"] == 11
    assert [(f["properties"]["h3"], f["properties"]["count"]) for f in body["features"]] == [(big, 12)]
    feature = body["features"][0]
    assert feature["properties"]["month"] == f"{published_period():%Y-%m}"
    assert feature["properties"]["resolution"] == 8
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    assert HarassmentReport.objects.count() == 15


def test_no_coordinate_finer_than_the_cell_is_published(client, rouen):
    """Every published coordinate is a vertex of the cell polygon, never a report's point."""
    (cell,) = distant_cells(rouen, 1)
    reports = fill(rouen, cell, 12)
    text = json.dumps(get(client))
    vertices = {(round(lon, 6), round(lat, 6)) for lat, lon in h3.cell_to_boundary(cell)}
    feature = get(client)["features"][0]
    assert {tuple(point) for point in feature["geometry"]["coordinates"][0]} == vertices
    for report in reports:
        assert str(report.pk) not in text and str(report.pk)[:8] not in text


def test_adding_one_report_to_a_cell_below_k_changes_nothing_public(client, rouen):
    """A cell going from 3 to 4 reports leaves the public answer byte-for-byte identical."""
    big, small = distant_cells(rouen, 2)
    fill(rouen, big, 12)
    fill(rouen, small, 3)
    before = client.get(URL.format(city="rouen")).content
    fill(rouen, small, 1)
    assert client.get(URL.format(city="rouen")).content == before


def test_small_cells_are_pooled_into_their_parent_when_the_pool_reaches_k(client, rouen):
    """Three sibling cells of 4 reports each (12 < k alone) appear once as their res-7 parent with 12."""
    (seed,) = distant_cells(rouen, 1)
    parent = h3.cell_to_parent(seed, 7)
    children = sorted(h3.cell_to_children(parent, 8))[:3]
    for child in children:
        fill(rouen, child, 4)
    features = get(client)["features"]
    assert [(f["properties"]["h3"], f["properties"]["resolution"], f["properties"]["count"]) for f in features] == [
        (parent, 7, 12)
    ]


def test_parent_pool_counts_only_the_unpublished_children(client, rouen):
    """A published child is not counted again in its parent: no subtraction can reveal a small cell."""
    (seed,) = distant_cells(rouen, 1)
    parent = h3.cell_to_parent(seed, 7)
    big, small = sorted(h3.cell_to_children(parent, 8))[:2]
    fill(rouen, big, 11)
    fill(rouen, small, 3)
    features = get(client)["features"]
    assert [(f["properties"]["h3"], f["properties"]["count"]) for f in features] == [(big, 11)]


@pytest.mark.parametrize("day", [3, 20])
def test_a_month_is_published_only_seven_days_after_it_ends(client, rouen, monkeypatch, day):
    """The current month is never public; last month appears from the 8th of this month."""
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=9, days_ago=31, day=day))
    (cell,) = distant_cells(rouen, 1)
    period = published_period(1)
    fill(rouen, cell, 12, period=period)
    today = timezone.localdate()
    visible = hotspots.compute_hotspots(city=rouen, today=today)
    assert bool(visible) == (today.day >= 8)
    assert hotspots.compute_hotspots(city=rouen, today=hotspots.publication_date(period) - dt.timedelta(days=1)) == []
    assert hotspots.compute_hotspots(city=rouen, today=hotspots.publication_date(period))
    this_month = timezone.localdate().replace(day=1)
    fill(rouen, distant_cells(rouen, 2)[1], 12, period=this_month, received_on=timezone.localdate())
    assert all(f["properties"]["month"] != f"{this_month:%Y-%m}" for f in get(client)["features"])


def test_a_report_received_after_publication_never_changes_a_published_month(client, rouen):
    """Figures freeze when published: a late report for that month does not move them."""
    big, small = distant_cells(rouen, 2)
    fill(rouen, big, 12)
    fill(rouen, small, 10)
    before = client.get(URL.format(city="rouen")).content
    fill(rouen, small, 1, received_on=timezone.localdate())
    fill(rouen, big, 1, received_on=timezone.localdate())
    assert client.get(URL.format(city="rouen")).content == before


def test_overlapping_queries_cannot_isolate_a_report(client, rouen):
    """Every query answers a subset of one fixed feature set; filters that could overlap do not exist."""
    big, other = distant_cells(rouen, 2)
    last, older = published_period(2), published_period(3)
    fill(rouen, big, 11, period=last, category="verbal")
    fill(rouen, big, 12, period=older, category="touching")
    fill(rouen, other, 6, period=older)
    fill(rouen, other, 1, period=older, category="exhibitionism")
    everything = get(client)["features"]
    assert len(everything) == 2
    by_key = {(f["properties"]["month"], f["properties"]["h3"]): f for f in everything}
    seen = []
    for month in (f"{last:%Y-%m}", f"{older:%Y-%m}"):
        part = get(client, month=month)["features"]
        assert all(by_key[(f["properties"]["month"], f["properties"]["h3"])] == f for f in part)
        seen.extend(part)
    # The month answers partition the full answer: no report is counted in two features.
    assert sorted(json.dumps(f, sort_keys=True) for f in seen) == sorted(json.dumps(f, sort_keys=True) for f in everything)
    # Filters that would overlap (category, time range, bbox, resolution) are not offered: same answer.
    for params in ({"category": "touching"}, {"from": f"{older}", "to": f"{last}"}, {"bbox": "0,0,9,90"},
                   {"resolution": "9"}, {"k": "1"}):
        assert get(client, **params) == get(client)


def test_small_category_counts_are_withheld(client, rouen):
    """A group with fewer than 5 reports would single people out: `categories` is null for that cell."""
    big, other = distant_cells(rouen, 2)
    fill(rouen, big, 10, category="verbal")
    fill(rouen, big, 2, category="touching")
    fill(rouen, other, 6, category="verbal")
    fill(rouen, other, 6, category="unsafe_place")
    features = {f["properties"]["h3"]: f["properties"] for f in get(client)["features"]}
    assert features[big]["categories"] is None
    assert features[other]["categories"] == {"verbal": 6, "physical": 0, "place": 6, "other": 0}


def test_a_cell_whose_reports_share_one_group_does_not_say_so(client, rouen):
    """12 reports all "touching" (or all in the verbal group): the cell is published, its breakdown is not.

    Otherwise anyone who knows that a person reported there would learn what that person reported.
    """
    same, same_group, mixed = distant_cells(rouen, 3)
    fill(rouen, same, 12, category="touching")
    fill(rouen, same_group, 6, category="verbal")
    fill(rouen, same_group, 6, category="threats")
    fill(rouen, mixed, 6, category="touching")
    fill(rouen, mixed, 6, category="other")
    body = get(client)
    features = {f["properties"]["h3"]: f["properties"] for f in body["features"]}
    assert (features[same]["count"], features[same]["categories"]) == (12, None)
    assert (features[same_group]["count"], features[same_group]["categories"]) == (12, None)
    assert features[mixed]["categories"] == {"verbal": 0, "physical": 6, "place": 0, "other": 6}


@pytest.mark.parametrize(("configured", "effective"), [(2, 5), (5, 5), (20, 20), (11, 11)])
def test_k_is_configurable_but_never_below_five(settings, configured, effective):
    """SAFETY_HOTSPOT_K is never below 5, whatever the settings say (the environment's value is
    checked at start-up: core/tests/test_configuration.py)."""
    settings.SAFETY_HOTSPOT_K = configured
    assert hotspots.hotspot_k() == effective


def test_bad_month_is_422_and_unknown_city_404(client, rouen):
    """`month` must be YYYY-MM; the city must exist."""
    assert_problem(client.get(URL.format(city="rouen"), {"month": "2026-13"}), 422)
    assert_problem(client.get(URL.format(city="nowhere")), 404)


def test_hotspots_are_per_city(client, rouen, aix):
    """Rouen's reports never show in Aix's hotspots."""
    (cell,) = distant_cells(rouen, 1)
    fill(rouen, cell, 12)
    assert get(client, city="aix-en-provence")["features"] == []
    assert len(get(client)["features"]) == 1
