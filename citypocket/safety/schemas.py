"""API contracts of the safety app. Public outputs carry no report id, exact point, time or text."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from citypocket.core import geojson
from citypocket.safety.models import Category, ReporterRole


class ReportIn(Schema):
    category: Literal[tuple(Category.values)]  # type: ignore[valid-type]
    occurred_at: dt.datetime = Field(
        description="ISO 8601 with an offset; stored encrypted, published as the month only."
    )
    role: Literal[tuple(ReporterRole.values)] = ReporterRole.VICTIM  # type: ignore[valid-type]
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    place_name: str = Field("", max_length=300, description="A street or place name, for people who cannot use a map.")
    description: str = Field("", max_length=4000)
    contact: str = Field("", max_length=300, description="Optional; erased two months after the case is closed.")


class SupportService(Schema):
    name: str
    number: str
    url: str
    description: str


class ReceiptOut(Schema):
    receipt_code: str = Field(description="Shown once; keep it to follow the case. Only its hash is stored.")
    status: str
    support: list[SupportService]


class ReportFollowIn(Schema):
    receipt_code: str = Field(max_length=40)
    text: str = Field("", max_length=4000, description="Optional information to add to the report.")


class ReplyOut(Schema):
    date: dt.date
    text: str


class ReportFollowOut(Schema):
    status: str
    status_label: str
    category: str
    month: str
    added: bool
    replies: list[ReplyOut]
    support: list[SupportService]


class CategoryGroups(Schema):
    verbal: int
    physical: int
    place: int
    other: int


class HotspotProperties(Schema):
    h3: str
    resolution: int = Field(description="8 for a cell, 7 for the pooled reports of a parent's small cells.")
    month: str
    count: int
    categories: CategoryGroups | None = Field(
        description="Counts per category group; null when one would be too small or when every report "
        "falls in one group."
    )


class HotspotFeature(geojson.Feature):
    id: str = Field(description="`YYYY-MM/<H3 cell>`")
    geometry: geojson.Polygon
    properties: HotspotProperties


class HotspotCollection(geojson.FeatureCollection):
    k: int
    features: list[HotspotFeature]


class SafePlaceProperties(Schema):
    name: str
    kind: str
    kind_label: str
    address: str
    opening_hours: dict[str, list[list[str]]]
    open_now: bool
    charter_signed_on: dt.date | None
    trained_on: dt.date | None
    is_demo: bool


class SafePlaceFeature(geojson.Feature):
    id: int
    geometry: geojson.Point
    properties: SafePlaceProperties


class SafePlaceCollection(geojson.FeatureCollection):
    features: list[SafePlaceFeature]


class FilmedZoneProperties(Schema):
    name: str
    operator: str
    purpose: str
    retention_days: int
    rights_contact: str
    radius_m: int | None
    is_demo: bool


class FilmedZoneFeature(geojson.Feature):
    id: int
    geometry: geojson.Polygon
    properties: FilmedZoneProperties


class FilmedZoneCollection(geojson.FeatureCollection):
    features: list[FilmedZoneFeature]
