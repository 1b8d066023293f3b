"""Periodic jobs of the air app, enqueued by the clock (`citypocket clock`) and run by the worker.

Pages and the API only read the stored indices; these jobs, with the ingest listener, keep them current.
"""

from crontask import cron
from django.tasks import task

from citypocket.air.official import FeedError, feed_url, fetch_official_indices
from citypocket.air.services import refresh_air_now
from citypocket.cities.selectors import list_cities


@cron("*/5 * * * *")
@task
def refresh_air_indices() -> dict:
    """Today's stored indices of every city: starts each local day and completes the previous one."""
    return {city.slug: refresh_air_now(city=city).level for city in list_cities()}


@cron("20 * * * *")
@task
def fetch_official_air_indices() -> dict:
    """The official ATMO indices of each city that has a feed (AIR_ATMO_FEEDS), once an hour."""
    fetched = {}
    for city in list_cities():
        if not feed_url(city):
            continue
        try:
            fetched[city.slug] = len(fetch_official_indices(city=city))
        except FeedError as error:
            fetched[city.slug] = f"failed: {error}"
    return fetched
