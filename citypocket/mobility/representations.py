"""Car parks as GeoJSON features, NGSI-LD OffStreetParking entities and national-schema CSV rows."""

import csv
import io
from datetime import UTC

from django.utils.text import slugify

from citypocket.core import geojson
from citypocket.core.i18n import translated
from citypocket.mobility import status as st
from citypocket.mobility.models import SIMULATED_SIRET
from citypocket.mobility.selectors import CarParkLive

NGSI_CONTEXT = [
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld",
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
]
# Our status -> the OffStreetParking `status` enumeration of the Smart Data Model (DATEX II). An unknown
# status has no value there: the attribute is left out.
NGSI_STATUS = {
    st.OPEN: "spacesAvailable",
    st.ALMOST_FULL: "almostFull",
    st.FULL: "full",
    st.CLOSED: "closed",
}
SIMULATED_SOURCE = "CityPocket demo: simulated data, not measurements (données simulées)"
CSV_FIELDS = [
    "id",
    "nom",
    "insee",
    "adresse",
    "url",
    "type_usagers",
    "gratuit",
    "nb_places",
    "nb_pr",
    "nb_pmr",
    "nb_voitures_electriques",
    "nb_velo",
    "nb_2r_el",
    "nb_autopartage",
    "nb_2_rm",
    "nb_covoit",
    "hauteur_max",
    "num_siret",
    "Xlong",
    "Ylat",
    "tarif_pmr",
    "tarif_1h",
    "tarif_2h",
    "tarif_3h",
    "tarif_4h",
    "tarif_24h",
    "abo_resident",
    "abo_non_resident",
    "type_ouvrage",
    "info",
]


def _num(value):
    return None if value is None else float(value)


def properties(item: CarParkLive) -> dict:
    car_park, live = item.car_park, item.live
    return {
        "name": car_park.name,
        "sensor": car_park.sensor.external_id if car_park.sensor_id else None,
        "capacity": car_park.capacity,
        "available": live.available,
        "status": live.status,
        "status_label": translated(st.STATUS_LABELS)[live.status],
        "observed_at": live.observed_at.astimezone(UTC) if live.observed_at else None,
        "stale": live.stale,
        "park_and_ride": car_park.park_and_ride,
        "operator": car_park.operator,
        "type": car_park.structure_type,
        "disabled_places": car_park.disabled_places,
        "ev_places": car_park.ev_places,
        "max_height_cm": car_park.max_height_cm,
        "price_1h": _num(car_park.price_1h),
        "price_2h": _num(car_park.price_2h),
        "price_24h": _num(car_park.price_24h),
        "free_of_charge": car_park.is_free,
        "opening_hours": car_park.opening_hours,
        "approximate_location": car_park.approximate_location,
        "provenance": car_park.provenance,
        "simulated": is_simulated(car_park),
    }


def is_simulated(car_park) -> bool:
    """The car park's live and past occupancy are demo data (its sensor is flagged simulated)."""
    return bool(car_park.sensor_id and car_park.sensor.simulated)


def owner_ids(car_park, *, city_slug: str) -> list[str]:
    """The operator as identifiers (the Smart Data Model wants ids, not names): its establishment in the
    national company register when a real SIRET is known, else an NGSI-LD Organization id of the city."""
    if car_park.operator_siret and car_park.operator_siret != SIMULATED_SIRET:
        return [f"https://annuaire-entreprises.data.gouv.fr/etablissement/{car_park.operator_siret}"]
    return [f"urn:ngsi-ld:Organization:{city_slug}:{slugify(car_park.operator)}"]


def geometry(car_park) -> dict:
    return geojson.point(car_park.lon, car_park.lat)


def feature(item: CarParkLive) -> dict:
    return geojson.feature(item.car_park.slug, geometry(item.car_park), properties(item))


def ngsi_entity(item: CarParkLive, *, city_slug: str) -> dict:
    """An OffStreetParking entity, NGSI-LD normalized (smart-data-models dataModel.Parking)."""
    car_park, live = item.car_park, item.live
    # The id ends with the sensor's external id, as the ingest expects: an entity read here can be
    # sent back to /api/v1/ingest with a new availableSpotNumber.
    local = car_park.sensor.external_id if car_park.sensor_id else f"{city_slug}-{car_park.slug}"
    entity = {
        "id": f"urn:ngsi-ld:OffStreetParking:{local}",
        "type": "OffStreetParking",
        "name": {"type": "Property", "value": car_park.name},
        "location": {"type": "GeoProperty", "value": geometry(car_park)},
        "category": {
            "type": "Property",
            "value": (["underground"] if car_park.structure_type == "ouvrage" else [])
            + (["free"] if car_park.is_free else ["feeCharged"]),
        },
        "dataProvider": {"type": "Property", "value": "CityPocket"},
    }
    if live.status in NGSI_STATUS:
        entity["status"] = {"type": "Property", "value": [NGSI_STATUS[live.status]]}
    if car_park.park_and_ride:
        entity["usageScenario"] = {"type": "Property", "value": ["parkAndRide"]}
    if is_simulated(car_park):
        entity["source"] = {"type": "Property", "value": SIMULATED_SOURCE}
        entity["dataProvider"] = {"type": "Property", "value": f"CityPocket ({SIMULATED_SOURCE})"}
    if car_park.capacity is not None:
        entity["totalSpotNumber"] = {"type": "Property", "value": car_park.capacity}
    if live.available is not None:
        entity["availableSpotNumber"] = {
            "type": "Property",
            "value": live.available,
            "observedAt": live.observed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
    if car_park.max_height_cm is not None:
        entity["maximumAllowedHeight"] = {"type": "Property", "value": car_park.max_height_cm / 100, "unitCode": "MTR"}
    if car_park.operator:
        entity["owner"] = {"type": "Property", "value": owner_ids(car_park, city_slug=city_slug)}
    entity["@context"] = NGSI_CONTEXT
    return entity


def csv_row(car_park, *, insee: str) -> dict | None:
    """A row of the national schema, or None when a required value is unknown (capacity, SIRET, INSEE, id).

    The `id` is the car park's stored national id (given on save, unique in the city, never reused)."""
    if car_park.capacity is None or not car_park.operator_siret or not insee or not car_park.national_id:
        return None

    def num(value):
        return "" if value is None else f"{float(value):g}"

    return {
        "id": car_park.national_id,
        "nom": car_park.name,
        "insee": insee,
        "adresse": car_park.address,
        "url": "",
        "type_usagers": "tous",
        "gratuit": "true" if car_park.is_free else "false",
        "nb_places": car_park.capacity,
        "nb_pr": car_park.park_and_ride_places if car_park.park_and_ride_places is not None else "",
        "nb_pmr": "" if car_park.disabled_places is None else car_park.disabled_places,
        "nb_voitures_electriques": "" if car_park.ev_places is None else car_park.ev_places,
        "hauteur_max": car_park.max_height_cm if car_park.max_height_cm is not None else "N/A",
        "num_siret": car_park.operator_siret,
        "Xlong": f"{car_park.lon:.6f}",
        "Ylat": f"{car_park.lat:.6f}",
        "tarif_1h": num(car_park.price_1h),
        "tarif_2h": num(car_park.price_2h),
        "tarif_24h": num(car_park.price_24h),
        "type_ouvrage": car_park.structure_type,
        "info": car_park.info,
    }


def to_csv(car_parks, *, insee: str) -> tuple[str, int]:
    """(CSV text, number of car parks left out because a required value is unknown)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, restval="", lineterminator="\r\n")
    writer.writeheader()
    omitted = 0
    for car_park in sorted(car_parks, key=lambda c: c.national_id or c.slug):
        row = csv_row(car_park, insee=insee)
        if row is None:
            omitted += 1
            continue
        writer.writerow(row)
    return out.getvalue(), omitted
