"""`citypocket import_places CITY FILE`: creates or updates a city's places from a GeoJSON or CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.cityinfo.imports import parse_csv, parse_osm_geojson
from citypocket.cityinfo.services import import_places


class Command(BaseCommand):
    help = "Import places from an OpenStreetMap GeoJSON export or a CSV file (idempotent by source id)."

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("file", help="a .geojson/.json (OSM export) or .csv file")
        parser.add_argument("--source", default="", help='source name stored with each row (default: "osm" for '
                            'GeoJSON, "csv" for CSV); imports of one source match on its ids')
        parser.add_argument("--note", default="", help="added to each row's provenance, e.g. the extract's date")

    def handle(self, *args, city, file, source, note, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city {city!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        data = path.read_bytes()
        is_csv = path.suffix.lower() == ".csv"
        parsed = parse_csv(data) if is_csv else parse_osm_geojson(data)
        summary = import_places(city=place, parsed=parsed, source=source or ("csv" if is_csv else "osm"), note=note)
        for item in summary.rejected:
            self.stderr.write(f"rejected {item.item}: {item.reason}")
        for item in summary.warnings:
            self.stderr.write(f"warning {item.item}: {item.reason}")
        self.stdout.write(str(summary))
