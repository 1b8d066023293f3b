"""Schemas of the sensor API."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from citypocket.core import geojson


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


class SensorProperties(Schema):
    name: str
    kind: str
    latest: dict[str, LatestValue]
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")


class SensorFeature(geojson.Feature):
    id: str = Field(description="The sensor's external id")
    geometry: geojson.Point | None
    properties: SensorProperties


class SensorCollection(geojson.FeatureCollection):
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
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")
    property: str
    unit: str
    resolution: Literal["raw", "hour", "day"]
    start: datetime
    end: datetime
    items: list[ObservationPoint]
    next: str | None = None
