"""Reads of the mobility app: car parks with their live status, counting points with congestion."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, FilteredRelation, Q, QuerySet

from citypocket.cities.models import City
from citypocket.mobility import traffic
from citypocket.mobility.models import CarPark
from citypocket.mobility.status import LiveStatus, live_status
from citypocket.sensors.models import LatestObservation, Sensor, SensorKind

AVAILABLE = "available_spots"


@dataclass(frozen=True, slots=True)
class CarParkLive:
    car_park: CarPark
    live: LiveStatus


@dataclass(frozen=True, slots=True)
class CountingPoint:
    sensor: Sensor
    vehicle_flow: float | None
    occupancy: float | None
    observed_at: datetime | None
    stale: bool
    state: str


def list_car_parks(*, city: City) -> QuerySet[CarPark]:
    return CarPark.objects.filter(city=city, is_active=True).select_related("sensor").order_by("name")


def annotate_latest(queryset: QuerySet[CarPark]) -> QuerySet[CarPark]:
    """Adds the latest available_spots reading (`free_value`, `free_time`, `free_stream`) to each car park.

    Two LEFT JOINs (the sensor's `available_spots` datastream on its (sensor, property) unique index,
    then its LatestObservation by primary key): one query for any number of car parks, whatever
    the size of the other cities' data.
    """
    return queryset.annotate(
        free=FilteredRelation("sensor__datastreams", condition=Q(sensor__datastreams__property=AVAILABLE)),
        free_value=F("free__latest__value"),
        free_time=F("free__latest__phenomenon_time"),
        free_stream=F("free__id"),
    )


def latest_available(*, sensor_ids: list[int]) -> dict[int, tuple[float, datetime, int]]:
    """sensor id -> (free spaces, time, datastream id) of the latest available_spots readings."""
    if not sensor_ids:
        return {}
    rows = LatestObservation.objects.filter(
        datastream__sensor_id__in=sensor_ids, datastream__property=AVAILABLE
    ).values_list("datastream__sensor_id", "value", "phenomenon_time", "datastream_id")
    return {sensor_id: (value, moment, stream) for sensor_id, value, moment, stream in rows}


def with_live(*, city: City, car_parks, now: datetime) -> list[CarParkLive]:
    """Each car park with its live status at `now`; `car_parks` is a queryset (annotated here) or a list."""
    car_parks = list(annotate_latest(car_parks)) if isinstance(car_parks, QuerySet) else list(car_parks)
    missing = [c.sensor_id for c in car_parks if c.sensor_id and not hasattr(c, "free_time")]
    latest = latest_available(sensor_ids=missing)
    result = []
    for car_park in car_parks:
        if hasattr(car_park, "free_time"):
            value, moment = car_park.free_value, car_park.free_time
        else:
            value, moment, stream = latest.get(car_park.sensor_id, (None, None, None))
            car_park.free_value, car_park.free_time, car_park.free_stream = value, moment, stream
        result.append(
            CarParkLive(
                car_park,
                live_status(
                    capacity=car_park.capacity,
                    opening_hours=car_park.opening_hours,
                    tz=city.timezone,
                    reading_value=value,
                    reading_time=moment,
                    now=now,
                ),
            )
        )
    return result


def list_car_parks_live(*, city: City, now: datetime) -> list[CarParkLive]:
    return with_live(city=city, car_parks=list_car_parks(city=city), now=now)


def list_counting_points(*, city: City, now: datetime) -> list[CountingPoint]:
    """The city's traffic counting points with their latest flow, occupancy and congestion state."""
    # One query: each sensor LEFT JOINed to its two datastreams (on their (sensor, property) unique
    # index) and to their latest values, as annotate_latest does for the car parks.
    sensors = list(
        Sensor.objects.filter(city=city, kind=SensorKind.TRAFFIC, is_active=True)
        .annotate(
            flow=FilteredRelation("datastreams", condition=Q(datastreams__property="vehicle_flow")),
            occ=FilteredRelation("datastreams", condition=Q(datastreams__property="occupancy")),
            flow_value=F("flow__latest__value"),
            flow_time=F("flow__latest__phenomenon_time"),
            occ_value=F("occ__latest__value"),
            occ_time=F("occ__latest__phenomenon_time"),
        )
        .order_by("external_id")
    )
    latest: dict[int, dict[str, tuple[float, datetime]]] = {}
    for sensor in sensors:
        values = latest.setdefault(sensor.pk, {})
        if sensor.flow_time is not None:
            values["vehicle_flow"] = (sensor.flow_value, sensor.flow_time)
        if sensor.occ_time is not None:
            values["occupancy"] = (sensor.occ_value, sensor.occ_time)
    stale_after = timedelta(minutes=settings.MOBILITY_TRAFFIC_STALE_MINUTES)
    points = []
    for sensor in sensors:
        values = latest.get(sensor.pk, {})
        times = [moment for _value, moment in values.values()]
        observed_at = max(times) if times else None
        stale = observed_at is None or now - observed_at > stale_after
        flow = values.get("vehicle_flow", (None, None))[0]
        occupancy = values.get("occupancy", (None, None))[0]
        occupancy_time = values.get("occupancy", (None, None))[1]
        fresh_occupancy = occupancy if occupancy_time and now - occupancy_time <= stale_after else None
        points.append(
            CountingPoint(
                sensor=sensor,
                vehicle_flow=None if stale else flow,
                occupancy=fresh_occupancy,
                observed_at=observed_at,
                stale=stale,
                state=traffic.congestion(fresh_occupancy),
            )
        )
    return points
