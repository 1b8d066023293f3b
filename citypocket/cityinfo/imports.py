"""Reading places from OpenStreetMap-style GeoJSON and from CSV into one internal record.

Both parsers follow the shape of `sensors.formats`: they never raise on a bad item; each item
becomes a `PlaceRecord` or a `Rejected` with its reason, and the caller decides what to write
(`services.import_places`). A whole file that cannot be read at all is one `Rejected` too.

GeoJSON is what Overpass turbo and osmtogeojson export: a FeatureCollection whose features carry
the OSM id (`"id": "node/123"` or `properties["@id"]`) and the OSM tags as properties. A way or a
relation exported as a polygon is placed at the mean of its outer ring's corners.

CSV has one row per place, `;` or `,` separated (sniffed), UTF-8 with or without BOM, with the
columns `id, name, kind, lat, lon` required and `address, phone, email, website, opening_hours,
wheelchair` optional (`kind` is one of `PlaceKind`, or an OSM tag such as `amenity=library`).
"""

import csv
import io
import json
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import override

from citypocket.cityinfo.models import PlaceKind, Wheelchair

# OSM tags -> kind, most specific first (a town hall mapped with `amenity=townhall`, a swimming
# centre with `leisure=sports_centre` + `sport=swimming`, a déchèterie with `recycling_type=centre`).
OSM_KINDS: list[tuple[dict[str, str], str]] = [
    ({"amenity": "recycling", "recycling_type": "centre"}, PlaceKind.RECYCLING_CENTRE),
    ({"amenity": "townhall"}, PlaceKind.TOWN_HALL),
    ({"amenity": "library"}, PlaceKind.LIBRARY),
    ({"leisure": "sports_centre", "sport": "swimming"}, PlaceKind.POOL),
    ({"leisure": "swimming_pool", "access": "yes"}, PlaceKind.POOL),
    ({"tourism": "museum"}, PlaceKind.MUSEUM),
    ({"amenity": "toilets"}, PlaceKind.TOILETS),
    ({"amenity": "drinking_water"}, PlaceKind.DRINKING_WATER),
    ({"emergency": "defibrillator"}, PlaceKind.DEFIBRILLATOR),
    ({"amenity": "post_office"}, PlaceKind.POST_OFFICE),
]
MAX_TEXT = {"name": 200, "address": 300, "phone": 40, "email": 254, "website": 500, "opening_hours": 500}


@dataclass(frozen=True)
class PlaceRecord:
    """One place as read from a file, before it is matched with a stored row by `source_id`."""

    source_id: str
    name: str
    kind: str
    lat: float
    lon: float
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    wheelchair: str = ""
    accessible_toilets: bool = False
    hearing_loop: bool = False


@dataclass(frozen=True)
class Rejected:
    item: str  # the source id or position of the refused item
    reason: str


@dataclass
class Parsed:
    records: list[PlaceRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def kind_of_tags(tags: dict) -> str | None:
    """The place kind for a set of OSM tags, or None when it is none of ours."""
    for wanted, kind in OSM_KINDS:
        if all(str(tags.get(key, "")).strip() == value for key, value in wanted.items()):
            return kind
    return None


def _kind_of_text(text: str) -> str | None:
    text = text.strip()
    if text in PlaceKind.values:
        return text
    key, sep, value = text.partition("=")
    return kind_of_tags({key.strip(): value.strip()}) if sep else None


def _number(value) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _position(geometry) -> tuple[float, float] | None:
    """(lat, lon) of a Point, or of the mean of a Polygon's outer ring (the polygon OSM exports)."""
    if not isinstance(geometry, dict):
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    try:
        if kind == "Point":
            positions = [coordinates]
        elif kind == "Polygon":
            positions = coordinates[0][:-1] or coordinates[0]
        elif kind == "MultiPolygon":
            positions = coordinates[0][0][:-1] or coordinates[0][0]
        else:
            return None
        lons = [_number(position[0]) for position in positions]
        lats = [_number(position[1]) for position in positions]
    except (TypeError, IndexError, KeyError):
        return None
    if not positions or None in lons or None in lats:
        return None
    lat, lon = sum(lats) / len(lats), sum(lons) / len(lons)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _address(tags: dict) -> str:
    street = " ".join(part for part in (tags.get("addr:housenumber", ""), tags.get("addr:street", "")) if part)
    town = " ".join(part for part in (tags.get("addr:postcode", ""), tags.get("addr:city", "")) if part)
    return ", ".join(part for part in (street, town) if part)


def _wheelchair(value) -> str:
    value = str(value or "").strip().lower()
    return value if value in Wheelchair.values else ""


def _yes(value) -> bool:
    return str(value or "").strip().lower() in {"yes", "oui", "true", "1"}


def _too_long(record: dict) -> str | None:
    return next((name for name, limit in MAX_TEXT.items() if len(record.get(name, "")) > limit), None)


def _record(item: str, values: dict) -> PlaceRecord | Rejected:
    too_long = _too_long(values)
    if too_long:
        return Rejected(item, f"{too_long} is longer than {MAX_TEXT[too_long]} characters")
    if not values["name"]:
        return Rejected(item, "no name")
    return PlaceRecord(source_id=item, **values)


def parse_osm_geojson(text: str | bytes) -> Parsed:
    """Places of an OSM GeoJSON export: features whose tags map to one of our kinds."""
    parsed = Parsed()
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        parsed.rejected.append(Rejected("file", f"not JSON: {error}"))
        return parsed
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        parsed.rejected.append(Rejected("file", "not a GeoJSON FeatureCollection"))
        return parsed
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            parsed.rejected.append(Rejected(f"#{index}", "not a feature with properties"))
            continue
        tags = {key: str(value) for key, value in feature["properties"].items() if not isinstance(value, dict | list)}
        item = str(feature.get("id") or tags.get("@id") or "").strip()
        if not item:
            parsed.rejected.append(Rejected(f"#{index}", "no OSM id"))
            continue
        kind = kind_of_tags(tags)
        if kind is None:
            parsed.rejected.append(Rejected(item, "none of the place kinds (tags not recognised)"))
            continue
        position = _position(feature.get("geometry"))
        if position is None:
            parsed.rejected.append(Rejected(item, "no usable geometry"))
            continue
        name = (tags.get("name") or tags.get("official_name") or "").strip()
        if not name:
            # Toilets, fountains and defibrillators are rarely named: their kind, in the site's language
            # (the name is stored once, whatever language the import ran in).
            with override(settings.LANGUAGE_CODE):
                name = str(PlaceKind(kind).label)
        result = _record(item, {
            "name": name, "kind": kind, "lat": position[0], "lon": position[1], "address": _address(tags),
            "phone": (tags.get("phone") or tags.get("contact:phone") or "").strip(),
            "email": (tags.get("email") or tags.get("contact:email") or "").strip(),
            "website": (tags.get("website") or tags.get("contact:website") or "").strip(),
            "opening_hours": tags.get("opening_hours", "").strip(),
            "wheelchair": _wheelchair(tags.get("wheelchair")),
            "accessible_toilets": _yes(tags.get("toilets:wheelchair")),
            "hearing_loop": _yes(tags.get("hearing_loop")),
        })
        (parsed.records if isinstance(result, PlaceRecord) else parsed.rejected).append(result)
    return parsed


def parse_csv(text: str | bytes) -> Parsed:
    """Places of a CSV file (see the module docstring for its columns)."""
    parsed = Parsed()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            parsed.rejected.append(Rejected("file", "not UTF-8 text"))
            return parsed
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=";,")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = {"id", "name", "kind", "lat", "lon"} - set(reader.fieldnames or ())
    if missing:
        parsed.rejected.append(Rejected("file", "missing columns: " + ", ".join(sorted(missing))))
        return parsed
    for line, row in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        item = row["id"] or f"line {line}"
        if not row["id"]:
            parsed.rejected.append(Rejected(item, "no id"))
            continue
        kind = _kind_of_text(row["kind"])
        if kind is None:
            parsed.rejected.append(Rejected(item, f"unknown kind {row['kind']!r}"))
            continue
        lat, lon = _number(row["lat"]), _number(row["lon"])
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            parsed.rejected.append(Rejected(item, "latitude or longitude missing or out of range"))
            continue
        result = _record(item, {
            "name": row["name"], "kind": kind, "lat": lat, "lon": lon, "address": row.get("address", ""),
            "phone": row.get("phone", ""), "email": row.get("email", ""), "website": row.get("website", ""),
            "opening_hours": row.get("opening_hours", ""), "wheelchair": _wheelchair(row.get("wheelchair")),
            "accessible_toilets": _yes(row.get("accessible_toilets")), "hearing_loop": _yes(row.get("hearing_loop")),
        })
        (parsed.records if isinstance(result, PlaceRecord) else parsed.rejected).append(result)
    return parsed
