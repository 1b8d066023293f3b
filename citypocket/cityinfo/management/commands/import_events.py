"""`citypocket import_events CITY FILE`: creates or updates a city's events from an .ics or OpenAgenda JSON file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.cityinfo.agenda_imports import parse_ical, parse_openagenda
from citypocket.cityinfo.services import import_events


class Command(BaseCommand):
    help = "Import events from an iCalendar file or an OpenAgenda JSON export (idempotent by source id)."

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("file", help="a .ics file, or a .json OpenAgenda export")
        parser.add_argument("--source", default="", help='source name stored with each event (default: "ical" '
                            'or "openagenda"); imports of one source match on its ids')
        parser.add_argument("--note", default="", help="added to each event's provenance")

    def handle(self, *args, city, file, source, note, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city {city!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        data = path.read_bytes()
        is_json = path.suffix.lower() == ".json"
        parsed = parse_openagenda(data) if is_json else parse_ical(data, zone=place.zone)
        summary = import_events(city=place, parsed=parsed, source=source or ("openagenda" if is_json else "ical"),
                                note=note)
        for item in summary.rejected:
            self.stderr.write(f"rejected {item.item}: {item.reason}")
        self.stdout.write(str(summary))
