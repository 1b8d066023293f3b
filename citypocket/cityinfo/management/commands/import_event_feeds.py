"""`citypocket import_event_feeds [--city SLUG]`: enqueues the import of every active event feed."""

from django.core.management.base import BaseCommand

from citypocket.cityinfo.tasks import enqueue_feed_imports


class Command(BaseCommand):
    help = "Enqueue one import task per active event feed (the clock does it every hour)."

    def add_arguments(self, parser):
        parser.add_argument("--city", default="", help="only this city's feeds")

    def handle(self, *args, city, **options):
        self.stdout.write(f"{enqueue_feed_imports(city=city)} feed import(s) enqueued")
