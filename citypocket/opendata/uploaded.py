"""A published version of an uploaded dataset, served like a platform dataset.

The rows sit in one table (`DatasetRow`, the cells as JSON); each field of the version's Table
Schema becomes a typed column of the QuerySet (`Cast` of the JSON key), so that the row API's
filters, sort and cursor pages and the exports run in the database, on SQLite and PostgreSQL alike.
"""

from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateField,
    DateTimeField,
    F,
    FloatField,
    Func,
    QuerySet,
    TextField,
)

from citypocket.opendata.models import DatasetRow, DatasetVersion
from citypocket.opendata.registry import Field, PlatformDataset
from citypocket.opendata.rows import CURSOR_KINDS

LINE = "_line"
# Table Schema types served as one of the registry's types; the others are served as text.
SERVED_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
                "date": "date", "datetime": "datetime", "year": "integer"}
CASTS = {"integer": BigIntegerField, "number": FloatField, "boolean": BooleanField, "date": DateField,
         "datetime": DateTimeField, "string": TextField}


class Cell(Func):
    """The SQL value of one key of a row's cells, typed: `->>` then a cast on PostgreSQL; `JSON_EXTRACT`
    on SQLite, which gives numbers as numbers, booleans as 1/0 and a JSON null as NULL (dates and
    datetimes are stored as the text SQLite compares). Keys are checked field names (validation)."""

    def __init__(self, key: str, output_field):
        super().__init__(F("row_data"), output_field=output_field)
        self.key = key

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            sql = f"({column} ->> %s)"
            if not isinstance(self.output_field, TextField):
                sql = f"{sql}::{self.output_field.cast_db_type(connection)}"
            return sql, (*params, self.key)
        return f"JSON_EXTRACT({column}, %s)", (*params, f'$."{self.key}"')
LONGITUDES = ("xlong", "longitude", "lon", "lng", "long")
LATITUDES = ("ylat", "latitude", "lat")


def _pick(fields: list[Field], names: tuple[str, ...]) -> str:
    by_name = {f.name.lower(): f.name for f in fields if f.type == "number"}
    return next((by_name[name] for name in names if name in by_name), "")


def definition_of(version: DatasetVersion) -> PlatformDataset:
    """The row declaration of a version, after its Table Schema."""
    dataset = version.dataset
    descriptor = version.table_schema
    fields = []
    for item in descriptor.get("fields", []):
        served = SERVED_TYPES.get(item.get("type", "string"), "string")
        required = bool((item.get("constraints") or {}).get("required"))
        fields.append(Field(
            name=item["name"], type=served, description_fr=item.get("description", "") or item.get("title", ""),
            description_en=item.get("description", "") or item.get("title", ""),
            sortable=required and served in CURSOR_KINDS,
        ))
    primary = descriptor.get("primaryKey") or []
    primary = [primary] if isinstance(primary, str) else list(primary)
    by_name = {f.name: f for f in fields}
    if primary and all(name in by_name and by_name[name].type in CURSOR_KINDS for name in primary):
        key = tuple(primary)
        fields = [Field(f.name, f.type, f.description_fr, f.description_en, sortable=True) if f.name in key else f
                  for f in fields]
    else:
        key = (LINE,)
        fields.append(Field(LINE, "integer", "Ligne du fichier", "Line of the file", source="row_line",
                            sortable=True))
    types = {f.name: f.type for f in fields}
    time_field = next((f.name for f in fields if f.type == "datetime"), "")

    def queryset(city) -> QuerySet:
        rows = DatasetRow.objects.filter(row_version=version)
        columns = {}
        for name, kind in types.items():
            if name == LINE:
                continue
            columns[name] = Cell(name, CASTS[kind]())
        return rows.annotate(**columns)

    return PlatformDataset(
        slug=dataset.slug, title_fr=dataset.title_fr, title_en=dataset.title_en,
        description_fr=dataset.description_fr, description_en=dataset.description_en,
        fields=tuple(fields), key=key, queryset=queryset,
        lon_field=_pick(fields, LONGITUDES) if _pick(fields, LATITUDES) else "",
        lat_field=_pick(fields, LATITUDES) if _pick(fields, LONGITUDES) else "",
        time_field=time_field, conforms_to=version.schema_url,
    )

