"""Hot reads as plain rows, their SQL compiled once per process and thread.

Building the SQL of a queryset with joins costs more than running it on a few rows (the profile of
the car-park list: about a third of the request). `Prepared` compiles a `values_list` queryset once,
with stand-in values for its parameters, and then only executes the same SQL with the request's
values, through Django's cursor (so it shows in query counts and logs) and Django's own converters
(time zones, JSON, decimals are as the ORM gives them). On PostgreSQL the statement is also prepared
by the database (core.prepared), with the values named in `literals` (the city) and the query's
constants written into it. There, the same query also gives the digest of its rows, with them or
alone (a validator for a 304 that reads no row: mobility.api.car_park_list).
"""

import re
import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

from citypocket.core.prepared import constant_literal, int_literal, prepared

_local = threading.local()  # a Django connection belongs to one thread: so does its compiled SQL
_PERCENT = re.compile(r"%%|%s")


class Prepared:
    """`build(**stand_ins)` returns a values_list queryset; `rows(**values)` runs it with `values`.

    Every stand-in must be a value that appears nowhere else among the query's parameters (the
    compiled parameters equal to a stand-in are the ones replaced). The stand-ins named in `literals`
    are ints written into the SQL, so that PostgreSQL keeps a statement and a plan per value
    (core.prepared: a city's car parks may be ten or ten thousand).
    """

    def __init__(self, name: str, build: Callable[..., QuerySet], *, literals: tuple[str, ...] = (),
                 **stand_ins) -> None:
        self.name, self.build, self.stand_ins, self.literals = name, build, stand_ins, literals

    def _compiled(self, alias: str):
        cache = getattr(_local, "prepared", None)
        if cache is None:
            cache = _local.prepared = {}
        key = (self.name, alias, id(connections[alias]))
        compiled = cache.get(key)
        if compiled is None:
            queryset = self.build(**self.stand_ins)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            # By value: a backend may wrap a parameter (psycopg's Int2 for a small integer column).
            names = {value: name for name, value in self.stand_ins.items()}
            slots = [names.get(value) if isinstance(value, (int, float, str)) else None for value in params]
            missing = set(self.stand_ins) - set(slots)
            if missing:
                raise ValueError(f"{self.name}: stand-ins not found in the SQL: {sorted(missing)}")
            converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
            # The SQL around each placeholder (a literal % is written %%), to write the literals in.
            pieces = _split_at_placeholders(sql)
            if len(pieces) != len(params) + 1:
                raise ValueError(f"{self.name}: {len(pieces) - 1} placeholders for {len(params)} parameters")
            if connections[alias].vendor == "postgresql":
                pieces, params, slots = _write_constants(pieces, params, slots)
            compiled = cache[key] = (pieces, list(params), slots, compiler, converters, {})
        return compiled

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        return self._run(using, values, "rows")

    def rows_and_digest(self, *, using: str = "default", **values) -> tuple[list[tuple], str | None]:
        """The rows and, on PostgreSQL, their `digest`, in one statement (None: another database)."""
        if connections[using].vendor != "postgresql":
            return self.rows(using=using, **values), None
        rows = self._run(using, values, "digested")
        return [row[:-1] for row in rows], (rows[0][-1] if rows else "")

    def digest(self, *, using: str = "default", **values) -> str | None:
        """The MD5 of the rows as PostgreSQL writes them as text, one per line in their order, computed
        by PostgreSQL without sending them ("" for no row; None: another database): a validator of
        everything read, for a 304 that costs less than the answer; the same as `rows_and_digest`'s."""
        if connections[using].vendor != "postgresql":
            return None
        return self._run(using, values, "digest")[0][0] or ""

    def _run(self, using: str, values: dict, variant: str) -> list[tuple]:
        pieces, params, slots, compiler, converters, texts = self._compiled(using)
        written = tuple(values[name] for name in self.literals)
        sql = texts.get((variant, written))
        if sql is None:
            sql = pieces[0] + "".join(
                (int_literal(values[slot]) if slot in self.literals else "%s") + piece
                for slot, piece in zip(slots, pieces[1:], strict=True)
            )
            # The query stays a subquery with its ORDER BY, which PostgreSQL then keeps (a sorted
            # subquery is not pulled up): the window and the aggregate read the rows in that order.
            if variant == "digested":
                sql = f"SELECT q.*, md5(string_agg(q::text, E'\\n') OVER ()) FROM ({sql}) q"  # noqa: S608
            elif variant == "digest":
                sql = f"SELECT md5(string_agg(q::text, E'\\n')) FROM ({sql}) q"  # noqa: S608
            texts[(variant, written)] = sql
        params = [
            value if slot is None else values[slot] if type(value) is type(values[slot]) else type(value)(values[slot])
            for slot, value in zip(slots, params, strict=True)
            if slot not in self.literals
        ]
        with prepared(using), connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters and variant != "digest":
            return list(compiler.apply_converters(rows, converters))
        return rows


def _write_constants(pieces: list[str], params: list, slots: list) -> tuple[list[str], list, list]:
    """The query's constants written into its SQL (core.prepared.constant_literal): only the request's
    values stay parameters, so that PostgreSQL's choice of a plan depends on them alone."""
    written, kept_params, kept_slots = [pieces[0]], [], []
    for slot, value, piece in zip(slots, params, pieces[1:], strict=True):
        literal = constant_literal(value) if slot is None else None
        if literal is None:
            written.append(piece)
            kept_params.append(value)
            kept_slots.append(slot)
        else:
            written[-1] += literal + piece
    return written, kept_params, kept_slots


def _split_at_placeholders(sql: str) -> list[str]:
    """The SQL between its %s placeholders (a literal percent sign is %% and stays in its piece)."""
    pieces, start = [], 0
    for found in _PERCENT.finditer(sql):
        if found.group() == "%s":
            pieces.append(sql[start:found.start()])
            start = found.end()
    return [*pieces, sql[start:]]
