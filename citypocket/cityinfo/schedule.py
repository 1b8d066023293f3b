"""Periodic jobs of city information, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.cityinfo.tasks import enqueue_feed_imports


@cron("40 * * * *")
@task
def import_event_feeds() -> int:
    """Every hour, one import task per active event feed (iCalendar or OpenAgenda)."""
    return enqueue_feed_imports()


@cron("25 4 * * *")
@task
def rebuild_search_index() -> int:
    """Every night, the one search rebuilt from the apps' declarations (what no signal saw)."""
    # Read when the job runs: the clock imports every schedule module at start-up.
    from citypocket.cityinfo.searchindex import rebuild

    return rebuild()


@cron("15 3 * * *")
@task
def extend_occurrences() -> int:
    """Every night, the agenda's materialised occurrences carried on to the horizon (endless series)."""
    # Read when the job runs: the clock imports every schedule module at start-up.
    from citypocket.cityinfo.occurrences import extend

    return extend()
