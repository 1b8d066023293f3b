"""A city with something in every platform dataset, and its catalog synced."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from citypocket.air.tests.factories import AirIndexDailyFactory
from citypocket.mobility.tests.factories import CarParkFactory
from citypocket.opendata.services import sync_platform_datasets
from citypocket.safety.tests.factories import FilmedZoneFactory, SafePlaceFactory
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Datastream, Observation
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.tests.factories import AirSensorFactory

HOUR = dt.timedelta(hours=1)
START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)


@dataclass
class Published:
    city: object
    station: object
    car_park: object


def observe(datastream, *, hours: int, start=START, value=10.0, received=None):
    """`hours` hourly values from `start`, through the ingest door, then dated as received when measured
    (or at `received`): the catalog's `modified` follows the rows' own write times."""
    readings = [Reading(sensor=datastream.sensor.external_id, property=datastream.property, time=start + i * HOUR,
                        value=value + i, unit=datastream.unit) for i in range(hours)]
    result = ingest_observations(city=datastream.sensor.city, batch=Parsed.from_readings(readings), source="test")
    assert result.accepted == hours, result
    for i in range(hours):
        Observation.objects.filter(datastream=datastream, phenomenon_time=start + i * HOUR).update(
            received_at=received or start + i * HOUR + dt.timedelta(minutes=5))


def publish(city, *, station_id="FR33201", lon_shift=0.0) -> Published:
    station = AirSensorFactory(city=city, external_id=station_id, name="Centre",
                               lat=city.centre_lat, lon=city.centre_lon + lon_shift)
    for prop in ("no2", "pm10"):
        observe(Datastream.objects.get(sensor=station, property=prop), hours=3)
    AirIndexDailyFactory(city=city, date=START.date(), level=2)
    car_park = CarParkFactory(city=city, live=True, name="Parking Théâtre des Arts", slug="theatre-des-arts",
                              operator="Rouen Parkings", operator_siret="12345678900017", capacity=420,
                              price_1h="2.10", max_height_cm=190, structure_type="ouvrage")
    observe(Datastream.objects.get(sensor=car_park.sensor, property="available_spots"), hours=2, value=100)
    SafePlaceFactory(city=city, name="Pharmacie du Vieux-Marché", kind="pharmacy")
    FilmedZoneFactory(city=city, name="Place du Vieux-Marché")
    sync_platform_datasets(city=city, now=timezone.now())
    return Published(city, station, car_park)


@pytest.fixture
def published(rouen) -> Published:
    return publish(rouen)
