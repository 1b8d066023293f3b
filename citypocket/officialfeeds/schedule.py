"""Periodic job of the official feeds, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from citypocket.cities.selectors import list_cities
from citypocket.officialfeeds.tasks import refresh_city_official_feeds


@cron("*/30 * * * *")
@task
def refresh_official_feeds() -> int:
    """Every half hour, one refresh task per active city (nothing when no feed URL is configured)."""
    if not (settings.OFFICIALFEEDS_VIGIEAU_URL or settings.OFFICIALFEEDS_VIGILANCE_URL):
        return 0
    count = 0
    for city_id in list_cities().values_list("pk", flat=True):
        refresh_city_official_feeds.enqueue(city_id)
        count += 1
    return count
