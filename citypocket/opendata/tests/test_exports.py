"""Whole-dataset exports: CSV, GeoJSON, JSON Lines and Parquet streamed with a file name, an ETag and
Last-Modified; the car-park CSV is a file of the national parking schema."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.db import connection
from frictionless import Resource, Schema

from citypocket.opendata import exports
from citypocket.opendata.registry import get_platform_dataset
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Observation
from citypocket.sensors.readings import Parsed, Reading

pytestmark = pytest.mark.django_db

ROWS = "/api/v1/cities/rouen/data/{dataset}/rows"
# The national schema as the mobility tests keep it (with its provenance there).
SCHEMA = json.loads((Path(__file__).parents[2] / "mobility" / "tests" / "fixtures"
                     / "etalab-schema-stationnement-schema.json").read_text())


def download(client, dataset: str, format: str, **params):
    response = client.get(ROWS.format(dataset=dataset), {"format": format, **params})
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response.streaming, "exports stream"
    return response, b"".join(response.streaming_content)


def test_csv_export_streams_every_row_with_a_file_name(client, published):
    response, body = download(client, "air-observations", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rouen-air-observations.csv"'
    table = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(table) == 6
    assert table[0] == {"id": table[0]["id"], "station": "FR33201", "property": "no2", "unit": "ug/m3",
                        "time": "2026-11-02T00:00:00Z", "value": "10.0", "lon": "1.0993", "lat": "49.4431"}


def test_exports_apply_the_same_filters_and_field_selection(client, published):
    _response, body = download(client, "air-observations", "csv", property="pm10", fields="time,value")
    assert body.decode().splitlines() == ["time,value", "2026-11-02T00:00:00Z,10.0", "2026-11-02T01:00:00Z,11.0",
                                          "2026-11-02T02:00:00Z,12.0"]


def test_geojson_export_is_a_feature_collection_with_stable_ids(client, published):
    response, body = download(client, "video-protection", "geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    ring = feature["geometry"]["coordinates"][0]
    assert feature["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
    assert feature["properties"]["retention_days"] == 15
    assert feature["id"] == str(feature["properties"]["id"])


def test_geojson_of_a_dataset_without_place_is_422(client, published):
    response = client.get(ROWS.format(dataset="air-daily-indices"), {"format": "geojson"})
    assert response.status_code == 422


def test_jsonl_export_is_one_object_per_line(client, published):
    _response, body = download(client, "car-park-occupancy", "jsonl")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert [(r["car_park"], r["available_spots"]) for r in lines] == [("theatre-des-arts", 100.0),
                                                                     ("theatre-des-arts", 101.0)]


def test_parquet_export_reads_back_with_the_declared_types(client, published):
    _response, body = download(client, "air-observations", "parquet")
    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == 6
    assert str(table.schema.field("time").type) == "timestamp[us, tz=UTC]"
    assert table.column("value").to_pylist() == [10.0, 11.0, 12.0, 10.0, 11.0, 12.0]


def test_parquet_writes_one_row_group_per_block_of_rows(monkeypatch):
    """Three blocks of two rows: three row groups, each sent as it is written."""
    monkeypatch.setattr(exports, "PARQUET_ROW_GROUP", 2)
    dataset = get_platform_dataset("air-stations")
    rows = [{"station": f"S{i}", "name": "x", "lon": 1.0, "lat": 2.0} for i in range(6)]
    pieces = list(exports.write_parquet(iter(rows), ["station", "name", "lon", "lat"], dataset))
    assert len(pieces) == 4  # three row groups, then the footer
    assert pq.ParquetFile(io.BytesIO(b"".join(pieces))).num_row_groups == 3


def test_csv_writer_yields_pieces_as_it_goes(monkeypatch):
    """The writer never holds the file: with batches of 2 rows, 5 rows come out in 3 pieces."""
    monkeypatch.setattr(exports, "BATCH", 2)
    pieces = list(exports.write_csv(iter([{"a": i} for i in range(5)]), ["a"]))
    assert pieces[0] == "a\r\n0\r\n1\r\n" and len(pieces) == 3


def test_etag_and_last_modified_then_304(client, published):
    response, _body = download(client, "air-observations", "csv")
    assert response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    again = client.get(ROWS.format(dataset="air-observations"), {"format": "csv"},
                       HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    other = client.get(ROWS.format(dataset="air-observations"), {"format": "jsonl"},
                       HTTP_IF_NONE_MATCH=response["ETag"])
    assert other.status_code == 200, "another format is another representation"


def test_car_park_csv_validates_against_the_national_schema(client, published, tmp_path):
    """frictionless validates the export against the national parking Table Schema: no error."""
    _response, body = download(client, "car-parks", "csv")
    path = tmp_path / "stationnement.csv"
    path.write_bytes(body)
    report = Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(SCHEMA)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 1
    header = body.decode().splitlines()[0].split(",")
    assert header == [f["name"] for f in SCHEMA["fields"]]


def test_a_car_park_breaking_the_schema_is_reported(tmp_path):
    """The check can fail: a malformed id and SIRET are schema errors."""
    path = tmp_path / "bad.csv"
    names = [f["name"] for f in SCHEMA["fields"]]
    good = {"id": "76540-P-001", "nom": "P", "insee": "76540", "type_usagers": "tous", "gratuit": "false",
            "nb_places": "400", "hauteur_max": "N/A", "num_siret": "123", "Xlong": "1.1", "Ylat": "49.4"}
    path.write_text(",".join(names) + "\r\n" + ",".join(good.get(n, "") for n in names).replace("76540-P-001", "X")
                    + "\r\n")
    report = Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(SCHEMA)).validate()
    assert not report.valid
    assert {error[0] for error in report.flatten(["fieldName"])} == {"id", "num_siret"}


def _both_roads(dataset_slug: str, city, params: dict) -> tuple[bytes, bytes, bool]:
    """The CSV by PostgreSQL's COPY (when that road applies) and by the general writer, for the same query."""
    from citypocket.opendata import rows

    dataset = get_platform_dataset(dataset_slug)
    query = rows.parse_query(dataset, params, paged=False)
    general = "".join(exports.write_csv(rows.stream(dataset, city, query), list(query.fields))).encode()
    statement = exports.copy_statement(dataset, city, query)
    if statement is None:
        return general, general, False
    return b"".join(exports.write_csv_copy(statement, list(query.fields))), general, True


@pytest.fixture
def awkward(published):
    """Values whose text is easy to get wrong: doubles around Python's switch to an exponent (1e16) and
    PostgreSQL's (1e15), whole, negative zero, tiny, NaN and infinities; times with microseconds; names
    with a comma, quotes, a line break, non-ASCII and an empty one; booleans both ways."""
    from citypocket.air.tests.factories import AirIndexDailyFactory
    from citypocket.sensors.tests.factories import AirSensorFactory

    from .conftest import START

    # Awkward values the ingest door accepts (finite, not negative, under its plausible maximum of
    # 100 000 µg/m³; NaN and infinities never reach an export), microseconds in their times.
    values = [0.0, -0.0, 10.0, 0.1, 1e-05, 1.5e-300, 5e-324, 123.456, 0.30000000000000004, 1 / 3,
              99999.99999999999, 12345.678901234567, 7.25e-07, 2.0**-40, 1e5]
    station = Observation.objects.filter(datastream__sensor=published.station).first().datastream
    readings = [Reading(sensor=station.sensor.external_id, property=station.property,
                        time=START + dt.timedelta(days=10, hours=i, microseconds=i * 7001), value=value,
                        unit=station.unit) for i, value in enumerate(values)]
    result = ingest_observations(city=published.city, batch=Parsed.from_readings(readings), source="test")
    assert result.accepted == len(values), result
    Observation.objects.filter(datastream=station, phenomenon_time__gte=START + dt.timedelta(days=10)).update(
        received_at=START)
    for i, name in enumerate(['Gare, "Rive droite"', "Ligne\nbrisée", "", "Œuvre à Saint-Sever", "\\."]):
        AirSensorFactory(city=published.city, external_id=f"FR9{i}", name=name, lat=49.4, lon=1.1 + i / 100)
    AirIndexDailyFactory(city=published.city, date=START.date() + dt.timedelta(days=1), level=3, forecast=True,
                         provisional=False)
    return published


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.parametrize(("slug", "params"), [
    ("air-observations", {}),
    ("air-observations", {"fields": "time,value", "sort": "-time"}),
    ("air-stations", {}),
    ("air-stations", {"fields": "name,station"}),
    ("air-daily-indices", {}),
    ("car-park-occupancy", {}),
    ("safe-places", {}),
])
def test_the_copy_road_writes_the_same_bytes_as_the_general_writer(awkward, slug, params):
    copied, general, by_copy = _both_roads(slug, awkward.city, params)
    assert copied == general
    if slug.startswith("air-"):
        assert by_copy, "the air datasets take the COPY road"
    if slug == "air-observations" and not params:
        assert b",0.30000000000000004," in copied and b",-0.0," in copied
        assert b"Z," in copied and b".007001Z" in copied


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_copy_road_is_not_taken_for_one_column(awkward):
    """csv.writer quotes a lone empty cell (`""`), COPY would not: one column goes the general road."""
    from citypocket.opendata import rows

    dataset = get_platform_dataset("air-stations")
    assert exports.copy_statement(dataset, awkward.city, rows.parse_query(dataset, {"fields": "name"},
                                                                          paged=False)) is None
    _copied, general, _ = _both_roads("air-stations", awkward.city, {"fields": "name", "sort": "name"})
    assert general.startswith(b'name\r\n""\r\n')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_copy_road_sends_pieces_and_leaves_the_connection_usable(awkward, monkeypatch):
    """Pieces of COPY_PIECE bytes; a download dropped half-way leaves the connection fit for the next query."""
    monkeypatch.setattr(exports, "COPY_PIECE", 100)
    from citypocket.opendata import rows

    dataset = get_platform_dataset("air-observations")
    query = rows.parse_query(dataset, {}, paged=False)
    pieces = exports.write_csv_copy(exports.copy_statement(dataset, awkward.city, query), list(query.fields))
    first = next(pieces)
    assert first.startswith(b"id,station,") and 100 <= len(first) < 300
    pieces.close()
    assert Observation.objects.count() > 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the Arrow road reads PostgreSQL's cursor")
@pytest.mark.parametrize("slug", ["air-observations", "air-stations", "air-daily-indices", "car-park-occupancy"])
def test_the_arrow_road_writes_the_same_table_as_the_general_writer(awkward, slug, monkeypatch):
    """Same schema, rows, values and row groups (of 7 rows here) by both roads."""
    from citypocket.opendata import rows

    monkeypatch.setattr(exports, "PARQUET_ROW_GROUP", 7)
    monkeypatch.setattr(exports, "BATCH", 3)
    dataset = get_platform_dataset(slug)
    query = rows.parse_query(dataset, {}, paged=False)
    general = pq.ParquetFile(io.BytesIO(b"".join(exports.write_parquet(
        rows.stream(dataset, awkward.city, query), list(query.fields), dataset))))
    tuples = exports.parquet_rows(dataset, awkward.city, query)
    if slug.startswith("air-"):
        assert tuples is not None, "the air datasets take the Arrow road"
    if tuples is None:
        return
    arrow = pq.ParquetFile(io.BytesIO(b"".join(exports.write_parquet_rows(tuples, list(query.fields), dataset))))
    assert arrow.schema_arrow == general.schema_arrow
    assert arrow.num_row_groups == general.num_row_groups
    assert arrow.read().to_pylist() == general.read().to_pylist() or _same_with_nan(arrow.read(), general.read())


def _same_with_nan(a, b) -> bool:
    import math

    for left, right in zip(a.to_pylist(), b.to_pylist(), strict=True):
        for key in left:
            x, y = left[key], right[key]
            if not (x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))):
                return False
    return a.num_rows == b.num_rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the Arrow road reads PostgreSQL's cursor")
def test_the_arrow_road_writes_an_empty_selection(awkward):
    from citypocket.opendata import rows

    dataset = get_platform_dataset("air-observations")
    query = rows.parse_query(dataset, {"station": "nowhere"}, paged=False)
    body = b"".join(exports.write_parquet_rows(exports.parquet_rows(dataset, awkward.city, query),
                                               list(query.fields), dataset))
    assert pq.read_table(io.BytesIO(body)).num_rows == 0
