"""Sends the daily participation digest (run once a day, e.g. from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from citypocket.participation.services.delivery import send_daily_digests


class Command(BaseCommand):
    help = "E-mails each person who chose the daily digest what happened to what they follow."

    def handle(self, *args, **options):
        count = send_daily_digests()
        self.stdout.write(f"{count} digests sent")
