"""Factories and helpers of the sensor tests: sensors and their datastreams, observations, dead
letters, ingest tokens, and readings as a transport would parse them.

Sensors are made by `ensure_sensor`, the service every app uses; readings that should go through
validation, storage and the ingest listeners go through `ingest_observations` (see `reading`).
"""

from datetime import UTC, datetime, timedelta

import factory
from django.utils import timezone

from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.sensors.models import (
    Datastream,
    DeadLetter,
    IngestToken,
    LatestObservation,
    Observation,
    Sensor,
    SensorKind,
)
from citypocket.sensors.readings import Reading
from citypocket.sensors.services import ensure_sensor
from citypocket.sensors.tokens import create_ingest_token

AIR_PROPERTIES = {"no2": "ug/m3", "pm10": "ug/m3", "pm25": "ug/m3", "o3": "ug/m3"}
PARKING_PROPERTIES = {"available_spots": "1", "occupancy": "1"}

# One instant for the whole test session, so that a reading built twice has the same time.
_ANCHOR = timezone.now().replace(second=0, microsecond=0)


def recent(minutes: int = 0) -> datetime:
    """A whole-minute UTC instant `minutes` before the session's anchor (negative: after it)."""
    return (_ANCHOR - timedelta(minutes=minutes)).astimezone(UTC)


class SensorFactory(CityOwnedFactory):
    """A sensor at its city's centre with one datastream per `properties` item (property -> unit)."""

    class Meta:
        model = Sensor

    external_id = factory.Sequence(lambda n: f"S-{n:05d}")
    kind = SensorKind.OTHER
    name = factory.Sequence(lambda n: f"Capteur {n}")
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
    metadata = factory.LazyFunction(dict)
    properties = factory.LazyFunction(dict)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("properties")
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        is_active = kwargs.pop("is_active", True)
        sensor = ensure_sensor(**kwargs)
        if not is_active:
            sensor.is_active = False
            sensor.save(update_fields=["is_active"])
        return sensor


class AirSensorFactory(SensorFactory):
    """An air-quality station measuring NO2, PM10, PM2.5 and O3 (an air app "station")."""

    kind = SensorKind.AIR
    external_id = factory.Sequence(lambda n: f"FR9{n:04d}")
    name = factory.Sequence(lambda n: f"Station {n}")
    properties = factory.LazyFunction(lambda: dict(AIR_PROPERTIES))


class ParkingSensorFactory(SensorFactory):
    """The sensor of a car park: free spaces and occupancy."""

    kind = SensorKind.PARKING
    external_id = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"Parking {n}")
    properties = factory.LazyFunction(lambda: dict(PARKING_PROPERTIES))


class DatastreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Datastream

    sensor = factory.SubFactory(SensorFactory)
    property = factory.Sequence(lambda n: f"property_{n}")
    unit = "1"


class ObservationFactory(factory.django.DjangoModelFactory):
    """One stored value, written straight to the table: no validation, no latest value, no listener.

    For a reading that should behave as one received, ingest it (`reading` and `ingest_observations`).
    """

    class Meta:
        model = Observation

    datastream = factory.SubFactory(DatastreamFactory)
    phenomenon_time = factory.Sequence(lambda n: recent(n))
    value = 1.0
    received_at = factory.LazyFunction(timezone.now)


class LatestObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LatestObservation

    datastream = factory.SubFactory(DatastreamFactory)
    phenomenon_time = factory.LazyFunction(recent)
    value = 1.0
    received_at = factory.LazyFunction(timezone.now)


class DeadLetterFactory(CityOwnedFactory):
    """A dead letter as the ingest door keeps one, for tests of what reads them (the admin)."""

    class Meta:
        model = DeadLetter

    source = "test"
    payload = "{}"
    reason = "refused"
    received_at = factory.LazyFunction(timezone.now)


class IngestTokenFactory(CityOwnedFactory):
    """A token made by `create_ingest_token`; the clear token is on `.secret` (it is stored hashed)."""

    class Meta:
        model = IngestToken

    name = factory.Sequence(lambda n: f"gateway {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row, secret = create_ingest_token(city=kwargs["city"], name=kwargs["name"])
        row.secret = secret
        return row


def air_sensor(city, external_id="FR25036", **kwargs) -> Sensor:
    """The Rouen Centre station that `reading()` speaks for (FR25036), at its real place."""
    kwargs = {"name": "Rouen Centre", "lat": 49.44, "lon": 1.09, **kwargs}
    return AirSensorFactory(city=city, external_id=external_id, **kwargs)


def parking_sensor(city, external_id="P-VIEUX-MARCHE", **kwargs) -> Sensor:
    """The Vieux-Marché car park's sensor, at its real place."""
    kwargs = {"name": "Parking du Vieux-Marché", "lat": 49.443, "lon": 1.088, **kwargs}
    return ParkingSensorFactory(city=city, external_id=external_id, **kwargs)


def reading(sensor="FR25036", prop="no2", minutes=10, value=41.2, unit="ug/m3") -> Reading:
    return Reading(sensor=sensor, property=prop, time=recent(minutes), value=value, unit=unit)


def dead_letter(*, city, source: str = "test", payload: str = "{}", reason: str = "refused") -> DeadLetter:
    return DeadLetterFactory(city=city, source=source, payload=payload, reason=reason)
