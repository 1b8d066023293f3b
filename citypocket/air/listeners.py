"""What the air app does when the sensor engine stores new readings (registered in `AirConfig.ready`).

The listener runs in the ingest process right after the batch commits: it only enqueues the task
below, and the worker recomputes the index (and checks for an episode) through the services.
"""

from django.core.cache import cache
from django.tasks import task

from citypocket.air.services import on_readings_ingested
from citypocket.cities.models import City

AIR_PROPERTIES = frozenset({"no2", "o3", "pm10", "pm25", "so2"})
REFRESH_EVERY_SECONDS = 60


@task
def refresh_air_after_ingest(city_id: int) -> str:
    """Recomputes a city's index of the day after new readings, which also checks for an episode."""
    city = City.objects.filter(pk=city_id).first()
    if city is None:
        return "no city"
    row = on_readings_ingested(city=city)
    return f"level {row.level}" if row is not None else "no index"


def on_ingest(*, city, properties) -> None:
    """New pollutant readings: recompute today's index in the worker, at most once a minute per city."""
    if properties & AIR_PROPERTIES and cache.add(f"air:refresh:{city.pk}", 1, REFRESH_EVERY_SECONDS):
        refresh_air_after_ingest.enqueue(city.pk)
