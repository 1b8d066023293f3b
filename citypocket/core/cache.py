"""The database cache of installs without Redis, with counters that add up across processes.

Django's DatabaseCache shares its entries between processes, and its `add` is already safe for
one-time marks (the key is the table's primary key: of two concurrent adds one fails). Its `incr`
is a read then a write, so two processes counting at once both write the same total. Here `incr`
locks the row while it changes it: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite, where the
project opens every transaction with BEGIN IMMEDIATE (settings.py), the transaction itself holds
the database's write lock. It also keeps the entry's expiry, where Django's would reset it to the
default timeout.

A count is not worth a disk flush: on PostgreSQL, when the increment is a transaction of its own,
it commits without waiting for the write-ahead log to reach the disk (`synchronous_commit` off for
that transaction only). A crash may forget the last few counts; it never loses application data,
whose transactions are untouched. This saves a flush on every rate-limited request.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table, params):
        super().__init__(table, params)
        self.table_name = table

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        relax = ""
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            relax = ", set_config('synchronous_commit', 'off', true)"
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')}{relax} FROM {quote(self.table_name)} "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or _as_datetime(row[1], connection) < timezone.now():
                raise ValueError(f"Key '{key}' not found.")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode(), validate=True)) + delta  # noqa: S301 (our rows)
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {quote(self.table_name)} SET {quote('value')} = %s "  # noqa: S608 (names)
                f"WHERE {quote('cache_key')} = %s",
                [encoded, key],
            )
        return value


def _as_datetime(value, connection):
    """The `expires` column as an aware datetime, through the backend's converters (as Django's get does)."""
    expression = models.Expression(output_field=models.DateTimeField())
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value
