"""`citypocket sync_opendata [--city SLUG]`: bring the open-data catalogs in step with the data."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.opendata.services import sync_platform_datasets


class Command(BaseCommand):
    help = "Creates or updates every city's catalog of platform datasets (modified moves when the data does)."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="Only this city (its slug).")

    def handle(self, *args, city=None, **options):
        place = None
        if city:
            place = City.objects.filter(slug=city, is_active=True).first()
            if place is None:
                raise CommandError(f"No active city {city!r}.")
        datasets = sync_platform_datasets(city=place)
        self.stdout.write(f"{len(datasets)} datasets checked.")
