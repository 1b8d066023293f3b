"""How the sensor tables would be spread over a Citus cluster, and the check that the schema allows it.

Past one machine (docs/architecture.md, "Past one machine"), the observation tables are distributed
by datastream: every row of one datastream lives on one shard, so a series, a latest value or an
ingest batch of one datastream is answered by one node, and the roll-ups of a datastream sit beside
its raw rows (co-located). The small tables that everything joins (cities, sensors, datastreams)
are reference tables, copied to every node.

Citus refuses a distributed table whose unique keys do not contain the distribution column, a
foreign key from a distributed table to a table that is neither a reference table nor co-located
on the same column, and a foreign key from a reference table to a distributed one.
`incompatibilities()` reads PostgreSQL's catalog and lists every such obstacle (a test keeps the
list empty); `citus_statements()` gives the statements that would distribute the tables.
"""

DISTRIBUTED = {
    "sensors_observation": "datastream_id",
    "sensors_observationhourly": "datastream_id",
    "sensors_observationdaily": "datastream_id",
    "sensors_latestobservation": "datastream_id",
}
REFERENCE = ("cities_city", "sensors_sensor", "sensors_datastream")


def citus_statements() -> list[str]:
    """The statements that turn this schema into a Citus one (reference tables first)."""
    statements = [f"SELECT create_reference_table('{table}');" for table in REFERENCE]
    first = next(iter(DISTRIBUTED))
    for table, column in DISTRIBUTED.items():
        colocate = "" if table == first else f", colocate_with => '{first}'"
        statements.append(f"SELECT create_distributed_table('{table}', '{column}'{colocate});")
    return statements


def _unique_keys(cursor, table: str) -> list[tuple[str, list[str]]]:
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, array_agg(a.attname ORDER BY a.attnum) FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND (i.indisunique OR i.indisprimary) GROUP BY 1 ORDER BY 1",
        [table],
    )
    return cursor.fetchall()


def _foreign_keys(cursor) -> list[tuple[str, str, str, list[str], list[str]]]:
    """(name, from table, to table, from columns, to columns) of every foreign key of the schema."""
    cursor.execute(
        "SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text, "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)), "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey)) "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' AND NOT t.relispartition"
    )
    return cursor.fetchall()


def incompatibilities(connection) -> list[str]:
    """What would stop Citus from distributing DISTRIBUTED and replicating REFERENCE (empty: nothing)."""
    found = []
    with connection.cursor() as cursor:
        for table, column in DISTRIBUTED.items():
            for index, columns in _unique_keys(cursor, table):
                if column not in columns:
                    found.append(f"{table}: unique key {index} ({', '.join(columns)}) lacks {column}")
        for name, source, target, columns, targets in _foreign_keys(cursor):
            if source in DISTRIBUTED:
                keys = ([DISTRIBUTED[source]], [DISTRIBUTED.get(target)])
                co_located = target in DISTRIBUTED and (columns, targets) == keys
                if target not in REFERENCE and not co_located and target != source:
                    found.append(f"{source}: foreign key {name} to {target}, neither a reference table nor co-located")
            elif target in DISTRIBUTED:
                found.append(f"{source}: foreign key {name} to the distributed {target}")
            elif source in REFERENCE and target not in REFERENCE:
                found.append(f"{source}: the reference table's foreign key {name} to {target}, not a reference table")
    return found
