"""Schemas of the city-information API: places (JSON and GeoJSON), events, news, the one search."""

from datetime import date, datetime

from ninja import Field, Schema

from citypocket.core import geojson


class PlaceOut(Schema):
    slug: str
    name: str
    kind: str
    kind_label: str
    address: str
    lat: float
    lon: float
    phone: str
    email: str
    website: str
    wheelchair: str = Field(description='OpenStreetMap values: "yes", "limited", "no", or "" when unknown')
    accessible_toilets: bool
    hearing_loop: bool
    opening_hours: str = Field(description="OpenStreetMap `opening_hours` syntax; empty when unknown")
    state: str = Field(description="`open`, `closed` or `unknown` at the instant asked (now by default)")
    next_change: datetime | None = Field(description="When it closes (open) or opens (closed), in UTC")
    status_label: str = Field(description='"Open now — closes at 18:00", in the language asked')
    comment: str = Field(description="The hours' comment or the reason of an exceptional closure")
    distance_m: int | None = Field(description="Great-circle distance from `lat`/`lon`, when given")
    provenance: str
    is_demo: bool


class PlaceList(Schema):
    count: int
    items: list[PlaceOut]


class ClosureOut(Schema):
    starts_on: date
    ends_on: date
    reason: str


class PlaceDetail(PlaceOut):
    description: str
    closures: list[ClosureOut] = Field(description="Exceptional closures that end today or later")


class PlaceProperties(Schema):
    name: str
    kind: str
    kind_label: str
    address: str
    opening_hours: str
    state: str
    next_change: datetime | None
    status_label: str
    wheelchair: str
    distance_m: int | None
    is_demo: bool


class PlaceFeature(geojson.Feature):
    id: str = Field(description="The place's slug")
    geometry: geojson.Point
    properties: PlaceProperties


class PlaceCollection(geojson.FeatureCollection):
    features: list[PlaceFeature]


class OccurrenceOut(Schema):
    slug: str = Field(description="The event's slug (its page is /{city}/agenda/{slug}/)")
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="`scheduled`, `cancelled`, `postponed` or `full`")
    recurring: bool
    rrule: str = Field(description="RFC 5545 RRULE of the series, empty for a one-off event")
    venue: str | None = Field(description="Slug of the venue among the city's places")
    location: str
    lat: float | None
    lon: float | None
    categories: list[str]
    audience: str
    is_free: bool
    price: str
    wheelchair: bool
    hearing_loop: bool
    sign_language: bool
    booking_url: str
    distance_m: int | None
    is_demo: bool


class OccurrenceList(Schema):
    count: int
    items: list[OccurrenceOut]


class SearchItemOut(Schema):
    title: str
    summary: str
    url: str = Field(description="The item's page on the site (a path)")


class SearchGroupOut(Schema):
    kind: str = Field(description="`places`, `events`, `news`, `processes`, `proposals`, `car-parks`, "
                                  "`air-stations`…: the kinds the apps declare")
    label: str
    count: int = Field(description="Every match of this kind; `items` holds the best `per_kind`")
    items: list[SearchItemOut]


class SearchOut(Schema):
    query: str
    total: int
    corrected: bool = Field(description="True when no item had the words and close spellings were used")
    groups: list[SearchGroupOut]


class ArticleOut(Schema):
    slug: str
    category: str
    category_label: str
    title: str
    summary: str
    url: str
    cover_url: str
    cover_alt: str
    published_at: datetime
    updated_at: datetime
    expires_at: datetime | None


class ArticleDetail(ArticleOut):
    body_html: str = Field(description="Sanitised HTML (paragraphs, headings, lists, links)")


class ArticleList(Schema):
    count: int
    items: list[ArticleOut]
