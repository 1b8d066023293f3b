"""What the air app does when the sensor engine stores new readings, and when anything "air now" is made
of changes (both registered in `AirConfig.ready`).

The ingest listener runs in the ingest process right after the batch commits: it tells the stored
"air now" answers they are out of date and enqueues the task below; the worker recomputes the index
(and checks for an episode) through the services, then stores "air now" again (air.now). The mark is
a one-row UPDATE made after the commit, not in the batch's transaction, so that concurrent batches
never wait on each other for that row (nor deadlock over two cities' rows).
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.tasks import task

from citypocket.air.models import AirIndexDaily
from citypocket.air.services import air_now_changed, on_readings_ingested
from citypocket.cities.models import City
from citypocket.sensors.models import Datastream, LatestObservation, Sensor

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
    """New pollutant readings: "air now" is read live until the worker has stored it again, and today's
    index is recomputed in the worker, at most once a minute per city."""
    if not properties & AIR_PROPERTIES:
        return
    air_now_changed(city_id=city.pk)
    if cache.add(f"air:refresh:{city.pk}", 1, REFRESH_EVERY_SECONDS):
        refresh_air_after_ingest.enqueue(city.pk)


def _city_of(instance) -> int | None:
    """The city whose "air now" a saved or deleted row is part of."""
    if isinstance(instance, City):
        return instance.pk
    if isinstance(instance, AirIndexDaily | Sensor):
        return instance.city_id
    sensors = (Sensor.objects.filter(pk=instance.sensor_id) if isinstance(instance, Datastream)
               else Sensor.objects.filter(datastreams=instance.datastream_id))
    return sensors.values_list("city_id", flat=True).first()


def on_source_changed(sender, instance, **kwargs) -> None:
    """A row "air now" is made of was saved or deleted (in the writer's transaction): its city's stored
    answers are no longer given. Bulk writes send no signal: the readings are marked by `on_ingest`."""
    air_now_changed(city_id=_city_of(instance))


def connect_air_now_sources() -> None:
    for model in (City, Sensor, Datastream, LatestObservation, AirIndexDaily):
        post_save.connect(on_source_changed, sender=model, dispatch_uid=f"air-now-{model._meta.label}")
        post_delete.connect(on_source_changed, sender=model, dispatch_uid=f"air-now-delete-{model._meta.label}")
