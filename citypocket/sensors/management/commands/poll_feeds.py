"""`citypocket poll_feeds [--name NAME]`: polls the configured feeds (SENSOR_FEEDS) once."""

import httpx
from django.core.management.base import BaseCommand

from citypocket.sensors.pollers import configured_feeds, poll_feed


class Command(BaseCommand):
    help = "Poll the OpenDataSoft and JSON feeds of SENSOR_FEEDS once and ingest their readings."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="only the feed with this name")

    def handle(self, *args, name: str, **options):
        for feed in configured_feeds():
            if name and feed.get("name") != name:
                continue
            label = feed.get("name") or feed.get("dataset") or feed.get("url")
            try:
                result = poll_feed(feed)
            except (httpx.HTTPError, KeyError, ValueError) as error:
                self.stderr.write(f"{label}: failed ({type(error).__name__}: {error})")
                continue
            self.stdout.write(
                f"{label}: {result.accepted} accepted, {result.duplicates} duplicates, {len(result.rejected)} rejected"
            )
