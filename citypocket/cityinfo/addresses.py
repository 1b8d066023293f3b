"""One address search for the whole app (waste collection, parking destinations…).

`search_addresses(query, city=…)` answers `AddressHit`s, best first, from one of two backends:

* **addok** (`AddokBackend`) — the engine behind the French national address API, run as its own
  service on Redis and asked over its HTTP API (`GET /search/?q=…&limit=…&citycode=…`, GeoJSON
  answers). Chosen when `ADDRESS_SEARCH_ADDOK_URL` is set. addok is not imported into CityPocket's
  process: addok 1.3.2 pins `redis==6.4.0` and `falcon==4.0.2`, while CityPocket locks redis 8.1;
  its own service keeps both sides on their versions (docs/cityinfo.md, "Address search").
* **embedded** (`EmbeddedBackend`) — the city's addresses in the database (`Address`, loaded from
  the national address base's CSV export by `citypocket load_addresses`): every word of the query
  must start a word of the address, accents and case ignored. Plain `LIKE`, so SQLite and
  PostgreSQL answer alike; the default, and what `make run` uses.

Nothing here logs or stores the query: an address typed by a resident is personal.
"""

import csv
import io
import re
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db.models import Q

from citypocket.cityinfo.models import Address
from citypocket.cityinfo.textnorm import normalise, search_text  # noqa: F401 (part of this module's interface)

BAN_COLUMNS = ("id", "numero", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
MAX_QUERY = 200


@dataclass(frozen=True)
class AddressHit:
    label: str
    street: str
    number: str
    postcode: str
    citycode: str
    commune: str
    lat: float
    lon: float
    id: str = ""
    number_int: int | None = field(default=None, compare=False)


# --- Reading the national address base's CSV export ----------------------------------------------


@dataclass(frozen=True)
class AddressRecord:
    ban_id: str
    number: int | None
    suffix: str
    street: str
    postcode: str
    citycode: str
    commune: str
    lat: float
    lon: float


@dataclass
class ParsedAddresses:
    records: list[AddressRecord] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    skipped: int = 0  # rows of other communes


class AddressFileError(ValueError):
    """The file is not a BAN CSV export (missing columns, not UTF-8)."""


def read_ban_csv(data: bytes, *, citycodes: set[str] | None = None) -> ParsedAddresses:
    """Reads `adresses-<département>.csv` (`;`-separated, UTF-8): id, numero, rep, nom_voie,
    code_postal, code_insee, nom_commune, lon, lat… Rows of other communes than `citycodes` are
    counted in `skipped`; a bad row is a rejection with its reason, never an exception."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AddressFileError("The file is not UTF-8 text.") from error
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = [name for name in BAN_COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise AddressFileError(f"Not a BAN CSV export: missing column(s) {', '.join(missing)}.")
    parsed = ParsedAddresses()
    for line, row in enumerate(reader, start=2):
        citycode = (row.get("code_insee") or "").strip()
        if citycodes is not None and citycode not in citycodes:
            parsed.skipped += 1
            continue
        ban_id, street = (row.get("id") or "").strip(), (row.get("nom_voie") or "").strip()
        if not ban_id or not street:
            parsed.rejected.append((line, "no id or no street name"))
            continue
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            parsed.rejected.append((line, "no usable position"))
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            parsed.rejected.append((line, "position out of range"))
            continue
        number_text = (row.get("numero") or "").strip()
        if number_text and not number_text.isdigit():
            parsed.rejected.append((line, f"number {number_text!r} is not a number"))
            continue
        # BAN writes 99999 for a street without numbered address ("lieu-dit" rows).
        number = int(number_text) if number_text and number_text != "99999" else None
        if len(street) > 200 or len(ban_id) > 60:
            parsed.rejected.append((line, "text too long"))
            continue
        parsed.records.append(AddressRecord(
            ban_id=ban_id, number=number, suffix=(row.get("rep") or "").strip()[:10], street=street,
            postcode=(row.get("code_postal") or "").strip()[:5], citycode=citycode,
            commune=(row.get("nom_commune") or "").strip()[:100], lat=lat, lon=lon,
        ))
    return parsed


def to_addok_documents(records: list[AddressRecord]) -> list[dict]:
    """The addresses as addok's import documents (one JSON object a line for `addok batch`): one
    `street` document per street of a commune, its numbers in `housenumbers`, placed at their mean."""
    streets: dict[tuple[str, str, str], dict] = {}
    for record in records:
        key = (record.citycode, record.postcode, record.street)
        document = streets.setdefault(key, {
            "id": "_".join(record.ban_id.split("_")[:2]),
            "type": "street", "name": record.street, "postcode": record.postcode, "citycode": record.citycode,
            "city": record.commune, "importance": 0.5, "housenumbers": {}, "_points": [],
        })
        document["_points"].append((record.lat, record.lon))
        if record.number is not None:
            number = f"{record.number} {record.suffix}".strip()
            document["housenumbers"][number] = {"id": record.ban_id, "lat": record.lat, "lon": record.lon}
    documents = []
    for document in streets.values():
        points = document.pop("_points")
        document["lat"] = round(sum(lat for lat, _lon in points) / len(points), 6)
        document["lon"] = round(sum(lon for _lat, lon in points) / len(points), 6)
        documents.append(document)
    return documents


# --- Backends ----------------------------------------------------------------------------------


class AddressSearchUnavailable(RuntimeError):
    """The configured engine did not answer (the embedded backend never raises this)."""


class EmbeddedBackend:
    """Prefix search over the city's `Address` rows, accent- and case-insensitive."""

    name = "embedded"

    def search(self, query: str, *, city, limit: int = 10) -> list[AddressHit]:
        words = normalise(query[:MAX_QUERY]).split()[:8]
        if not words:
            return []
        condition = Q(city=city)
        for word in words:
            condition &= Q(search_text__contains=f" {word}")
        numbers = [int(word) for word in words if word.isdigit() and len(word) <= 6]
        rows = list(Address.objects.filter(condition).order_by("street_key", "number", "suffix")[: limit * 20])
        # An address whose number is exactly the one typed first, then the streets in order.
        rows.sort(key=lambda row: (0 if row.number in numbers else 1, row.street_key, row.number or 0, row.suffix))
        return [_hit(row) for row in rows[:limit]]


def _hit(row) -> AddressHit:
    number = f"{row.number}{(' ' + row.suffix) if row.suffix else ''}" if row.number is not None else ""
    return AddressHit(label=row.label, street=row.street, number=number, postcode=row.postcode,
                      citycode=row.citycode, commune=row.commune, lat=row.lat, lon=row.lon, id=row.ban_id,
                      number_int=row.number)


class AddokBackend:
    """An addok service (on Redis) asked over its HTTP API; its answers are GeoJSON features."""

    name = "addok"

    def __init__(self, url: str, *, timeout: float = 3.0, transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/") + "/search/"
        self.timeout = timeout
        self.transport = transport

    def search(self, query: str, *, city, limit: int = 10) -> list[AddressHit]:
        query = query[:MAX_QUERY].strip()
        if len(normalise(query)) < 3:  # addok refuses shorter queries
            return []
        hits: list[AddressHit] = []
        codes = list(city.insee_codes or []) or [""]
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                for code in codes:
                    params = {"q": query, "limit": limit}
                    if code:
                        params["citycode"] = code
                    response = client.get(self.url, params=params)
                    response.raise_for_status()
                    hits.extend(_addok_hit(feature) for feature in response.json().get("features", []))
        except (httpx.HTTPError, ValueError) as error:
            raise AddressSearchUnavailable("The address search engine did not answer.") from error
        return [hit for hit in hits if hit is not None][:limit]


def _addok_hit(feature: dict) -> AddressHit | None:
    properties = feature.get("properties") or {}
    try:
        lon, lat = (float(value) for value in feature["geometry"]["coordinates"][:2])
    except (KeyError, TypeError, ValueError):
        return None
    number = str(properties.get("housenumber") or "")
    digits = re.match(r"\d+", number)
    return AddressHit(
        label=properties.get("label") or "", street=properties.get("street") or properties.get("name") or "",
        number=number, postcode=properties.get("postcode") or "", citycode=properties.get("citycode") or "",
        commune=properties.get("city") or "", lat=lat, lon=lon, id=str(properties.get("id") or ""),
        number_int=int(digits.group(0)) if digits else None,
    )


def backend():
    """addok when `ADDRESS_SEARCH_ADDOK_URL` is set, else the embedded search."""
    url = getattr(settings, "ADDRESS_SEARCH_ADDOK_URL", "")
    return AddokBackend(url) if url else EmbeddedBackend()


def search_addresses(query: str, *, city, limit: int = 10) -> list[AddressHit]:
    """The addresses of `city` matching `query`, best first (at most `limit`)."""
    return backend().search(query, city=city, limit=max(1, min(limit, 50)))
