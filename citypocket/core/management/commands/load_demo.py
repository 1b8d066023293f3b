"""Loads (or refreshes) the demo cities and every app's demo data. Safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from citypocket.core.demo import list_demo_loaders


class Command(BaseCommand):
    help = "Load the demo data for Rouen and Aix-en-Provence (idempotent)."

    def handle(self, *args, **options):
        for loader in list_demo_loaders():
            with transaction.atomic():
                summary = loader.load()
            self.stdout.write(f"demo {loader.name}: {summary}")
