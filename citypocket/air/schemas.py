"""Public JSON contract of the air API (explicit fields, labels in the request language)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from citypocket.core import geojson
from citypocket.notifications.schemas import PushKeys


class IndexOut(Schema):
    scale: str
    version: str
    level: int
    label: str
    colour: str
    dominant: list[str]
    sub_indices: dict[str, int]


class DailyIndexOut(IndexOut):
    date: date
    source: Literal["computed", "official"]
    forecast: bool
    provisional: bool
    zone_code: str
    zone_name: str
    data_until: datetime | None
    station: str | None


class MeasurementOut(Schema):
    value: float
    unit: str
    time: datetime


class StationNowOut(Schema):
    code: str
    name: str
    lat: float | None
    lon: float | None
    measured_at: datetime | None
    stale: bool
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")
    eaqi: IndexOut
    atmo_today: IndexOut | None
    values: dict[str, MeasurementOut]


class AirNowOut(Schema):
    city: str
    date: date
    rule: str
    atmo: DailyIndexOut
    official: DailyIndexOut | None
    official_tomorrow: DailyIndexOut | None
    stations: list[StationNowOut]


class StationFeature(geojson.Feature):
    id: str = Field(description="The station's national code")
    geometry: geojson.Point | None
    properties: StationNowOut


class StationCollection(geojson.FeatureCollection):
    features: list[StationFeature]


class DailyIndexList(Schema):
    count: int
    items: list[DailyIndexOut]


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000, pattern=r"^https?://",
                          description="The browser's push endpoint: https, on a public host")
    keys: PushKeys
    language: Literal["fr", "en"] = "fr"


class SubscriptionOut(Schema):
    token: str
    channel: str
    city: str
    language: str
