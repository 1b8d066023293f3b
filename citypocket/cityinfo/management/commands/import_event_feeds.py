"""`citypocket import_event_feeds [--city SLUG]`: enqueues the import of every active event feed."""

from django.core.management.base import BaseCommand

from citypocket.cityinfo.models import EventFeed
from citypocket.cityinfo.tasks import import_event_feed


class Command(BaseCommand):
    help = "Enqueue one import task per active event feed (run it from cron or a scheduler)."

    def add_arguments(self, parser):
        parser.add_argument("--city", default="", help="only this city's feeds")

    def handle(self, *args, city, **options):
        feeds = EventFeed.objects.filter(is_active=True, city__is_active=True)
        if city:
            feeds = feeds.filter(city__slug=city)
        count = 0
        for feed_id in feeds.values_list("pk", flat=True):
            import_event_feed.enqueue(feed_id)
            count += 1
        self.stdout.write(f"{count} feed import(s) enqueued")
