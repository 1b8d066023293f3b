"""Hot reads as plain rows, their SQL compiled once per process and thread.

Building the SQL of a queryset with joins costs more than running it on a few rows (the profile of
the car-park list: about a third of the request). `Prepared` compiles a `values_list` queryset once,
with stand-in values for its parameters, and then only executes the same SQL with the request's
values, through Django's cursor (so it shows in query counts and logs) and Django's own converters
(time zones, JSON, decimals are as the ORM gives them).
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

_local = threading.local()  # a Django connection belongs to one thread: so does its compiled SQL


class Prepared:
    """`build(**stand_ins)` returns a values_list queryset; `rows(**values)` runs it with `values`.

    Every stand-in must be a value that appears nowhere else among the query's parameters (the
    compiled parameters equal to a stand-in are the ones replaced).
    """

    def __init__(self, name: str, build: Callable[..., QuerySet], **stand_ins) -> None:
        self.name, self.build, self.stand_ins = name, build, stand_ins

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
            compiled = cache[key] = (sql, list(params), slots, compiler, converters)
        return compiled

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        sql, params, slots, compiler, converters = self._compiled(using)
        params = [
            value if slot is None else values[slot] if type(value) is type(values[slot]) else type(value)(values[slot])
            for slot, value in zip(slots, params, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return rows
