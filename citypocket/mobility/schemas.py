"""API shapes of the mobility app (GeoJSON)."""

from datetime import datetime

from ninja import Field, Schema

from citypocket.core import geojson


class CarParkProperties(Schema):
    name: str
    sensor: str | None
    capacity: int | None
    available: int | None
    status: str
    status_label: str
    observed_at: datetime | None
    stale: bool
    park_and_ride: bool
    operator: str
    type: str
    disabled_places: int | None
    ev_places: int | None
    max_height_cm: int | None
    price_1h: float | None
    price_2h: float | None
    price_24h: float | None
    free_of_charge: bool
    opening_hours: dict
    approximate_location: bool
    provenance: str
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")


class CarParkFeature(geojson.Feature):
    id: str = Field(description="The car park's slug")
    geometry: geojson.Point
    properties: CarParkProperties


class CarParkCollection(geojson.FeatureCollection):
    features: list[CarParkFeature]


class PredictionOut(Schema):
    free: int | None
    method: str
    history_weeks: int


class SearchResultProperties(CarParkProperties):
    rank: int
    score: float
    predicted: PredictionOut
    walk_m: int
    walk_minutes: int
    approach_traffic: str
    reasons: list[str]


class SearchResultFeature(geojson.Feature):
    id: str = Field(description="The car park's slug")
    geometry: geojson.Point
    properties: SearchResultProperties


class Co2Out(Schema):
    car_km: float
    car_kg: float
    transit_kg: float
    avoided_kg: float


class AlternativeOut(Schema):
    id: str
    name: str
    sensor: str | None
    available: int | None
    status: str
    stale: bool
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")
    predicted: PredictionOut
    transit_line: str
    transit_minutes: int | None
    walk_m: int
    walk_minutes: int
    total_minutes: int | None
    co2: Co2Out
    reasons: list[str]


class SearchCollection(geojson.FeatureCollection):
    destination: geojson.Point
    arrive_at: datetime
    features: list[SearchResultFeature]
    park_and_ride: AlternativeOut | None


class TrafficProperties(Schema):
    name: str
    road: str
    vehicle_flow: float | None
    occupancy: float | None
    congestion: str
    congestion_label: str
    observed_at: datetime | None
    stale: bool
    simulated: bool = Field(False, description="Simulated demo data, not measurements (données simulées)")


class TrafficFeature(geojson.Feature):
    id: str = Field(description="The counting point's sensor id")
    geometry: geojson.Point | None
    properties: TrafficProperties


class TrafficCollection(geojson.FeatureCollection):
    features: list[TrafficFeature]
