"""Output schemas of the official-feeds API (a public contract: fields are added on purpose)."""

from datetime import date, datetime

from ninja import Field, Schema


class RuleOut(Schema):
    theme: str = Field(description="VigiEau `thematique`, e.g. `Arrosage`")
    name: str = Field(description="The usage, e.g. `Arrosage des jardins potagers`")
    description: str = Field(description="What the order says, in French as published")


class WindowOut(Schema):
    start: str = Field(description="`HH:MM`, local time")
    end: str = Field(description="`HH:MM`, local time (excluded)")


class WateringOut(Schema):
    answer: str = Field(description="`yes`, `no` or `outside_hours`")
    forbidden_hours: list[WindowOut]
    text: str


class WaterRestrictionOut(Schema):
    city: str
    commune: str = Field(description="INSEE code")
    commune_name: str
    level: str = Field(description="`none`, `vigilance`, `alerte`, `alerte_renforcee` or `crise`")
    label: str
    watering: WateringOut
    watering_rules: list[RuleOut]
    other_rules: list[RuleOut]
    zone: str
    order_start: date | None
    order_end: date | None
    source_url: str = Field(description="The order (PDF) or the VigiEau site")
    level_since: datetime
    fetched_at: datetime
    demo: bool


class PhenomenonOut(Schema):
    phenomenon: str
    label: str
    level: str


class WeatherWarningOut(Schema):
    city: str
    department: str
    level: str = Field(description="`green`, `yellow`, `orange` or `red`")
    label: str
    phenomena: list[PhenomenonOut]
    bulletin_time: datetime | None
    level_since: datetime
    fetched_at: datetime
    source_url: str
    demo: bool
