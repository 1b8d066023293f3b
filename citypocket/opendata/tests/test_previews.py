"""What a dataset page shows of its data: the first rows as the API sends them, distinct places for
the map, and rows per day counted in the database (or per month, in Python, for computed rows)."""

import datetime as dt
import json

import pytest

from citypocket.opendata import previews, selectors

pytestmark = pytest.mark.django_db


def served(city, slug):
    return selectors.get_served_dataset(city=city, slug=slug)


def test_preview_is_the_first_ten_rows_in_key_order_with_api_values(published):
    item = served(published.city, "air-observations")
    preview = previews.preview(item.definition, published.city)
    assert preview["columns"] == ["id", "station", "property", "unit", "time", "value", "lon", "lat"]
    assert len(preview["rows"]) == 6
    first = dict(zip(preview["columns"], preview["rows"][0], strict=True))
    assert first["station"] == "FR33201" and first["time"] == "2026-11-02T00:00:00Z"
    assert [row[0] for row in preview["rows"]] == sorted(row[0] for row in preview["rows"])


def test_map_keeps_one_feature_per_place(published):
    """Six measurements of one station are one point; a dataset without place has no map."""
    item = served(published.city, "air-observations")
    collection = json.loads(previews.map_features(item.definition, published.city))
    assert [f["geometry"] for f in collection["features"]] == [
        {"type": "Point", "coordinates": [published.station.lon, published.station.lat]}]
    assert collection["features"][0]["properties"] == {"label": "FR33201"}
    indices = served(published.city, "air-daily-indices")
    assert previews.map_features(indices.definition, published.city) == ""


def test_series_counts_rows_per_local_day_up_to_the_latest(published):
    item = served(published.city, "air-observations")
    periods = previews.series(item.definition, item.dataset, published.city)
    assert len(periods) == previews.SERIES_PERIODS
    assert periods[-1].start == dt.date(2026, 11, 2) and periods[-1].count == 6
    assert sum(p.count for p in periods) == 6
    assert [p.start for p in periods] == sorted(p.start for p in periods)


def test_no_series_without_a_time_field(published):
    item = served(published.city, "car-parks")
    assert previews.series(item.definition, item.dataset, published.city) == []
