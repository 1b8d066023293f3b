"""Schemas of the sensor API."""

from datetime import datetime
from typing import Literal

from ninja import Schema


class RejectionOut(Schema):
    index: int
    reason: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectionOut]


class LatestValue(Schema):
    value: float
    unit: str
    observed_at: datetime


class PointGeometry(Schema):
    type: Literal["Point"] = "Point"
    coordinates: list[float]


class SensorProperties(Schema):
    name: str
    kind: str
    latest: dict[str, LatestValue]


class SensorFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry | None
    properties: SensorProperties


class SensorCollection(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[SensorFeature]


class ObservationPoint(Schema):
    time: datetime
    value: float | None = None
    avg: float | None = None
    min: float | None = None
    max: float | None = None
    count: int | None = None


class ObservationSeries(Schema):
    sensor: str
    property: str
    unit: str
    resolution: Literal["raw", "hour", "day"]
    start: datetime
    end: datetime
    items: list[ObservationPoint]
    next: str | None = None
