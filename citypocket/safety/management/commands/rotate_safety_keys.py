"""`citypocket rotate_safety_keys`: re-encrypt every safety token with the first key of SAFETY_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from citypocket.safety.services import rotate_safety_keys


class Command(BaseCommand):
    help = "Re-encrypt safety reports with the current (first) key of SAFETY_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        changed = rotate_safety_keys()
        self.stdout.write(f"{changed} rows re-encrypted with the current key.")
