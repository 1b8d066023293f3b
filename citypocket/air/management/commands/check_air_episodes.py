"""`citypocket check_air_episodes [city ...]`: refreshes today's indices and sends episode alerts (for cron)."""

from django.core.management.base import BaseCommand

from citypocket.air.episodes import check_episodes
from citypocket.air.services import refresh_city_day
from citypocket.cities.selectors import list_cities


class Command(BaseCommand):
    help = "Refresh today's air indices of each city and alert subscribers of a pollution episode (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("cities", nargs="*", help="city slugs (default: every active city)")

    def handle(self, *args, cities: list[str], **options):
        queryset = list_cities()
        if cities:
            queryset = queryset.filter(slug__in=cities)
        for city in queryset:
            row = refresh_city_day(city=city)
            alerts = check_episodes(city=city)
            self.stdout.write(f"{city.slug}: index {row.level}, {len(alerts)} new alert(s)")
