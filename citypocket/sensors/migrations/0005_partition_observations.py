"""PostgreSQL: the observation table becomes partitioned by month, keeping every row; roll-ups backfilled.

On SQLite the table stays a plain one; both fill the roll-ups from the rows already stored. The
model's state does not change: the table keeps its columns and names (see
sensors/partitions.py for the keys of the partitioned table).
"""

from django.db import migrations

from citypocket.sensors import partitions, rollups


def forward(apps, schema_editor):
    partitions.partition_table(schema_editor.connection)
    rollups.rebuild(schema_editor.connection)


def backward(apps, schema_editor):
    partitions.unpartition_table(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("sensors", "0004_observation_rollups"),
        ("cities", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
