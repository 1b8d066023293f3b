"""Background tasks of city information (they take ids, not objects).

`citypocket import_event_feeds` (run it from cron, e.g. every hour) enqueues one task per active
feed; each runs `feeds.import_feed`, which imports through `services.import_events`.
"""

from django.tasks import task

from citypocket.cityinfo.feeds import import_feed
from citypocket.cityinfo.models import EventFeed


@task
def import_event_feed(feed_id: int) -> str:
    """Downloads one event feed and imports its events (idempotent by source id)."""
    feed = EventFeed.objects.select_related("city").filter(pk=feed_id, is_active=True).first()
    if feed is None:
        return "no such active feed"
    return str(import_feed(feed=feed))
