"""VigiEau, the national drought-restriction service: reading its zones and deciding "can I water?".

`GET <zones URL>?commune=<INSEE>&profil=particulier` answers a list of alert zones (surface water
SUP, groundwater SOU, drinking water AEP) with their level (`niveauGravite`) and the usages that
concern private people, each with a `description` in plain French. A commune with no zone in force
answers 404 `{"message": "Aucune zone d'alerte sur cette commune."}` (or, sometimes, `[]`).
Shapes and sources: tests/fixtures/SOURCES.md.

Watering hours are not a field of the API: the order says them in words ("Interdiction de 9 h à
19 h", "… uniquement de 20 h à 8 h"); `forbidden_windows` reads them. A description it cannot read
counts as a ban all day: better to send a person to the order than to tell them "yes" wrongly.
"""

import re
from dataclasses import dataclass, field
from datetime import date, time

NONE = "none"
LEVELS = (NONE, "vigilance", "alerte", "alerte_renforcee", "crise")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
ZONE_TYPE_PREFERENCE = {"AEP": 0, "SUP": 1, "SOU": 2}  # the tap water a garden hose draws comes first


class FeedError(ValueError):
    """The answer is not a VigiEau zones answer we can read."""


@dataclass(frozen=True)
class Rule:
    theme: str
    name: str
    description: str

    @property
    def is_watering(self) -> bool:
        return "arrosage" in self.theme.lower() or self.name.lower().startswith("arrosage")

    @property
    def is_garden_watering(self) -> bool:
        return self.is_watering and bool(GARDEN.search(self.name))


@dataclass(frozen=True)
class WaterState:
    """What applies to private people of one commune: the level, the order and its rules."""

    level: str
    zone_name: str = ""
    zone_type: str = ""
    order_start: date | None = None
    order_end: date | None = None
    order_url: str = ""
    frame_order_url: str = ""
    rules: tuple[Rule, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class WateringAnswer:
    """`yes`, `no`, or `outside_hours` (forbidden during `windows`, allowed the rest of the day)."""

    answer: str
    windows: tuple[tuple[time, time], ...] = ()

    def allows(self, moment: time) -> bool:
        if self.answer == "no":
            return False
        return not any(_inside(moment, start, end) for start, end in self.windows)


GARDEN = re.compile(r"jardin|potager|pelouse|massif|fleur|gazon|plant", re.IGNORECASE)
HOUR = r"(\d{1,2})\s*h\s*(\d{2})?"
RANGE = re.compile(rf"(?:de|entre)\s+{HOUR}\s*(?:à|a|et|-)\s*{HOUR}", re.IGNORECASE)
ONLY = re.compile(r"uniquement|seulement|autoris", re.IGNORECASE)
BAN = re.compile(r"interdi", re.IGNORECASE)


def _date(value) -> date | None:
    if not value:
        return None
    text = str(value)[:10]
    try:
        if "/" in text:  # the DTO's documented example, dd/mm/yyyy
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise FeedError(f"unreadable date {value!r}") from None


def parse_zones(payload, *, status: int = 200) -> WaterState:
    """The state of one commune from the zones answer (and its HTTP status); FeedError if unreadable."""
    if status == 404:
        if isinstance(payload, dict) and "aucune zone" in str(payload.get("message", "")).lower():
            return WaterState(level=NONE)
        raise FeedError("404 without the 'no zone' message")
    if isinstance(payload, dict):  # `zoneType=` asks for one zone, answered as an object
        payload = [payload]
    if not isinstance(payload, list):
        raise FeedError("the answer is not a list of zones")
    zones = [zone for zone in payload if isinstance(zone, dict)]
    if not zones:
        return WaterState(level=NONE)
    for zone in zones:
        if zone.get("niveauGravite") not in LEVELS[1:]:
            raise FeedError(f"unknown level {zone.get('niveauGravite')!r}")
    # The strictest zone governs; between equals, the drinking-water zone (a garden hose).
    zone = min(zones, key=lambda z: (-LEVEL_RANK[z["niveauGravite"]], ZONE_TYPE_PREFERENCE.get(z.get("type"), 9)))
    order = zone.get("arrete") or {}
    rules = []
    for usage in zone.get("usages") or []:
        if not isinstance(usage, dict) or usage.get("concerneParticulier") is False:
            continue
        rules.append(
            Rule(
                theme=str(usage.get("thematique") or ""),
                name=str(usage.get("nom") or ""),
                description=str(usage.get("description") or "").strip(),
            )
        )
    return WaterState(
        level=zone["niveauGravite"],
        zone_name=str(zone.get("nom") or ""),
        zone_type=str(zone.get("type") or ""),
        order_start=_date(order.get("dateDebutValidite")),
        order_end=_date(order.get("dateFinValidite")),
        order_url=str(order.get("cheminFichier") or ""),
        frame_order_url=str(order.get("cheminFichierArreteCadre") or ""),
        rules=tuple(rules),
    )


def _inside(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # a window over midnight


def _clock(hours: str, minutes: str | None) -> time:
    value = int(hours) % 24
    return time(value, int(minutes or 0))


def forbidden_windows(description: str) -> tuple[tuple[time, time], ...] | None:
    """The hours a rule forbids: () none, None all day, else (start, end) windows (end excluded)."""
    if not BAN.search(description):
        return ()
    ranges = RANGE.findall(description)
    if not ranges:
        return None
    windows = []
    for start_h, start_m, end_h, end_m in ranges:
        start, end = _clock(start_h, start_m), _clock(end_h, end_m)
        # "Interdit sauf … uniquement de 20 h à 8 h" names the allowed hours: the ban is the rest.
        windows.append((end, start) if ONLY.search(description) else (start, end))
    return tuple(windows)


def decide_watering(rules) -> WateringAnswer:
    """May a private garden be watered today, from the rules in force (garden rules first)."""
    garden = [rule for rule in rules if rule.is_garden_watering] or [rule for rule in rules if rule.is_watering]
    windows: list[tuple[time, time]] = []
    for rule in garden:
        found = forbidden_windows(rule.description)
        if found is None:
            return WateringAnswer(answer="no")
        windows.extend(window for window in found if window not in windows)
    if not windows:
        return WateringAnswer(answer="yes")
    return WateringAnswer(answer="outside_hours", windows=tuple(windows))
