"""Whole-dataset exports that stream from the database in constant memory.

Each writer takes the rows as an iterator (a server-side cursor on PostgreSQL, read in chunks by
`rows.stream`) and yields the file in pieces of about `BATCH` rows: neither the rows nor the file are
ever held whole. Parquet is written in row groups of `PARQUET_ROW_GROUP` rows, each sent as soon as
it is written.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from citypocket.core import geojson
from citypocket.opendata.registry import PlatformDataset
from citypocket.opendata.rows import project

BATCH = 2000
PARQUET_ROW_GROUP = 100_000

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": geojson.MEDIA_TYPE,
    "jsonl": "application/jsonl; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
EXTENSIONS = {"csv": "csv", "geojson": "geojson", "jsonl": "jsonl", "parquet": "parquet"}


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal | dt.date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return str(value)


def write_csv(rows: Iterable[dict], fields: list[str]) -> Iterator[str]:
    """RFC 4180 CSV, header first, comma-separated, UTF-8; empty cell for a missing value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(row.get(name)) for name in fields])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_jsonl(rows: Iterable[dict], fields: list[str]) -> Iterator[str]:
    """One JSON object per line (JSON Lines)."""
    lines = []
    for row in rows:
        lines.append(json.dumps(project(row, fields), ensure_ascii=False, cls=DjangoJSONEncoder))
        if len(lines) == BATCH:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def write_geojson(rows: Iterable[dict], fields: list[str], dataset: PlatformDataset) -> Iterator[str]:
    """A FeatureCollection (RFC 7946), written feature by feature; each row's key fields make its `id`."""
    yield '{"type":"FeatureCollection","features":['
    pieces, first = [], True
    for row in rows:
        identifier = "/".join(str(project(row, [name])[name]) for name in dataset.key)
        item = geojson.feature(identifier, dataset.row_geometry(row), project(row, fields))
        pieces.append(("" if first else ",") + json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder))
        first = False
        if len(pieces) == BATCH:
            yield "".join(pieces)
            pieces = []
    yield "".join(pieces) + "]}"


class _Drain(io.RawIOBase):
    """A write-only file whose written bytes are taken away after each row group."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def parquet_schema(dataset: PlatformDataset, fields: list[str]):
    import pyarrow as pa  # reason: a heavy optional writer, loaded only when a Parquet file is asked for

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
             "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC")}
    return pa.schema([(name, types[dataset.field(name).type]) for name in fields])


def write_parquet(rows: Iterable[dict], fields: list[str], dataset: PlatformDataset) -> Iterator[bytes]:
    """Apache Parquet, one row group per PARQUET_ROW_GROUP rows, sent as each group is written."""
    import pyarrow as pa  # reason: see parquet_schema
    import pyarrow.parquet as pq  # reason: see parquet_schema

    schema = parquet_schema(dataset, fields)
    sink = _Drain()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    columns: dict[str, list] = {name: [] for name in fields}
    count = 0

    def flush():
        writer.write_table(pa.table(columns, schema=schema), row_group_size=PARQUET_ROW_GROUP)
        for values in columns.values():
            values.clear()

    for row in rows:
        for name in fields:
            value = row.get(name)
            columns[name].append(float(value) if isinstance(value, Decimal) else value)
        count += 1
        if count % PARQUET_ROW_GROUP == 0:
            flush()
            yield sink.take()
    if count % PARQUET_ROW_GROUP or count == 0:
        flush()
    writer.close()
    yield sink.take()


def write(code: str, rows: Iterable[dict], fields: list[str], dataset: PlatformDataset) -> Iterator:
    if code == "csv":
        return write_csv(rows, fields)
    if code == "jsonl":
        return write_jsonl(rows, fields)
    if code == "geojson":
        return write_geojson(rows, fields, dataset)
    return write_parquet(rows, fields, dataset)
