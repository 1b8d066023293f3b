"""`citypocket harvest [--source ID] [--city SLUG]`: run the harvest sources now and print each job."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.opendata.harvesting.services import run_harvest
from citypocket.opendata.models import HarvestSource, HarvestStatus


class Command(BaseCommand):
    help = "Harvests the enabled sources (or one source, even disabled) into their cities' catalogs."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Only this source (its id).")
        parser.add_argument("--city", help="Only the sources of this city (its slug).")

    def handle(self, *args, source=None, city=None, **options):
        sources = HarvestSource.objects.select_related("city").order_by("pk")
        if source is not None:
            sources = sources.filter(pk=source)
            if not sources:
                raise CommandError(f"No harvest source {source}.")
        else:
            sources = sources.filter(enabled=True, city__is_active=True)
        if city:
            sources = sources.filter(city__slug=city)
        failed = 0
        for item in sources:
            job = run_harvest(item)
            failed += job.status == HarvestStatus.FAILED
            self.stdout.write(f"{item.pk} {item.city.slug} {item.title}: {job.status}, {job.created} created, "
                              f"{job.updated} updated, {job.unchanged} unchanged, {job.withdrawn} withdrawn")
            for error in job.errors:
                self.stdout.write(f"  {error}")
        if failed:
            raise CommandError(f"{failed} source(s) failed.")
