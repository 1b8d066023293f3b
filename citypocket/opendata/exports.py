"""Whole-dataset exports that stream from the database in constant memory.

Each writer takes the rows as an iterator (a server-side cursor on PostgreSQL, read in chunks by
`rows.stream`) and yields the file in pieces of about `BATCH` rows: neither the rows nor the file are
ever held whole. Parquet is written in row groups of `PARQUET_ROW_GROUP` rows, each sent as soon as
it is written.

CSV of a QuerySet dataset on PostgreSQL takes a faster road to the same bytes: `COPY (select) TO
STDOUT (FORMAT csv)`, the select writing each value as the text `_csv_text` and csv.writer give
(times in UTC with `Z`, `true`/`false`, Python's repr of a double), so that the database formats and
quotes every value and Python only passes the bytes on (copy_statement, write_csv_copy). A column of
a kind without an exact text form (JSON, decimal) sends the whole file down the general road.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.models import BigIntegerField, CharField, Func, IntegerField

from citypocket.core import geojson
from citypocket.opendata import rows as dataset_rows
from citypocket.opendata.registry import PlatformDataset
from citypocket.opendata.rows import RowQuery, project

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


def _sql_of(compiler, expression) -> tuple[str, tuple]:
    sql, params = compiler.compile(expression)
    return f"({sql})", tuple(params)


class _UtcText(Func):
    """A timestamp with time zone as `_csv_text` writes a datetime: ISO 8601 in UTC with `Z`, microseconds
    only when there are some."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        utc = f"({sql} AT TIME ZONE 'UTC')"
        return (f"CASE WHEN date_trunc('second', {utc}) = {utc} "
                f"""THEN to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') """
                f"""ELSE to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END""", params * 4)


class _DateText(Func):
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"to_char({sql}, 'YYYY-MM-DD')", params


class _BoolText(Func):
    """`true`, `false`, or an empty cell for NULL."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' END", params * 2


class _FloatText(Func):
    """A double as Python's repr writes it. PostgreSQL's own text is the same shortest round-trip digits
    but writes `10` for 10.0, `NaN`/`Infinity`, and uses an exponent from 1e15 where Python does from 1e16."""

    output_field = CharField()
    template = (
        "CASE WHEN {v} = 'NaN'::float8 THEN 'nan' "
        "WHEN {v} = 'Infinity'::float8 THEN 'inf' WHEN {v} = '-Infinity'::float8 THEN '-inf' "
        "WHEN {v} = 0 THEN {v}::text || '.0' "
        "WHEN {v} = trunc({v}) AND abs({v}) < 1e16::float8 THEN {v}::bigint::text || '.0' "
        # 1e15 <= |v| < 1e16, not whole: PostgreSQL's 1.2345678901234568e+15 is Python's 1234567890123456.8
        "WHEN abs({v}) >= 1e15::float8 AND abs({v}) < 1e16::float8 THEN "
        "CASE WHEN {v} < 0 THEN '-' ELSE '' END "
        "|| left(rpad(replace(split_part(abs({v})::text, 'e', 1), '.', ''), 16, '0'), 16) || '.' "
        "|| substr(replace(split_part(abs({v})::text, 'e', 1), '.', ''), 17) "
        "ELSE {v}::text END"
    )

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return self.template.format(v=sql), params * self.template.count("{v}")


class _Plain(Func):
    """A value whose text in PostgreSQL is Python's (integers)."""

    def as_sql(self, compiler, connection, **extra_context):
        return _sql_of(compiler, self.source_expressions[0])


class _String(Func):
    """Text with the empty string as NULL: PostgreSQL quotes an empty string (`""`), csv.writer does not."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"NULLIF({sql}::text, '')", params


# How each kind of column becomes the text csv.writer gives of `_csv_text`'s value; a column of any
# other kind (JSON, decimal — Python writes 1E-7 where PostgreSQL writes 0.0000001 — ...) sends the
# file down the general road.
_COPY_COLUMNS = {
    "DateTimeField": _UtcText, "DateField": _DateText, "BooleanField": _BoolText, "FloatField": _FloatText,
    "CharField": _String, "TextField": _String, "SlugField": _String, "EmailField": _String, "URLField": _String,
    "UUIDField": _String,
    **dict.fromkeys(("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
                     "PositiveSmallIntegerField"), _Plain),
}
COPY_PIECE = 256 * 1024  # bytes sent at a time by the COPY road


def copy_statement(dataset: PlatformDataset, city, query: RowQuery) -> tuple[str, tuple] | None:
    """`COPY (select) TO STDOUT` of the query's rows with every value as text `write_csv` would write, or
    None when that road does not apply: not PostgreSQL, rows computed in Python, a single column (csv.writer
    quotes a lone empty cell), or a column kind without an exact text form."""
    if dataset.queryset is None or len(query.fields) < 2:
        return None
    selection = dataset_rows.filtered(dataset, city, query)
    if connections[selection.db].vendor != "postgresql":
        return None
    columns = []
    for name in query.fields:
        try:
            kind = selection.query.resolve_ref(name).output_field.get_internal_type()
        except (AttributeError, FieldError):
            return None
        if kind not in _COPY_COLUMNS:
            return None
        # Every column an expression, so that the select lists them in this order.
        columns.append(_COPY_COLUMNS[kind](name))
    sql, params = selection.values_list(*columns).query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT (FORMAT csv)", tuple(params)


def write_csv_copy(statement: tuple[str, tuple], fields: list[str], using: str = "default") -> Iterator[bytes]:
    """The bytes of `write_csv`, written by PostgreSQL's COPY and sent in pieces of COPY_PIECE bytes.

    COPY ends rows with LF; each row comes alone from the connection, so its last byte is replaced by
    CRLF (a line break inside a quoted value stays as it is, as csv.writer leaves it)."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(fields)
    piece = bytearray(header.getvalue().encode())
    with connections[using].cursor() as cursor, cursor.cursor.copy(*statement) as copy:
        for row in copy:
            piece += row[:-1]
            piece += b"\r\n"
            if len(piece) >= COPY_PIECE:
                yield bytes(piece)
                piece.clear()
    yield bytes(piece)


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


def export(code: str, dataset: PlatformDataset, city, query: RowQuery) -> Iterator:
    """The whole selection of `query` as a file in format `code`, in pieces."""
    fields = list(query.fields)
    if code == "csv" and (statement := copy_statement(dataset, city, query)) is not None:
        return write_csv_copy(statement, fields)
    if code == "parquet" and (tuples := parquet_rows(dataset, city, query)) is not None:
        return write_parquet_rows(tuples, fields, dataset)
    return write(code, dataset_rows.stream(dataset, city, query), fields, dataset)


class _EpochMicros(Func):
    """A timestamp with time zone as microseconds since 1970 (UTC), read as a plain integer."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"(extract(epoch FROM {sql}) * 1000000)::bigint", params


class _EpochDays(Func):
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params


class _Text(Func):
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = _sql_of(compiler, self.source_expressions[0])
        return f"{sql}::text", params


_INTEGER_COLUMNS = ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField")
# Declared type -> {column kind: how it is read}: a value Arrow takes as it comes from the cursor.
_ARROW_COLUMNS = {
    "string": {**dict.fromkeys(("CharField", "TextField", "SlugField", "EmailField", "URLField"), _Plain),
               "UUIDField": _Text},
    "integer": dict.fromkeys(_INTEGER_COLUMNS, _Plain),
    "number": {"FloatField": _Plain, **dict.fromkeys(_INTEGER_COLUMNS, _Plain)},
    "boolean": {"BooleanField": _Plain},
    "date": {"DateField": _EpochDays},
    "datetime": {"DateTimeField": _EpochMicros},
}


def parquet_rows(dataset: PlatformDataset, city, query: RowQuery, *, chunk_size: int = 5000) -> Iterator[tuple] | None:
    """The query's rows as tuples Arrow reads directly (times as microseconds, dates as days since 1970),
    by a server-side cursor; None when a column's kind does not fit its declared type this way, or on
    another database than PostgreSQL."""
    if dataset.queryset is None:
        return None
    selection = dataset_rows.filtered(dataset, city, query)
    if connections[selection.db].vendor != "postgresql":
        return None
    columns = []
    for name in query.fields:
        try:
            kind = selection.query.resolve_ref(name).output_field.get_internal_type()
        except (AttributeError, FieldError):
            return None
        reader = _ARROW_COLUMNS[dataset.field(name).type].get(kind)
        if reader is None:
            return None
        columns.append(reader(name))
    return selection.values_list(*columns).iterator(chunk_size=chunk_size)


def write_parquet_rows(rows: Iterator[tuple], fields: list[str], dataset: PlatformDataset) -> Iterator[bytes]:
    """`write_parquet` from tuples (`parquet_rows`): each batch of BATCH rows becomes Arrow arrays at
    once, so that a row group is held in Arrow's compact form, not as Python objects."""
    import pyarrow as pa  # reason: see parquet_schema
    import pyarrow.parquet as pq  # reason: see parquet_schema

    schema = parquet_schema(dataset, fields)
    read_as = [pa.int64() if t == pa.timestamp("us", tz="UTC") else pa.int32() if t == pa.date32() else t
               for t in schema.types]
    sink = _Drain()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    batches, held, count = [], 0, 0

    def flush():
        table = pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()
        writer.write_table(table, row_group_size=PARQUET_ROW_GROUP)
        batches.clear()

    while chunk := list(islice(rows, min(BATCH, PARQUET_ROW_GROUP - held))):
        arrays = [pa.array(values, type=kind).cast(target) for values, kind, target
                  in zip(zip(*chunk, strict=True), read_as, schema.types, strict=True)]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        held += len(chunk)
        count += len(chunk)
        if held == PARQUET_ROW_GROUP:
            flush()
            held = 0
            yield sink.take()
    if held or count == 0:
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
