"""Reading a dataset's rows: filters, field selection, sort and cursor pages, with no depth limit.

One query description (`RowQuery`), parsed from the request's parameters, runs two ways: on a
QuerySet (the database filters, sorts and pages — observations may be millions of rows) or on the
few rows of a computed dataset (the same rules, in Python). Pages are keyset pages: the cursor is the
sort key of the last row sent (`core.pagination`), so page 10 000 costs what page 1 does.

Parameters: `<field>=v` (equality), `<field>__gt|__gte|__lt|__lte=v` (ranges), `bbox=w,s,e,n` (on the
dataset's point), `from`/`to` (half-open window on its time field), `fields=a,b`, `sort=f` or
`sort=-f`, `limit`, `cursor`. Anything else, or a value of the wrong type, is a 422 problem.
"""

import datetime as dt
import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from citypocket.core.pagination import CursorPage, cursor_page, decode_cursor
from citypocket.core.problems import InvalidValues
from citypocket.opendata.registry import Field, PlatformDataset

OPERATORS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
RESERVED = {"limit", "cursor", "sort", "fields", "bbox", "from", "to", "format", "lang"}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CURSOR_KINDS = {"integer": int, "string": str, "datetime": dt.datetime, "date": dt.date}


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "eq" or one of OPERATORS
    value: object


@dataclass(frozen=True)
class RowQuery:
    conditions: tuple[Condition, ...]
    fields: tuple[str, ...]  # the columns to return, in order
    order: tuple[str, ...]  # sort column then the key columns
    descending: bool
    limit: int
    after: tuple | None  # the sort key of the last row of the previous page


def _problem(param: str, message: str) -> InvalidValues:
    return InvalidValues("Some parameters are invalid.", errors=[{"field": param, "message": message}])


def parse_value(field: Field, text: str, param: str):
    """A query-string value typed as its field, or a 422 problem naming the parameter."""
    try:
        if field.type == "integer":
            if not text.lstrip("-").isdigit():
                raise ValueError
            return int(text)
        if field.type == "number":
            number = float(text)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if field.type == "boolean":
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if field.type == "date":
            value = parse_date(text)
            if value is None:
                raise ValueError
            return value
        if field.type == "datetime":
            value = parse_datetime(text)
            if value is None or value.utcoffset() is None:
                raise ValueError
            return value
    except ValueError:
        raise _problem(param, f"not a valid {field.type}" + (" with a UTC offset" if field.type == "datetime"
                                                               else "")) from None
    return text


def parse_query(dataset: PlatformDataset, params: Mapping[str, str], *, paged: bool = True) -> RowQuery:
    """The query a request's parameters ask for, checked against the dataset's fields."""
    conditions: list[Condition] = []
    for param, text in params.items():
        if param in RESERVED:
            continue
        name, _, op = param.partition("__")
        field = dataset.field(name)
        if field is None:
            raise _problem(param, "not a field of this dataset")
        if op and op not in OPERATORS:
            raise _problem(param, "operators are gt, gte, lt and lte")
        conditions.append(Condition(name, op or "eq", parse_value(field, text, param)))
    if params.get("bbox"):
        if not dataset.lon_field:
            raise _problem("bbox", "this dataset has no location")
        try:
            west, south, east, north = (float(part) for part in params["bbox"].split(","))
        except ValueError:
            raise _problem("bbox", "four numbers: west,south,east,north") from None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise _problem("bbox", "west <= east within [-180, 180], south <= north within [-90, 90]")
        conditions += [Condition(dataset.lon_field, "gte", west), Condition(dataset.lon_field, "lte", east),
                       Condition(dataset.lat_field, "gte", south), Condition(dataset.lat_field, "lte", north)]
    for param, op in (("from", "gte"), ("to", "lt")):
        if params.get(param):
            if not dataset.time_field:
                raise _problem(param, "this dataset has no time field")
            field = dataset.field(dataset.time_field)
            conditions.append(Condition(field.name, op, parse_value(field, params[param], param)))

    fields = tuple(f.name for f in dataset.fields)
    if params.get("fields"):
        asked = tuple(name.strip() for name in params["fields"].split(",") if name.strip())
        unknown = [name for name in asked if dataset.field(name) is None]
        if unknown or not asked:
            raise _problem("fields", "unknown field: " + ", ".join(unknown) if unknown else "no field named")
        fields = asked

    sort = params.get("sort", "")
    descending = sort.startswith("-")
    sort_name = sort.lstrip("-")
    if sort_name:
        field = dataset.field(sort_name)
        if field is None or not (field.sortable or sort_name in dataset.key):
            raise _problem("sort", "sortable fields: " + ", ".join(sortable_fields(dataset)))
    order = tuple(dict.fromkeys(([sort_name] if sort_name else []) + list(dataset.key)))

    limit = DEFAULT_LIMIT
    if params.get("limit"):
        text = params["limit"]
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            raise _problem("limit", f"an integer from 1 to {MAX_LIMIT}")
        limit = int(text)
    after = None
    if paged and params.get("cursor"):
        after = decode_cursor(params["cursor"], *(CURSOR_KINDS[dataset.field(name).type] for name in order))
    return RowQuery(tuple(conditions), fields, order, descending, limit, after)


def sortable_fields(dataset: PlatformDataset) -> list[str]:
    return [f.name for f in dataset.fields if f.sortable or f.name in dataset.key]


# --- On a QuerySet: everything in the database.

def _keyset(order: tuple[str, ...], after: tuple, descending: bool) -> Q:
    """Rows strictly after `after` in (order) order: a lexicographic comparison spelled in Q objects."""
    lookup = "lt" if descending else "gt"
    keyset = Q()
    for index, name in enumerate(order):
        step = Q(**{f"{name}__{lookup}": after[index]})
        for previous, value in zip(order[:index], after[:index], strict=True):
            step &= Q(**{previous: value})
        keyset |= step
    return keyset


def filtered(dataset: PlatformDataset, city, query: RowQuery) -> QuerySet:
    """The city's rows matching the query's conditions, in its order (no page)."""
    rows = dataset.values(city)
    for condition in query.conditions:
        lookup = condition.field if condition.op == "eq" else f"{condition.field}__{condition.op}"
        rows = rows.filter(**{lookup: condition.value})
    prefix = "-" if query.descending else ""
    return rows.order_by(*(prefix + name for name in query.order))


# --- On computed rows: the same rules in Python.

def _matches(row: dict, condition: Condition) -> bool:
    value = row.get(condition.field)
    if value is None:
        return False
    if condition.op == "eq":
        return value == condition.value
    return OPERATORS[condition.op](value, condition.value)


def _computed(dataset: PlatformDataset, city, query: RowQuery) -> list[dict]:
    rows = [row for row in dataset.rows(city) if all(_matches(row, c) for c in query.conditions)]
    return sorted(rows, key=lambda row: tuple(row[name] for name in query.order), reverse=query.descending)


def _after(rows: list[dict], query: RowQuery) -> list[dict]:
    if query.after is None:
        return rows
    compare = operator.lt if query.descending else operator.gt
    return [row for row in rows if compare(tuple(row[name] for name in query.order), query.after)]


# --- Both.

def _cursor_key(query: RowQuery):
    def key(row: dict) -> tuple:
        return tuple(row[name] for name in query.order)
    return key


def page(dataset: PlatformDataset, city, query: RowQuery) -> CursorPage:
    """One page of rows (dicts of every field) and the cursor of the next one."""
    if dataset.queryset is not None:
        rows = filtered(dataset, city, query)
        if query.after is not None:
            rows = rows.filter(_keyset(query.order, query.after, query.descending))
    else:
        rows = _after(_computed(dataset, city, query), query)
    return cursor_page(rows, limit=query.limit, key=_cursor_key(query))


def stream(dataset: PlatformDataset, city, query: RowQuery, *, chunk_size: int = 5000) -> Iterator[dict]:
    """Every matching row, in order, read in chunks (a server-side cursor on PostgreSQL)."""
    if dataset.queryset is not None:
        return filtered(dataset, city, query).iterator(chunk_size=chunk_size)
    return iter(_computed(dataset, city, query))


def project(row: dict, fields: Iterable[str]) -> dict:
    """The asked columns of a row, with JSON-ready values."""
    return {name: _json_value(row.get(name)) for name in fields}


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
