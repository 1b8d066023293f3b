"""Periodic jobs of street safety, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.safety.services import purge_safety_data


@cron("30 3 * * *")
@task
def purge_expired_safety_data() -> dict:
    """Every night: the retention rule for harassment reports (see docs/safety.md)."""
    summary = purge_safety_data()
    return {"reports_anonymised": summary.reports_anonymised, "contacts_erased": summary.contacts_erased}
