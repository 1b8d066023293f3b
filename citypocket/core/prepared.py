"""Hot reads whose statements PostgreSQL plans once per connection instead of at every request.

Django sends each query with its values written in (psycopg's client-side binding) and never
prepares one, so that connection poolers work. For the reads asked at every request of the app and
the API (the car-park list and search, air now, latest values, series, the alert banner), PostgreSQL
then spends more time planning than running them: EXPLAIN ANALYZE on the bench database, the
search's query plans in 0.4 ms and runs in 0.08 ms, the car-park list 0.16 ms against 0.04 ms.

Inside `prepared()`, the queries of the current thread's connection are sent with their values apart
(server-side binding) and prepared by psycopg (a named statement per query text, kept by the
connection, `prepare=True`), so that PostgreSQL parses each once and, after five runs, keeps one plan
for it when that plan is as good as the ones made for each value (`plan_cache_mode = auto`).

A value that decides which rows and how many — the city, whose car parks may be ten or ten thousand —
is written into the SQL instead (`int_literal`): each city then has its statement and its plan, rather
than one plan for "any city" that scans far more than a small city needs (measured: the car-park list
of a ten-car-park city fell from 1 500 to 400 requests/s with the plan of any city).

The constants of a query built by the ORM (a datastream's property, a sensor's kind) are written
into the SQL too (`constant_literal`, mobility.rows), so that only the request's own values remain
parameters. Left as parameters, they can make PostgreSQL plan the statement again at every run: with
the property unknown, the plan for any value looked dearer than the plans made for each run, so
Rouen's counting points were planned 5 200 times in 5 200 runs (1.2 ms of planning each, for 0.2 ms
of execution, in pg_prepared_statements' custom_plans). The day of a read of today (air now's
daily indices) is written in as well (`date_literal`): with the two days as parameters, the plan for
any day looked dearer than the ones made for each, and the statement was planned at every run again.

psycopg's threshold (settings: DB_PREPARED_READS) is set so high that no other query is prepared; it
still counts them, and forgets its statements after a ROLLBACK, DROP or ALTER, as it does for any.
Only reads written with this in mind run inside (their SQL names its columns: a prepared `SELECT *`
fails once a migration changes the table). Transactions, poolers (DB_POOL_SIZE: the statements go with
the connection) and the query log (`connection.queries`, django_assert_num_queries) are as for any
query. SQLite runs the same code with its usual cursor: nothing is prepared there.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from functools import cache

from django.db import connections
from django.db.models import Model


@contextmanager
def prepared(using: str = "default") -> Iterator[None]:
    """Queries run inside, on this thread's connection `using`, are prepared by PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    # What Django's cursor() does first, done before the cursor class is chosen: a connection that
    # fails its health check is replaced here, not under the statement.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # DB_PREPARED_READS off: psycopg prepares nothing
        yield
        return
    usual = raw.cursor_factory
    raw.cursor_factory = _preparing_cursor_class()
    try:
        yield
    finally:
        raw.cursor_factory = usual


def int_literal(value: int) -> str:
    """`value` as a literal in SQL text: only ever an int (the statement is per value, see above)."""
    if type(value) is not int:
        raise TypeError(f"an int is written into SQL, not {type(value).__name__}")
    return str(value)


def date_literal(value: date) -> str:
    """A day as a literal in SQL text ('2026-12-02'): only ever a date, never a datetime. A statement
    read for today is then one statement a day for each connection, planned once."""
    if type(value) is not date:
        raise TypeError(f"a date is written into SQL, not {type(value).__name__}")
    return f"'{value.isoformat()}'"


# Text written into SQL as it is: letters, digits and _ . : - only (no quote, backslash or percent sign).
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.:-]*")


def constant_literal(value) -> str | None:
    """A query's constant (never a request's value) as a literal in SQL text, or None when it is not
    one written in: only a boolean or a plain text (an enumeration by its value)."""
    if isinstance(value, Enum):
        value = value.value
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is str and _PLAIN_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def written(value) -> str:
    """`constant_literal` of a constant that hand-written SQL writes in: raises if it cannot be."""
    literal = constant_literal(value)
    if literal is None:
        raise ValueError(f"not a constant written into SQL: {value!r}")
    return literal


@cache
def _preparing_cursor_class() -> type:
    # Imported on first use: Django's PostgreSQL backend is loaded only where the database is PostgreSQL.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Django's server-side binding cursor; every statement prepared (psycopg's prepare=True)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def columns(model, alias: str) -> str:
    """The model's columns for a prepared SELECT, each prefixed by `alias`: never `*` (see above)."""
    quote = connections["default"].ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def model_reader(model, using: str = "default") -> Callable[[Sequence], Model]:
    """Makes a `model` instance of a row whose first columns are `columns(model, …)`, each value
    converted as the ORM converts it (JSON, times on SQLite): for a read whose rows repeat an object
    (a station on each of its pollutants' rows) and that makes it once. `reader.pk_index` is the
    primary key's place in the row."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    converting = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converting.append((index, column, found))
    width = len(fields)

    def read(row: Sequence) -> Model:
        values = list(row[:width])
        for index, column, converters in converting:
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return model.from_db(using, names, values)

    read.pk_index = names.index(model._meta.pk.attname)
    return read
