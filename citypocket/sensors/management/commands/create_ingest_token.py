"""`citypocket create_ingest_token <city-slug> [--name NAME]`: prints a new ingest token, and nothing else."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.sensors.tokens import create_ingest_token


class Command(BaseCommand):
    help = "Create a bearer token that lets a machine push observations for one city; prints the token alone."

    def add_arguments(self, parser):
        parser.add_argument("city", help="city slug, e.g. rouen")
        parser.add_argument("--name", default="", help="a label, e.g. the gateway it is for")

    def handle(self, *args, city: str, name: str, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city with slug {city!r}.")
        _row, token = create_ingest_token(city=place, name=name)
        self.stdout.write(token)
