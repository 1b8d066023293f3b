"""Periodic jobs of the open-data catalog, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.cities.selectors import list_cities
from citypocket.opendata.harvesting.services import harvest_due_sources, run_harvest
from citypocket.opendata.models import HarvestSource
from citypocket.opendata.services import sync_platform_datasets


@cron("*/15 * * * *")
@task
def sync_catalogs() -> dict:
    """Every quarter of an hour, each city's platform datasets re-measured: `modified` follows the data."""
    return {city.slug: len(sync_platform_datasets(city=city)) for city in list_cities()}


@cron("37 * * * *")
@task
def harvest_sources() -> dict:
    """Every hour at :37, each enabled hourly harvest source read (and the daily ones at 04:37); a source
    that fails is recorded on its job and the others still run."""
    from django.utils import timezone

    jobs = harvest_due_sources(schedule="hourly")
    if timezone.localtime().hour == 4:
        jobs += harvest_due_sources(schedule="daily")
    return {str(job.source_id): job.status for job in jobs}


@task
def harvest_one(source_id: int) -> str:
    """One source now (the back office's "Harvest now")."""
    source = HarvestSource.objects.select_related("city").filter(pk=source_id).first()
    return run_harvest(source).status if source is not None else "gone"
