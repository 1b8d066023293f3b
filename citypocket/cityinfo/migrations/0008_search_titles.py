from django.db import migrations

# PostgreSQL only: the titles' own tsvector (French and English, accents ignored) with a GIN index.
# The one search ranks the items whose titles have the words first (cityinfo.searchindex): a common
# word is in the text of thousands of items and in the titles of a few dozen.
POSTGRES_FORWARD = [
    "ALTER TABLE cityinfo_searchentry ADD COLUMN title_document tsvector GENERATED ALWAYS AS ("
    "to_tsvector('french_unaccent'::regconfig, title_fr) || "
    "to_tsvector('english_unaccent'::regconfig, title_en)) STORED",
    "CREATE INDEX search_title_document ON cityinfo_searchentry USING gin (title_document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_title_document",
    "ALTER TABLE cityinfo_searchentry DROP COLUMN IF EXISTS title_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('cityinfo', '0007_occurrences'),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
    ]
