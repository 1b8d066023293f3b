"""`citypocket import_places CITY FILE`: creates or updates a city's places from a GeoJSON or CSV file."""

from citypocket.cityinfo.imports import parse_csv, parse_osm_geojson
from citypocket.cityinfo.management.commands._importing import ImportCommand
from citypocket.cityinfo.services import import_places


class Command(ImportCommand):
    help = "Import places from an OpenStreetMap GeoJSON export or a CSV file (idempotent by source id)."
    file_help = "a .geojson/.json (OSM export) or .csv file"
    source_help = ('source name stored with each row (default: "osm" for GeoJSON, "csv" for CSV); imports of one '
                   "source match on its ids")

    def load(self, *, city, path, data, source, note):
        is_csv = path.suffix.lower() == ".csv"
        parsed = parse_csv(data) if is_csv else parse_osm_geojson(data)
        return import_places(city=city, parsed=parsed, source=source or ("csv" if is_csv else "osm"), note=note)
