"""The datasets the platform publishes by itself, declared by the app that owns the data.

An app lists its public datasets in `<app>/opendata.py` (discovered by `OpendataConfig.ready`):
its fields with their types, the public rows of a city — a QuerySet, so that filters, sorting and
paging run in the database, or, for a small aggregate computed in Python (the k-anonymous
hotspots), a function returning the rows — where each row is (`lon`/`lat`, or a `geometry`) and
when (`time_field`). The registry holds only declarations; `opendata.services` turns them into
catalog rows and `opendata.rows` reads them.

What a declaration exposes is public by construction: the app chooses the rows and the fields, and
nothing reaches the catalog, the API or an export except through those fields.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

# Table Schema types (https://specs.frictionlessdata.io/table-schema/) of the published fields.
TYPES = ("string", "integer", "number", "boolean", "date", "datetime")


@dataclass(frozen=True)
class Field:
    """One published column: its name in the data, its type, and where it comes from (an ORM path)."""

    name: str
    type: str
    description_fr: str = ""
    description_en: str = ""
    source: str = ""  # ORM path in the dataset's QuerySet; the name itself when empty
    sortable: bool = False  # never null, so that it can order a cursor

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    @property
    def path(self) -> str:
        return self.source or self.name


@dataclass(frozen=True)
class PlatformDataset:
    """A dataset every city publishes from the platform's own data."""

    slug: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # fields that identify a row (unique, never null): the default order
    queryset: Callable[[Any], QuerySet] | None = None  # city -> its public rows
    rows: Callable[[Any], Iterable[dict]] | None = None  # city -> rows, for small computed aggregates
    geometry: Callable[[dict], dict | None] | None = None  # row -> GeoJSON geometry (default: its point)
    lon_field: str = ""
    lat_field: str = ""
    time_field: str = ""
    modified_field: str = ""  # ORM path of the rows' own "last written" time; else a content hash
    keywords_fr: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    hvd_category: str = ""
    accrual_periodicity: str = "IRREG"
    conforms_to: str = ""
    provenance_fr: str = ""
    provenance_en: str = ""

    def __post_init__(self):
        if (self.queryset is None) == (self.rows is None):
            raise ValueError(f"{self.slug}: give either a queryset or rows")
        names = {f.name for f in self.fields}
        for name in (*self.key, self.lon_field, self.lat_field, self.time_field):
            if name and name not in names:
                raise ValueError(f"{self.slug}: {name!r} is not one of its fields")

    @property
    def is_geographic(self) -> bool:
        return bool(self.lon_field and self.lat_field) or self.geometry is not None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def values(self, city) -> QuerySet:
        """The city's public rows as dicts keyed by field name (database-side)."""
        plain = [f.name for f in self.fields if f.path == f.name]
        renamed = {f.name: F(f.path) for f in self.fields if f.path != f.name}
        return self.queryset(city).values(*plain, **renamed)

    def row_geometry(self, row: dict) -> dict | None:
        if self.geometry is not None:
            return self.geometry(row)
        lon, lat = row.get(self.lon_field), row.get(self.lat_field)
        if lon is None or lat is None:
            return None
        return {"type": "Point", "coordinates": [lon, lat]}


_registry: dict[str, PlatformDataset] = {}


def register(dataset: PlatformDataset) -> PlatformDataset:
    _registry[dataset.slug] = dataset
    return dataset


def list_platform_datasets() -> list[PlatformDataset]:
    return sorted(_registry.values(), key=lambda d: d.slug)


def get_platform_dataset(slug: str) -> PlatformDataset | None:
    return _registry.get(slug)
