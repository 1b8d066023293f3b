"""Factories of the air tests: daily indices and alerts (subscriptions: notifications.tests.factories).

A station is a sensor of kind "air": `sensors.tests.factories.AirSensorFactory`.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from citypocket.air import indices
from citypocket.air.models import AirAlert, AirIndexDaily, Scale, Source
from citypocket.air.schedule import refresh_air_indices
from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.sensors.tests.factories import AirSensorFactory


class AirIndexDailyFactory(CityOwnedFactory):
    """A computed ATMO index of a past local day (one day further back at each call), city-wide.

    `for_station=True` gives the index of a station of the same city instead.
    """

    _city_from = ("station",)

    class Meta:
        model = AirIndexDaily

    class Params:
        for_station = factory.Trait(station=factory.SubFactory(AirSensorFactory, city=factory.SelfAttribute("..city")))

    station = None
    date = factory.LazyAttributeSequence(lambda o, n: o.city.local_today() - timedelta(days=n + 1))
    scale = Scale.ATMO_2021
    version = factory.LazyAttribute(lambda o: indices.get_scale(o.scale).version)
    level = 2
    sub_indices = factory.LazyFunction(lambda: {"no2": 2, "pm10": 1})
    dominant = factory.LazyFunction(lambda: ["no2"])
    source = Source.COMPUTED
    computed_at = factory.LazyFunction(timezone.now)


class AirAlertFactory(CityOwnedFactory):
    """A pollution episode (Mauvais) of one local day, one day further back at each call."""

    class Meta:
        model = AirAlert

    date = factory.LazyAttributeSequence(lambda o, n: o.city.local_today() - timedelta(days=n))
    level = 4
    source = Source.COMPUTED


def run_air_worker() -> dict:
    """What the worker runs every few minutes (air/schedule.py): today's stored indices of every city.

    Pages and the API only read what it stored, so a test that ingests readings runs it before reading.
    """
    return refresh_air_indices.call()
