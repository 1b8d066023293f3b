"""Whole-dataset exports: CSV, GeoJSON, JSON Lines and Parquet streamed with a file name, an ETag and
Last-Modified; the car-park CSV is a file of the national parking schema."""

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from frictionless import Resource, Schema

from citypocket.opendata import exports
from citypocket.opendata.registry import get_platform_dataset

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
