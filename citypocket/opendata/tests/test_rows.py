"""The row API: filters, ranges, bbox, time window, field selection, sort and cursor pages; bad
parameters are 422 problems naming the parameter; another city's rows never show."""

import datetime as dt

import pytest

from citypocket.opendata.tests.conftest import publish

pytestmark = pytest.mark.django_db

ROWS = "/api/v1/cities/{city}/data/{dataset}/rows"


def rows(client, dataset="air-observations", city="rouen", **params):
    response = client.get(ROWS.format(city=city, dataset=dataset), params)
    assert response.status_code == 200, response.content
    return response.json()


def every_row(client, dataset="air-observations", **params) -> list[dict]:
    """Follows the `next` links to the end."""
    body = rows(client, dataset, **params)
    items = body["items"]
    while body["next"]:
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
    return items


def test_rows_of_a_dataset_in_key_order_with_typed_values(client, published):
    body = rows(client)
    assert body["next"] is None
    assert [(r["property"], r["time"], r["value"]) for r in body["items"]] == [
        ("no2", "2026-11-02T00:00:00Z", 10.0), ("no2", "2026-11-02T01:00:00Z", 11.0),
        ("no2", "2026-11-02T02:00:00Z", 12.0), ("pm10", "2026-11-02T00:00:00Z", 10.0),
        ("pm10", "2026-11-02T01:00:00Z", 11.0), ("pm10", "2026-11-02T02:00:00Z", 12.0),
    ]
    assert body["items"][0]["station"] == "FR33201"
    assert body["items"][0]["unit"] == "ug/m3"


def test_cursor_pages_cover_every_row_once_whatever_the_sort(client, published):
    """Pages of 4 sorted by time descending: every row once, in order, then no next link."""
    all_rows = rows(client)["items"]
    paged = every_row(client, limit=4, sort="-time")
    assert sorted(r["id"] for r in paged) == sorted(r["id"] for r in all_rows)
    assert [r["time"] for r in paged] == sorted((r["time"] for r in all_rows), reverse=True)
    first = rows(client, limit=4, sort="-time")
    assert "cursor=" in first["next"] and "sort=-time" in first["next"]


def test_filters_equality_and_ranges(client, published):
    assert {r["property"] for r in rows(client, property="pm10")["items"]} == {"pm10"}
    ranged = rows(client, value__gte="11", value__lt="12")["items"]
    assert [r["value"] for r in ranged] == [11.0, 11.0]


def test_time_window_is_half_open(client, published):
    window = rows(client, **{"from": "2026-11-02T01:00:00Z", "to": "2026-11-02T02:00:00Z"})["items"]
    assert {r["time"] for r in window} == {"2026-11-02T01:00:00Z"}


def test_bbox_keeps_rows_whose_point_falls_inside(client, published, rouen):
    """A second station east of the city centre: a box around the centre keeps the first station only."""
    inside = f"{rouen.centre_lon - 0.01},{rouen.centre_lat - 0.01},{rouen.centre_lon + 0.01},{rouen.centre_lat + 0.01}"
    assert {r["station"] for r in rows(client, "air-stations", bbox=inside)["items"]} == {"FR33201"}
    nowhere = "-10,-10,-9,-9"
    assert rows(client, "air-stations", bbox=nowhere)["items"] == []


def test_field_selection_returns_only_those_columns_in_that_order(client, published):
    items = rows(client, fields="time,value", limit=1)["items"]
    assert list(items[0]) == ["time", "value"]


def test_computed_datasets_page_and_filter_too(client, published):
    """The national-schema car parks are computed rows: same filters and cursor."""
    items = rows(client, "car-parks", nb_places__gte="400", fields="id,nom,nb_places")["items"]
    assert items == [{"id": "76540-P-001", "nom": "Parking Théâtre des Arts", "nb_places": 420}]
    assert rows(client, "car-parks", gratuit="true")["items"] == []


@pytest.mark.parametrize(("params", "field"), [
    ({"colour": "red"}, "colour"),
    ({"value__gte": "a lot"}, "value__gte"),
    ({"value__like": "1"}, "value__like"),
    ({"from": "2026-11-02T01:00:00"}, "from"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "10,2,3,4"}, "bbox"),
    ({"sort": "unit"}, "sort"),
    ({"fields": "time,nope"}, "fields"),
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_bad_parameters_are_422_problems_naming_the_parameter(client, published, params, field):
    response = client.get(ROWS.format(city="rouen", dataset="air-observations"), params)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


def test_a_time_window_on_a_dataset_without_time_is_422(client, published):
    response = client.get(ROWS.format(city="rouen", dataset="air-stations"), {"from": "2026-11-02T00:00:00Z"})
    assert response.status_code == 422


def test_unknown_dataset_or_city_is_404(client, published):
    assert client.get(ROWS.format(city="rouen", dataset="nope")).status_code == 404
    assert client.get(ROWS.format(city="atlantis", dataset="air-observations")).status_code == 404


def test_a_city_sees_only_its_own_rows(client, published, aix):
    publish(aix, station_id="FR03043")
    assert {r["station"] for r in rows(client)["items"]} == {"FR33201"}
    assert {r["station"] for r in rows(client, city="aix-en-provence")["items"]} == {"FR03043"}
    car_parks = rows(client, "car-park-occupancy", city="aix-en-provence")["items"]
    assert len(car_parks) == 2 and {r["car_park"] for r in car_parks} == {"theatre-des-arts"}
    assert all(r["id"] not in {x["id"] for x in rows(client, "car-park-occupancy")["items"]} for r in car_parks)


def test_cursor_on_a_date_sorted_dataset(client, published, rouen):
    """The daily indices sort by date; a cursor holds the date of the last row."""
    from citypocket.air.tests.factories import AirIndexDailyFactory  # reason: only this test needs more days

    for offset in range(1, 4):
        AirIndexDailyFactory(city=rouen, date=dt.date(2026, 11, 2) + dt.timedelta(days=offset), level=3)
    dates = [r["date"] for r in every_row(client, "air-daily-indices", sort="date", limit=2)]
    assert dates == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
