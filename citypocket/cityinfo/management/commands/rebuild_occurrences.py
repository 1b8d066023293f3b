"""`citypocket rebuild_occurrences [--city SLUG]`: the agenda's materialised occurrences rewritten."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.cityinfo import occurrences


class Command(BaseCommand):
    help = "Rewrites the stored occurrences of every event (or one city's) up to the horizon."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="the city's slug (default: every city)")

    def handle(self, *args, city=None, **options):
        place = None
        if city:
            place = City.objects.filter(slug=city).first()
            if place is None:
                raise CommandError(f"No city {city!r}.")
        count = occurrences.rebuild(city=place)
        self.stdout.write(f"{count} event(s) materialised up to {occurrences.HORIZON_DAYS} days ahead.")
