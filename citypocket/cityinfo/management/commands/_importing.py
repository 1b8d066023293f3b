"""What `import_places` and `import_events` share: the city, the file, the source name, the summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City


class ImportCommand(BaseCommand):
    """A command that reads one file into a city's rows, idempotent by source id.

    A subclass says what the file may be (`file_help`, `source_help`) and how to import it (`load`).
    """

    file_help = ""
    source_help = ""

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--source", default="", help=self.source_help)
        parser.add_argument("--note", default="", help="added to each row's provenance, e.g. the extract's date")

    def load(self, *, city: City, path: Path, data: bytes, source: str, note: str):
        """Imports `data` read from `path`; the import's summary (with `rejected` and `warnings`)."""
        raise NotImplementedError

    def handle(self, *args, city, file, source, note, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city {city!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        summary = self.load(city=place, path=path, data=path.read_bytes(), source=source, note=note)
        for item in summary.rejected:
            self.stderr.write(f"rejected {item.item}: {item.reason}")
        for item in getattr(summary, "warnings", ()):
            self.stderr.write(f"warning {item.item}: {item.reason}")
        self.stdout.write(str(summary))
