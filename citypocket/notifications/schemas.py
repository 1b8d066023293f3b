"""Public JSON contract of the notifications and city-alerts API."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

ThemeName = Literal["city_alerts", "air", "water", "waste", "events", "participation"]


class AlertAreaOut(Schema):
    """Where and when an alert applies, as both the public and the staff answers give it."""

    area_name: str
    communes: list[str] = Field(description="INSEE codes named by the city; empty: the whole city")
    polygon: dict | None = Field(None, description="The drawn area, a GeoJSON Polygon (WGS 84)")
    area_communes: list[str] = Field(
        description="The communes the alert reaches (what push and e-mail are limited to): those named and those "
                    "its drawn area touches; empty: the whole city")
    onset: datetime
    expires: datetime
    version: int


class AlertOut(AlertAreaOut):
    identifier: str
    kind: str
    kind_label: str
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    state: Literal["published", "closed"]
    headline: str
    description: str
    instruction: str
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
    waste_zones: list[str] = Field(
        default_factory=list, max_length=20,
        description="Waste collection zones (slugs, as `list_waste_zones` gives them) to be reminded of the "
                    "evening before each collection; added to those already saved, with the `waste` theme. "
                    "A zone, never an address: an unknown zone is 422")


class DeviceSubscriptionOut(Schema):
    token: str = Field(description="The device's secret: its settings page and its unsubscribe")
    city: str
    language: str
    themes: list[str]
    waste_zones: list[str] = Field(description="The waste collection zones this device is reminded of")
    settings_url: str


class VapidKeyOut(Schema):
    public_key: str = Field(description="base64url, uncompressed P-256 point; empty when web push is off")


# --- The staff desk: city alerts as their publishers write them ----------------------------------

AlertKindName = Literal["accident", "flood", "heatwave", "storm", "water", "road", "health"]
SeverityName = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Text = Field("", max_length=5000)


class AlertIn(Schema):
    kind: AlertKindName
    severity: SeverityName
    headline_fr: str = Field(min_length=1, max_length=160)
    headline_en: str = Field(min_length=1, max_length=160)
    description_fr: str = Text
    description_en: str = Text
    instruction_fr: str = Field("", max_length=5000, description="What to do (\"stay indoors, close windows\")")
    instruction_en: str = Text
    communes: list[str] = Field(default_factory=list, max_length=200,
                                description="INSEE codes of the city's communes; empty: the whole city")
    area_name: str = Field("", max_length=200, description="The area as people name it")
    polygon: dict | None = Field(None, description="A drawn area: GeoJSON Polygon, WGS 84, rings closed")
    onset: AwareDatetime
    expires: AwareDatetime = Field(description="After `onset`")


class AlertChangeIn(Schema):
    """A correction to a draft, or a change to a published alert: only the fields that change (and, for a
    published alert, what changed in both languages)."""

    change_note_fr: str = Field("", max_length=300, description="What changed, sent to subscribers (required to "
                                                                   "update a published alert, not taken for a draft)")
    change_note_en: str = Field("", max_length=300)
    kind: AlertKindName | None = None
    severity: SeverityName | None = None
    headline_fr: str | None = Field(None, min_length=1, max_length=160)
    headline_en: str | None = Field(None, min_length=1, max_length=160)
    description_fr: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)
    instruction_fr: str | None = Field(None, max_length=5000)
    instruction_en: str | None = Field(None, max_length=5000)
    communes: list[str] | None = Field(None, max_length=200)
    area_name: str | None = Field(None, max_length=200)
    polygon: dict | None = Field(None, description="Absent: unchanged; null: no drawn area any more")
    onset: AwareDatetime | None = None
    expires: AwareDatetime | None = None


class StaffAlertOut(AlertAreaOut):
    identifier: str
    kind: AlertKindName
    severity: SeverityName
    state: Literal["draft", "published", "closed"] = Field(
        description="draft: waiting for a second staff member's confirmation")
    in_force: bool = Field(description="Published and not expired")
    needs_confirmation: bool = Field(description="A draft that another publisher than its author must confirm")
    written_by_you: bool
    may_confirm: bool = Field(description="A draft you may confirm: you neither wrote it nor corrected it last")
    headline_fr: str
    headline_en: str
    description_fr: str
    description_en: str
    instruction_fr: str
    instruction_en: str
    change_note_fr: str
    change_note_en: str
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    url: str = Field(description="The alert on the staff desk")
    public_url: str = Field(description="The alert's public page (404 while a draft)")


class StaffAlertList(Schema):
    count: int
    items: list[StaffAlertOut]
