"""Periodic jobs of participation, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.participation.services.delivery import send_daily_digests


@cron("0 7 * * *")
@task
def send_participation_digests() -> int:
    """Every morning at 7:00, the daily digest to each person who chose it."""
    return send_daily_digests()
