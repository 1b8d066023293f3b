"""`citypocket rebuild_search_index [--city SLUG] [--kind KIND ...]`: the one search rebuilt from the declarations."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.cities.models import City
from citypocket.cityinfo import searchindex


class Command(BaseCommand):
    help = "Rebuilds the one search's index of a city (or every city) from the apps' searchable declarations."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="the city's slug (default: every city)")
        parser.add_argument("--kind", action="append", help="only this kind (repeatable), e.g. places")

    def handle(self, *args, city=None, kind=None, **options):
        known = {item.slug for item in searchindex.list_kinds()}
        unknown = set(kind or ()) - known
        if unknown:
            raise CommandError(f"Unknown kind(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(known))}.")
        place = None
        if city:
            place = City.objects.filter(slug=city).first()
            if place is None:
                raise CommandError(f"No city {city!r}.")
        count = searchindex.rebuild(city=place, kinds=kind)
        self.stdout.write(f"{count} item(s) indexed.")
