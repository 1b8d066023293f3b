"""`citypocket import_events CITY FILE`: creates or updates a city's events from an .ics or OpenAgenda JSON file."""

from citypocket.cityinfo.agenda_imports import parse_ical, parse_openagenda
from citypocket.cityinfo.management.commands._importing import ImportCommand
from citypocket.cityinfo.services import import_events


class Command(ImportCommand):
    help = "Import events from an iCalendar file or an OpenAgenda JSON export (idempotent by source id)."
    file_help = "a .ics file, or a .json OpenAgenda export"
    source_help = ('source name stored with each event (default: "ical" or "openagenda"); imports of one source '
                   "match on its ids")

    def load(self, *, city, path, data, source, note):
        is_json = path.suffix.lower() == ".json"
        parsed = parse_openagenda(data) if is_json else parse_ical(data, zone=city.zone)
        return import_events(city=city, parsed=parsed, source=source or ("openagenda" if is_json else "ical"),
                             note=note)
