"""API schemas of the open-data catalog and its rows."""

from datetime import datetime
from typing import Any

from ninja import Schema


class FieldOut(Schema):
    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date, datetime
    description: str
    sortable: bool


class DownloadOut(Schema):
    format: str
    media_type: str
    url: str
    conforms_to: str | None
    byte_size: int | None = None  # known for a harvested file; the platform's exports stream


class CriterionOut(Schema):
    code: str  # description, licence, update_frequency, update_kept, open_format, schema, temporal_coverage,
    # spatial_coverage
    label: str
    met: bool


class QualityOut(Schema):
    """A metadata quality score after data.gouv.fr's: the share of the criteria met (0 to 1)."""

    score: float
    criteria: list[CriterionOut]


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    keywords: list[str]
    themes: list[str]
    high_value_category: str | None
    licence: str
    accrual_periodicity: str
    conforms_to: str | None
    issued: datetime | None
    modified: datetime | None
    temporal_start: datetime | None
    temporal_end: datetime | None
    row_count: int
    geographic: bool
    time_field: str | None
    key: list[str]
    fields: list[FieldOut]
    rows_url: str | None  # none for a harvested dataset: its files are at its source
    downloads: list[DownloadOut]
    harvested: bool
    publisher: str
    landing_page: str | None
    quality: QualityOut


class DatasetList(Schema):
    count: int
    items: list[DatasetOut]


class RowPage(Schema):
    items: list[dict[str, Any]]
    next: str | None
