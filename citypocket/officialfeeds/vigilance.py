"""Météo-France weather warnings ("vigilance"): the colour of a département, per phenomenon.

Reads the current warning map as the Météo-France API portal publishes it (`cartevigilance/encours`,
JSON; shape and sources in tests/fixtures/SOURCES.md): `product.periods[]`, the period of today
(`echeance` "J"), `timelaps.domain_ids[]` one per département with `max_color_id` and
`phenomenon_items[]` (`phenomenon_id`, `phenomenon_max_color_id`). Colours 1 to 4 are green, yellow,
orange, red.
"""

from dataclasses import dataclass, field
from datetime import datetime

LEVELS = ("green", "yellow", "orange", "red")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}
PHENOMENA = {
    "1": "wind",
    "2": "rain_flood",
    "3": "thunderstorms",
    "4": "floods",
    "5": "snow_ice",
    "6": "heatwave",
    "7": "extreme_cold",
    "8": "avalanches",
    "9": "waves_submersion",
}


class FeedError(ValueError):
    """The payload is not a vigilance map we can read."""


@dataclass(frozen=True)
class WarningState:
    department: str
    level: str
    phenomena: dict[str, str] = field(default_factory=dict)  # phenomenon -> colour, all phenomena listed
    updated_at: datetime | None = None


def _colour(value) -> str:
    try:
        return COLOURS[int(value)]
    except (KeyError, TypeError, ValueError):
        raise FeedError(f"unknown colour {value!r}") from None


def _moment(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"unreadable time {value!r}") from None


def department_of(insee_code: str) -> str:
    """The département of a commune code: 2 characters (2A, 2B included), 3 overseas (97x)."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


def parse_vigilance(payload, *, department: str) -> WarningState:
    """Today's warning of one département; FeedError if the map is unreadable or lacks it."""
    product = payload.get("product") if isinstance(payload, dict) else None
    if not isinstance(product, dict) or not isinstance(product.get("periods"), list):
        raise FeedError("no product.periods in the payload")
    today = next((p for p in product["periods"] if isinstance(p, dict) and p.get("echeance") == "J"), None)
    if today is None:
        raise FeedError("no period J (today) in the payload")
    domains = ((today.get("timelaps") or {}).get("domain_ids")) or []
    domain = next((d for d in domains if isinstance(d, dict) and str(d.get("domain_id")) == department), None)
    if domain is None:
        raise FeedError(f"département {department} is not in the map")
    phenomena = {}
    for item in domain.get("phenomenon_items") or []:
        name = PHENOMENA.get(str(item.get("phenomenon_id")))
        if name:
            phenomena[name] = _colour(item.get("phenomenon_max_color_id"))
    return WarningState(
        department=department,
        level=_colour(domain.get("max_color_id")),
        phenomena=phenomena,
        updated_at=_moment(product.get("update_time")),
    )
