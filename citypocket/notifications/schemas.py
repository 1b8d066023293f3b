"""Public JSON contract of the notifications and city-alerts API."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

ThemeName = Literal["city_alerts", "air", "water", "waste", "events", "participation"]


class AlertOut(Schema):
    identifier: str
    kind: str
    kind_label: str
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    state: Literal["published", "closed"]
    headline: str
    description: str
    instruction: str
    area_name: str
    communes: list[str] = Field(description="INSEE codes; empty: the whole city")
    polygon: dict | None = Field(None, description="The drawn area, a GeoJSON Polygon (WGS 84)")
    onset: datetime
    expires: datetime
    version: int
    published_at: datetime | None
    updated_at: datetime
    closed_at: datetime | None
    url: str = Field(description="The alert's page")
    cap_url: str = Field(description="The alert as CAP 1.2 XML")


class AlertList(Schema):
    count: int
    items: list[AlertOut]


class PushKeys(Schema):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class DeviceSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000, pattern=r"^https?://",
                          description="The browser's push endpoint: https, on a public host")
    keys: PushKeys
    language: Literal["fr", "en"] = "fr"
    themes: list[ThemeName] = Field(default_factory=lambda: ["city_alerts"], max_length=6)


class DeviceSubscriptionOut(Schema):
    token: str = Field(description="The device's secret: its settings page and its unsubscribe")
    city: str
    language: str
    themes: list[str]
    settings_url: str


class VapidKeyOut(Schema):
    public_key: str = Field(description="base64url, uncompressed P-256 point; empty when web push is off")
