"""Background tasks of city information (they take ids, not objects).

Every hour the clock (`schedule.py`), or `citypocket import_event_feeds` by hand, enqueues one task
per active feed; each runs `feeds.import_feed`, which imports through `services.import_events`.
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


def enqueue_feed_imports(*, city: str = "") -> int:
    """Enqueues the import of every active feed of the active cities (or of one city); how many."""
    feeds = EventFeed.objects.filter(is_active=True, city__is_active=True)
    if city:
        feeds = feeds.filter(city__slug=city)
    count = 0
    for feed_id in feeds.values_list("pk", flat=True):
        import_event_feed.enqueue(feed_id)
        count += 1
    return count
