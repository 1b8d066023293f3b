"""Periodic jobs of city information, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.cityinfo.tasks import enqueue_feed_imports


@cron("40 * * * *")
@task
def import_event_feeds() -> int:
    """Every hour, one import task per active event feed (iCalendar or OpenAgenda)."""
    return enqueue_feed_imports()
