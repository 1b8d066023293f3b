"""Open-data exports of the air app: hourly observations and daily indices, as CSV and GeoJSON.

`DATASETS` describes both for the open-data catalog (title, description, licence, columns), so
that the catalog app can list them without knowing the air app's internals.
"""

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import Avg, Count
from django.db.models.functions import TruncHour

from citypocket.air import indices
from citypocket.air.models import AirIndexDaily
from citypocket.cities.models import City
from citypocket.core import geojson
from citypocket.sensors.models import Observation, Sensor

OBSERVATION_COLUMNS = [
    ("station_code", "string", "National station code (e.g. FR25036)"),
    ("station_name", "string", "Station name"),
    ("lat", "number", "Latitude (WGS 84)"),
    ("lon", "number", "Longitude (WGS 84)"),
    ("pollutant", "string", "no2, o3, pm10, pm25 or so2"),
    ("hour_start", "datetime", "Start of the hour, UTC"),
    ("value", "number", "Hourly mean concentration"),
    ("unit", "string", "ug/m3"),
    ("count", "integer", "Number of raw values in the hour"),
    ("simulated", "boolean", "true for simulated demo data (not measurements)"),
]
INDEX_COLUMNS = [
    ("date", "date", "Local day the index is for"),
    ("station_code", "string", "Station code; empty for a city-wide or commune value"),
    ("zone_code", "string", "INSEE code of the commune (official indices)"),
    ("zone_name", "string", "Commune or city name"),
    ("scale", "string", "atmo-2021"),
    ("version", "string", "Version of the scale"),
    ("source", "string", "computed (by CityPocket) or official (Atmo association)"),
    ("forecast", "boolean", "true for a forecast (J+1)"),
    ("provisional", "boolean", "true while the day is in progress"),
    ("level", "integer", "1 (good) to 6 (extremely poor); 0 unavailable; 7 event"),
    ("label_fr", "string", "Official French label"),
    ("label_en", "string", "English label"),
    ("colour", "string", "Official colour"),
    ("dominant", "string", "Dominant pollutants, space-separated"),
    ("sub_indices", "string", "Sub-index per pollutant, e.g. no2:2 pm10:3"),
]
LICENCE = "Licence Ouverte / Open Licence 2.0 (etalab-2.0)"
DATASETS = [
    {
        "slug": "air-hourly-observations",
        "title": "Air quality: hourly observations per station",
        "description": "Hourly mean concentrations (µg/m³) of NO2, O3, PM10, PM2.5 and SO2 at each monitoring "
                       "station of the city.",
        "licence": LICENCE,
        "formats": ["csv", "geojson"],
        "url_name": "/api/v1/cities/{city}/air/observations",
        "columns": OBSERVATION_COLUMNS,
    },
    {
        "slug": "air-daily-indices",
        "title": "Air quality: daily ATMO indices",
        "description": "Daily ATMO 2021 index per station and for the city (computed), and per commune as "
                       "published by the Atmo association (official, J and J+1).",
        "licence": LICENCE,
        "formats": ["csv", "geojson", "json"],
        "url_name": "/api/v1/cities/{city}/air/indices",
        "columns": INDEX_COLUMNS,
    },
]


def list_hourly_observations(*, city: City, start: datetime, end: datetime, station: str | None = None) -> list[dict]:
    """Hourly means of the city's air stations over [start, end), aggregated in the database."""
    queryset = Observation.objects.filter(
        datastream__sensor__city=city,
        datastream__sensor__kind="air",
        datastream__property__in=indices.POLLUTANTS,
        phenomenon_time__gte=start,
        phenomenon_time__lt=end,
    )
    if station:
        queryset = queryset.filter(datastream__sensor__external_id=station)
    rows = (
        queryset.annotate(hour=TruncHour("phenomenon_time", tzinfo=UTC))
        .values(
            "hour", "datastream__property", "datastream__unit", "datastream__sensor__external_id",
            "datastream__sensor__name", "datastream__sensor__lat", "datastream__sensor__lon",
        )
        .annotate(value=Avg("value"), count=Count("pk"))
        .order_by("datastream__sensor__external_id", "hour", "datastream__property")
    )
    simulated = {sensor.external_id for sensor in Sensor.objects.filter(city=city, kind="air") if sensor.simulated}
    return [
        {
            "station_code": row["datastream__sensor__external_id"],
            "station_name": row["datastream__sensor__name"],
            "lat": row["datastream__sensor__lat"],
            "lon": row["datastream__sensor__lon"],
            "pollutant": row["datastream__property"],
            "hour_start": row["hour"].astimezone(UTC),
            "value": round(row["value"], 2),
            "unit": row["datastream__unit"],
            "count": row["count"],
            "simulated": row["datastream__sensor__external_id"] in simulated,
        }
        for row in rows
    ]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _cell(value):
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _csv(columns: list[tuple], rows: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [name for name, _type, _description in columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row[n]) for n in names])
    return buffer.getvalue()


def observations_csv(rows: list[dict]) -> str:
    return _csv(OBSERVATION_COLUMNS, rows)


def observations_geojson(rows: list[dict]) -> dict:
    """One feature per station and hour, the pollutants as properties (wide form)."""
    features: dict[tuple, dict] = {}
    for row in rows:
        key = (row["station_code"], row["hour_start"])
        feature = features.get(key)
        if feature is None:
            feature = geojson.feature(
                f"{row['station_code']}/{_iso(row['hour_start'])}",
                geojson.point(row["lon"], row["lat"]),
                {"station_code": row["station_code"], "station_name": row["station_name"],
                 "hour_start": _iso(row["hour_start"]), "unit": row["unit"], "simulated": row["simulated"]},
            )
            features[key] = feature
        feature["properties"][row["pollutant"]] = row["value"]
    return geojson.feature_collection(features.values())


def index_row(row: AirIndexDaily) -> dict:
    return {
        "date": row.date.isoformat(),
        "station_code": row.station.external_id if row.station_id else "",
        "zone_code": row.zone_code,
        "zone_name": row.zone_name if not row.station_id else row.station.name,
        "scale": row.scale,
        "version": row.version,
        "source": row.source,
        "forecast": str(row.forecast).lower(),
        "provisional": str(row.provisional).lower(),
        "level": row.level,
        "label_fr": indices.label(row.scale, row.level, "fr"),
        "label_en": indices.label(row.scale, row.level, "en"),
        "colour": indices.colour(row.scale, row.level),
        "dominant": " ".join(row.dominant),
        "sub_indices": " ".join(f"{key}:{value}" for key, value in row.sub_indices.items()),
    }


def indices_csv(rows: Iterable[AirIndexDaily]) -> str:
    return _csv(INDEX_COLUMNS, (index_row(row) for row in rows))


def indices_geojson(rows: Iterable[AirIndexDaily], *, city: City) -> dict:
    """One feature per daily index, at its station, or at the city centre for city/commune values."""
    features = []
    for row in rows:
        at = geojson.point(row.station.lon, row.station.lat) if row.station_id else None
        where = row.station.external_id if row.station_id else (row.zone_code or city.slug)
        features.append(geojson.feature(
            f"{row.date.isoformat()}/{row.source}/{where}",
            at or geojson.point(city.centre_lon, city.centre_lat),
            index_row(row),
        ))
    return geojson.feature_collection(features)
