"""`citypocket purge_safety_data`: CNIL retention for harassment reports (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from citypocket.safety.services import purge_safety_data


class Command(BaseCommand):
    help = "Erase contacts and anonymise harassment reports closed more than two months ago."

    def handle(self, *args, **options):
        summary = purge_safety_data()
        self.stdout.write(
            f"{summary.reports_anonymised} reports anonymised, {summary.contacts_erased} contacts erased."
        )
