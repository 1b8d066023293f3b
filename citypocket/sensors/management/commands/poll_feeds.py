"""`citypocket poll_feeds [--name NAME]`: polls the configured feeds (SENSOR_FEEDS) once.

The clock does it every five minutes (sensors/schedule.py); this command is for a first run or a check.
"""

from django.core.management.base import BaseCommand

from citypocket.sensors.pollers import poll_configured_feeds


class Command(BaseCommand):
    help = "Poll the OpenDataSoft and JSON feeds of SENSOR_FEEDS once and ingest their readings."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="only the feed with this name")

    def handle(self, *args, name: str, **options):
        for label, outcome in poll_configured_feeds(name=name).items():
            if isinstance(outcome, Exception):
                self.stderr.write(f"{label}: failed ({type(outcome).__name__}: {outcome})")
                continue
            counts = f"{outcome.accepted} accepted, {outcome.duplicates} duplicates, {len(outcome.rejected)} rejected"
            self.stdout.write(f"{label}: {counts}")
