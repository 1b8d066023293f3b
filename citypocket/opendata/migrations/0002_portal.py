"""Full-text search of the portal on PostgreSQL: the `unaccent` extension, a French text-search
configuration that drops accents before stemming ("qualite" finds "qualité") and a plain one that
only drops accents (exact words rank first). Nothing on SQLite, where the portal searches normalised
text in Python (`opendata.search`)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIGURATIONS = {  # name: (copied from, dictionaries of words once unaccented)
    "citypocket_french": ("french", "unaccent, french_stem"),
    "citypocket_simple": ("simple", "unaccent, simple"),
}


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (parent, dictionaries) in CONFIGURATIONS.items():
        schema_editor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN "
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent}); "
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
            f"WITH {dictionaries}; END IF; END $$;"
        )


def drop_configurations(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in CONFIGURATIONS:
            schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_initial")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(create_configurations, drop_configurations, elidable=False),
    ]
