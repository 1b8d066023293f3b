"""Writes of the mobility app: car parks and their sensors."""

from django.db import transaction

from citypocket.cities.models import City
from citypocket.mobility.models import CarPark
from citypocket.mobility.status import validate_opening_hours
from citypocket.sensors.services import ensure_sensor

PARKING_PROPERTIES = {"available_spots": "1"}
TRAFFIC_PROPERTIES = {"vehicle_flow": "veh/h", "occupancy": "1"}


@transaction.atomic
def ensure_car_park(*, city: City, slug: str, name: str, external_id: str, lat: float, lon: float,
                    simulated: bool = False, **fields) -> CarPark:
    """Creates or updates a car park and its `parking` sensor (available_spots, unit "1"); idempotent.

    `simulated`: the sensor's readings are demo data (flagged in its metadata and on every output)."""
    validate_opening_hours(fields.get("opening_hours") or {})
    sensor = ensure_sensor(
        city=city,
        external_id=external_id,
        kind="parking",
        name=name,
        lat=lat,
        lon=lon,
        properties=PARKING_PROPERTIES,
        metadata={"capacity": fields.get("capacity"), "car_park": slug, **({"simulated": True} if simulated else {})},
    )
    car_park, _created = CarPark.objects.update_or_create(
        city=city, slug=slug, defaults={"name": name, "lat": lat, "lon": lon, "sensor": sensor, **fields}
    )
    return car_park


def ensure_counting_point(
    *, city: City, external_id: str, name: str, lat: float, lon: float, road: str, approximate: bool = True,
    simulated: bool = False,
):
    """Creates or updates a traffic counting point (TrafficFlowObserved: vehicle_flow, occupancy)."""
    return ensure_sensor(
        city=city,
        external_id=external_id,
        kind="traffic",
        name=name,
        lat=lat,
        lon=lon,
        properties=TRAFFIC_PROPERTIES,
        metadata={"road": road, "approximate_location": approximate, "site_type": "traffic",
                  **({"simulated": True} if simulated else {})},
    )
