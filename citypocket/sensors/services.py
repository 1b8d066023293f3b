"""Writes of the sensor registry: sensors and their datastreams, for the apps that own them.

Readings enter through `sensors.ingest.ingest_observations` (the one door); their storage is
`sensors.storage`; the ingest tokens of the HTTP endpoint are `sensors.tokens`.
"""

from django.db import transaction

from citypocket.cities.models import City
from citypocket.sensors.models import Datastream, Sensor, SensorKind


@transaction.atomic
def ensure_sensor(
    *,
    city: City,
    external_id: str,
    kind: str,
    name: str,
    lat: float | None = None,
    lon: float | None = None,
    properties: dict[str, str],
    metadata: dict | None = None,
) -> Sensor:
    """Creates or updates a sensor and one datastream per property -> unit (idempotent)."""
    if kind not in SensorKind.values:
        raise ValueError(f"unknown sensor kind {kind!r}")
    defaults: dict = {"kind": kind, "name": name, "lat": lat, "lon": lon}
    if metadata is not None:
        defaults["metadata"] = metadata
    sensor, _created = Sensor.objects.update_or_create(city=city, external_id=external_id, defaults=defaults)
    for property_name, unit in properties.items():
        Datastream.objects.update_or_create(sensor=sensor, property=property_name, defaults={"unit": unit})
    return sensor
