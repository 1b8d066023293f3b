"""Periodic jobs of the open-data catalog, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.cities.selectors import list_cities
from citypocket.opendata.services import sync_platform_datasets


@cron("*/15 * * * *")
@task
def sync_catalogs() -> dict:
    """Every quarter of an hour, each city's platform datasets re-measured: `modified` follows the data."""
    return {city.slug: len(sync_platform_datasets(city=city)) for city in list_cities()}
