"""`citypocket fetch_air_official <city> [--url URL | --file PATH]`: stores the official ATMO indices (J, J+1)."""

import json

from django.core.management.base import BaseCommand, CommandError

from citypocket.air.official import FeedError, fetch_official_indices, import_official_indices
from citypocket.cities.models import City


class Command(BaseCommand):
    help = "Fetch the daily ATMO index per commune published by the Atmo association (ArcGIS/ODS/GeoJSON)."

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("--url", default="", help="feed URL (default: AIR_ATMO_FEEDS[city])")
        parser.add_argument("--file", default="", help="read a saved payload instead of downloading")

    def handle(self, *args, city: str, url: str, file: str, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city with slug {city!r}.")
        try:
            if file:
                with open(file, encoding="utf-8") as handle:
                    rows = import_official_indices(city=place, payload=json.load(handle))
            else:
                rows = fetch_official_indices(city=place, url=url or None)
        except (FeedError, OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        for row in rows:
            kind = " (forecast)" if row.forecast else ""
            self.stdout.write(f"{row.date} {row.zone_code} {row.zone_name}: {row.level}{kind}")
