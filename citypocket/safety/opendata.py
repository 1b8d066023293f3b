"""The safety app's open datasets: safe places, the video-protection register, and the k-anonymous
hotspots.

Harassment reports are never a dataset. The hotspots dataset is `hotspots.compute_hotspots`, the
same published cells the public API shows (k-anonymous, months frozen after publication, category
groups only when they single nobody out): no other read of reports reaches the catalog.
"""

import datetime as dt

import h3

from citypocket.opendata.registry import Field, PlatformDataset, register
from citypocket.safety import hotspots
from citypocket.safety.selectors import list_filmed_zones, list_safe_places, zone_geometry

register(PlatformDataset(
    slug="safe-places",
    title_fr="Lieux refuges",
    title_en="Safe places",
    description_fr=("Les commerces et lieux publics qui accueillent une personne en danger ou harcelée "
                    "(dispositifs « Demandez Angela ») : nom, type, adresse, position."),
    description_en=("The shops and public places that welcome a person in danger or harassed "
                    '("Ask for Angela" schemes): name, kind, address, position.'),
    fields=(
        Field("id", "integer", "Identifiant", "Identifier"),
        Field("name", "string", "Nom", "Name", sortable=True),
        Field("kind", "string", "Type (bar, pharmacy, shop, public_building, other)",
              "Kind (bar, pharmacy, shop, public_building, other)"),
        Field("address", "string", "Adresse", "Address"),
        Field("lon", "number", "Longitude (WGS 84)", "Longitude (WGS 84)"),
        Field("lat", "number", "Latitude (WGS 84)", "Latitude (WGS 84)"),
        Field("charter_signed_on", "date", "Charte signée le", "Charter signed on"),
    ),
    key=("id",),
    queryset=lambda city: list_safe_places(city=city),
    lon_field="lon",
    lat_field="lat",
    themes=("JUST", "SOCI"),
    keywords_fr=("sécurité", "harcèlement", "lieu refuge"),
    keywords_en=("safety", "harassment", "safe place"),
    provenance_fr="Lieux partenaires déclarés par la ville.",
    provenance_en="Partner places declared by the city.",
))


def _zone_point(zone) -> tuple[float | None, float | None]:
    if zone.lat is not None and zone.lon is not None:
        return zone.lon, zone.lat
    ring = (zone.polygon or {}).get("coordinates", [[]])[0]
    if not ring:
        return None, None
    return (round(sum(p[0] for p in ring) / len(ring), 6), round(sum(p[1] for p in ring) / len(ring), 6))


def filmed_zone_rows(city) -> list[dict]:
    rows = []
    for zone in list_filmed_zones(city=city):
        lon, lat = _zone_point(zone)
        rows.append({
            "id": zone.pk, "name": zone.name, "operator": zone.operator, "purpose": zone.purpose,
            "retention_days": zone.retention_days, "rights_contact": zone.rights_contact, "lon": lon, "lat": lat,
            "_geometry": zone_geometry(zone),
        })
    return rows


register(PlatformDataset(
    slug="video-protection",
    title_fr="Registre de la vidéoprotection",
    title_en="Video-protection register",
    description_fr=("Les zones filmées sur la voie publique : exploitant, finalité, durée de conservation des "
                    "images et comment exercer ses droits."),
    description_en=("The zones filmed in public space: operator, purpose, how long images are kept and how to "
                    "exercise one's rights."),
    fields=(
        Field("id", "integer", "Identifiant", "Identifier"),
        Field("name", "string", "Zone", "Zone", sortable=True),
        Field("operator", "string", "Exploitant", "Operator"),
        Field("purpose", "string", "Finalité", "Purpose"),
        Field("retention_days", "integer", "Conservation (jours)", "Retention (days)"),
        Field("rights_contact", "string", "Exercice des droits", "How to exercise your rights"),
        Field("lon", "number", "Longitude (centre)", "Longitude (centre)"),
        Field("lat", "number", "Latitude (centre)", "Latitude (centre)"),
    ),
    key=("id",),
    rows=filmed_zone_rows,
    geometry=lambda row: row.get("_geometry"),
    lon_field="lon",
    lat_field="lat",
    themes=("JUST", "GOVE"),
    keywords_fr=("vidéoprotection", "caméras", "sécurité"),
    keywords_en=("video protection", "CCTV", "safety"),
    provenance_fr="Registre tenu par la ville (code de la sécurité intérieure, art. L252-1 et suivants).",
    provenance_en="Register kept by the city (French internal security code, art. L252-1 ff.).",
))


def hotspot_rows(city) -> list[dict]:
    """The published cells of every published month, nothing else (see `safety.hotspots`)."""
    rows = []
    for spot in hotspots.compute_hotspots(city=city):
        lat, lon = h3.cell_to_latlng(spot.h3)
        groups = spot.categories or {}
        rows.append({
            "id": f"{spot.month}/{spot.h3}",
            "month": dt.date.fromisoformat(f"{spot.month}-01"),
            "h3": spot.h3, "resolution": spot.resolution, "count": spot.count,
            "verbal": groups.get("verbal"), "physical": groups.get("physical"),
            "place": groups.get("place"), "other": groups.get("other"),
            "lon": round(lon, 6), "lat": round(lat, 6),
        })
    return rows


def _cell(row: dict) -> dict:
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(row["h3"])]
    return {"type": "Polygon", "coordinates": [ring]}


register(PlatformDataset(
    slug="safety-hotspots",
    title_fr="Zones de signalements de harcèlement (agrégats k-anonymes)",
    title_en="Harassment report hotspots (k-anonymous aggregates)",
    description_fr=("Nombre de signalements par cellule H3 et par mois, publié seulement quand une cellule en "
                    "compte assez pour ne désigner personne ; un mois est publié 7 jours après sa fin puis figé."),
    description_en=("Number of reports per H3 cell and month, published only when a cell holds enough of them "
                    "to single nobody out; a month is published 7 days after it ends, then frozen."),
    fields=(
        Field("id", "string", "Identifiant (mois/cellule)", "Identifier (month/cell)"),
        Field("month", "date", "Mois (premier jour)", "Month (first day)", sortable=True),
        Field("h3", "string", "Cellule H3", "H3 cell"),
        Field("resolution", "integer", "Résolution H3", "H3 resolution"),
        Field("count", "integer", "Signalements", "Reports"),
        Field("verbal", "integer", "Dont verbaux", "Of which verbal"),
        Field("physical", "integer", "Dont physiques", "Of which physical"),
        Field("place", "integer", "Dont lieux insécurisants", "Of which unsafe places"),
        Field("other", "integer", "Dont autres", "Of which other"),
        Field("lon", "number", "Longitude du centre de la cellule", "Cell centre longitude"),
        Field("lat", "number", "Latitude du centre de la cellule", "Cell centre latitude"),
    ),
    key=("id",),
    rows=hotspot_rows,
    geometry=_cell,
    lon_field="lon",
    lat_field="lat",
    time_field="month",
    accrual_periodicity="MONTHLY",
    themes=("JUST", "SOCI"),
    keywords_fr=("sécurité", "harcèlement de rue", "statistiques"),
    keywords_en=("safety", "street harassment", "statistics"),
    provenance_fr="Agrégats k-anonymes des signalements anonymes reçus par la ville (k ≥ 5).",
    provenance_en="k-anonymous aggregates of the anonymous reports the city received (k ≥ 5).",
))
