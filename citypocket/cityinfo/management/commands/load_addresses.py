"""`citypocket load_addresses CITY FILE`: loads a city's addresses from the national address base's CSV export."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.cityinfo.addresses import AddressFileError, read_ban_csv, to_addok_documents
from citypocket.cityinfo.waste_services import import_addresses


class Command(BaseCommand):
    help = ("Load the addresses of a city's communes (its INSEE codes) from a BAN CSV export "
            "(adresses-<département>.csv); idempotent by BAN id, all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("file", help="adresses-<département>.csv (';'-separated, UTF-8)")
        parser.add_argument("--source", default="ban", help='stored with each row (default "ban")')
        parser.add_argument("--demo", action="store_true", help="flag the rows as demo data")
        parser.add_argument("--addok-json", default="", metavar="OUT",
                            help="also write the city's addresses in addok's import format (JSON lines), "
                                 "for `addok batch OUT` on the addok service")

    def handle(self, *args, city, file, source, demo, addok_json, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city {city!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        try:
            parsed = read_ban_csv(path.read_bytes(), citycodes=set(place.insee_codes or []))
        except AddressFileError as error:
            raise CommandError(str(error)) from error
        summary = import_addresses(city=place, parsed=parsed, source=source[:40] or "ban", is_demo=demo)
        for line, reason in summary.rejected:
            self.stderr.write(f"rejected line {line}: {reason}")
        self.stdout.write(str(summary))
        if addok_json:
            documents = to_addok_documents(parsed.records)
            with open(addok_json, "w", encoding="utf-8") as out:
                for document in documents:
                    out.write(json.dumps(document, ensure_ascii=False) + "\n")
            self.stdout.write(f"{len(documents)} street documents written to {addok_json} (load them: addok batch)")
