"""Factories of the mobility tests: car parks, optionally with their live sensor."""

import factory

from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.mobility.models import CarPark
from citypocket.sensors.tests.factories import ParkingSensorFactory


class CarParkFactory(CityOwnedFactory):
    """A car park of 400 spaces at its city's centre, without live numbers.

    `live=True` gives it a parking sensor of the same city at the same place (its free spaces are
    that sensor's `available_spots` readings: ingest some to see them).
    """

    _city_from = ("sensor",)

    class Meta:
        model = CarPark

    class Params:
        live = factory.Trait(
            sensor=factory.SubFactory(
                ParkingSensorFactory,
                city=factory.SelfAttribute("..city"),
                name=factory.SelfAttribute("..name"),
                lat=factory.SelfAttribute("..lat"),
                lon=factory.SelfAttribute("..lon"),
            )
        )

    slug = factory.Sequence(lambda n: f"parking-{n}")
    name = factory.Sequence(lambda n: f"Parking {n}")
    sensor = None
    capacity = 400
    address = factory.Sequence(lambda n: f"{n} rue de la Gare")
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
