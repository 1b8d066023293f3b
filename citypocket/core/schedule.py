"""Periodic jobs of the platform, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.core.idempotency import purge_idempotent_answers


@cron("40 3 * * *")
@task
def purge_old_idempotent_answers() -> dict:
    """Every night: forget the answers kept for replayed form posts after their retention."""
    return {"deleted": purge_idempotent_answers()}
