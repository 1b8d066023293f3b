"""The schema stays ready for Citus (distribution by datastream): checked on the real PostgreSQL catalog."""

import pytest
from django.db import connection

from citypocket.sensors import distribution

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="reads PostgreSQL's catalog"),
]


def test_every_unique_key_and_foreign_key_allows_the_distribution():
    assert distribution.incompatibilities(connection) == []


def test_the_check_sees_a_unique_key_without_the_distribution_column():
    """The check is not vacuous: a unique key on id alone (the table before 0005) is reported."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE UNIQUE INDEX observation_id_unique ON sensors_observation (id, phenomenon_time)")
        cursor.execute("ALTER TABLE sensors_datastream ADD COLUMN probe bigint REFERENCES sensors_latestobservation")
    found = distribution.incompatibilities(connection)
    assert any("observation_id_unique" in line and "lacks datastream_id" in line for line in found)
    assert any("sensors_datastream: foreign key" in line and "sensors_latestobservation" in line for line in found)


def test_statements_distribute_the_observation_tables_together():
    statements = distribution.citus_statements()
    assert statements[0] == "SELECT create_reference_table('cities_city');"
    assert "SELECT create_distributed_table('sensors_observation', 'datastream_id');" in statements
    assert all("colocate_with => 'sensors_observation'" in s for s in statements[4:])
