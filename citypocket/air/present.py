"""Representations of air indices and stations shared by the API, the exports and the pages.

Labels come in the requested language; codes (level, pollutant) stay stable.
"""

from datetime import UTC, datetime

from citypocket.air import indices
from citypocket.air.models import AirIndexDaily
from citypocket.air.selectors import StationNow
from citypocket.core import geojson

UNIT = "ug/m3"
NGSI_LD_CONTEXT = [
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld",
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
]
SIMULATED_SOURCE = "CityPocket demo: simulated data, not measurements (données simulées)"
# UN/CEFACT common code of µg/m³, as in the Smart Data Models examples.
UNIT_CODE_UG_M3 = "GQ"


def index_dict(result: indices.IndexResult, language: str) -> dict:
    return {
        "scale": result.scale,
        "version": result.version,
        "level": result.level,
        "label": indices.label(result.scale, result.level, language),
        "colour": indices.colour(result.scale, result.level),
        "dominant": list(result.dominant),
        "sub_indices": dict(result.sub_indices),
    }


def row_index(row: AirIndexDaily) -> indices.IndexResult:
    return indices.IndexResult(scale=row.scale, version=row.version, level=row.level,
                               sub_indices=row.sub_indices, dominant=row.dominant)


def daily_dict(row: AirIndexDaily, language: str) -> dict:
    return {
        **index_dict(row_index(row), language),
        "date": row.date,
        "source": row.source,
        "forecast": row.forecast,
        "provisional": row.provisional,
        "zone_code": row.zone_code,
        "zone_name": row.zone_name,
        "data_until": row.data_until,
        "station": row.station.external_id if row.station_id else None,
    }


def station_dict(item: StationNow, language: str) -> dict:
    return {
        "code": item.code,
        "name": item.sensor.name,
        "lat": item.sensor.lat,
        "lon": item.sensor.lon,
        "measured_at": item.measured_at,
        "stale": item.stale,
        "simulated": item.sensor.simulated,
        "eaqi": index_dict(item.eaqi, language),
        # The index alone (StationNowOut.atmo_today is an IndexOut): the day and zone are the answer's.
        "atmo_today": index_dict(row_index(item.atmo_today), language) if item.atmo_today else None,
        "values": {
            pollutant: {"value": measurement.value, "unit": UNIT, "time": measurement.time}
            for pollutant, measurement in sorted(item.latest.items())
        },
    }


def station_feature(item: StationNow, language: str) -> dict:
    return geojson.feature(item.code, geojson.point(item.sensor.lon, item.sensor.lat), station_dict(item, language))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def station_ngsi_ld(item: StationNow, *, city_slug: str) -> dict:
    """An AirQualityObserved entity (NGSI-LD normalized, FIWARE Smart Data Models) for one station."""
    entity: dict = {
        "id": f"urn:ngsi-ld:AirQualityObserved:{city_slug}:{item.code}",
        "type": "AirQualityObserved",
        "name": {"type": "Property", "value": item.sensor.name},
        "source": {"type": "Property", "value": SIMULATED_SOURCE if item.sensor.simulated else "CityPocket"},
        "dataProvider": {
            "type": "Property",
            "value": f"CityPocket ({SIMULATED_SOURCE})" if item.sensor.simulated else "CityPocket",
        },
        "typeOfLocation": {"type": "Property", "value": "outdoor"},
    }
    if item.sensor.lat is not None and item.sensor.lon is not None:
        entity["location"] = {
            "type": "GeoProperty",
            "value": geojson.point(item.sensor.lon, item.sensor.lat),
        }
    if item.measured_at is not None:
        entity["dateObserved"] = {"type": "Property", "value": _iso(item.measured_at)}
    for pollutant, measurement in sorted(item.latest.items()):
        entity[pollutant] = {
            "type": "Property",
            "value": measurement.value,
            "unitCode": UNIT_CODE_UG_M3,
            "observedAt": _iso(measurement.time),
        }
    if item.eaqi and item.eaqi.level:
        entity["airQualityIndex"] = {
            "type": "Property",
            "value": item.eaqi.level,
            "observedAt": _iso(item.measured_at),
        }
        level = indices.label(indices.EAQI, item.eaqi.level, "en").lower()
        entity["airQualityLevel"] = {"type": "Property", "value": level}
    entity["@context"] = NGSI_LD_CONTEXT
    return entity
