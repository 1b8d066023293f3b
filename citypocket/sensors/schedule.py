"""Periodic jobs of the sensor engine, enqueued by the clock (`citypocket clock`) and run by the worker."""

from crontask import cron
from django.tasks import task

from citypocket.sensors import partitions
from citypocket.sensors.pollers import poll_configured_feeds


@cron("*/5 * * * *")
@task
def poll_sensor_feeds() -> dict:
    """Every five minutes, each feed of SENSOR_FEEDS once."""
    return {
        label: "failed" if isinstance(outcome, Exception) else {"accepted": outcome.accepted,
                                                                 "rejected": len(outcome.rejected)}
        for label, outcome in poll_configured_feeds().items()
    }


@cron("17 3 * * *")
@task
def maintain_observation_partitions() -> dict:
    """Every night: monthly partitions ahead, a partition for rows waiting in the default one, retention."""
    return partitions.maintain()
