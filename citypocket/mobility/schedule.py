"""Periodic jobs of the mobility app, enqueued by the clock (`citypocket clock`) and run by the worker.

The search reads the usual free spaces per car park and quarter-hour that these jobs keep
(`profiles.py`); without them it reads the history itself, slower but with the same answer.
"""

from crontask import cron
from django.tasks import task

from citypocket.cities.selectors import list_cities
from citypocket.mobility import profiles


@cron("7,22,37,52 * * * *")
@task
def refresh_free_space_profiles() -> dict:
    """Every 15 minutes, 7 minutes past each quarter-hour window's end: the quarter-hours just ended."""
    return {city.slug: profiles.refresh(city=city) for city in list_cities()}


@cron("50 3 * * *")
@task
def rebuild_free_space_profiles() -> dict:
    """Every night, every quarter-hour of the week of every car park (new sensors, late readings)."""
    return {city.slug: profiles.refresh(city=city, full=True) for city in list_cities()}
