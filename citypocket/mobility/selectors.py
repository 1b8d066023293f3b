"""Reads of the mobility app: car parks with their live status, counting points with congestion."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, FilteredRelation, Q, QuerySet

from citypocket.cities.models import City
from citypocket.mobility import traffic
from citypocket.mobility.models import CarPark
from citypocket.mobility.rows import Prepared
from citypocket.mobility.status import LiveStatus, live_status
from citypocket.sensors.models import LatestObservation, Sensor, SensorKind

AVAILABLE = "available_spots"


@dataclass(frozen=True, slots=True)
class SensorRef:
    external_id: str
    metadata: dict

    simulated = Sensor.simulated  # the sensor's own rule, read from the same metadata


@dataclass(slots=True)
class CarParkRow:
    """What the API's list and search show of a car park, read as a row (no model instance)."""

    pk: int
    slug: str
    name: str
    sensor_id: int | None
    sensor: SensorRef | None
    capacity: int | None
    operator: str
    operator_siret: str
    structure_type: str
    disabled_places: int | None
    ev_places: int | None
    max_height_cm: int | None
    price_1h: object
    price_2h: object
    price_24h: object
    is_free: bool
    opening_hours: dict
    approximate_location: bool
    provenance: str
    park_and_ride: bool
    transit_line: str
    transit_minutes: int | None
    transit_stop_lat: float | None
    transit_stop_lon: float | None
    lat: float
    lon: float
    free_value: float | None
    free_time: datetime | None
    free_stream: int | None
    # The worker's profiles (profiles.py) at the arrival's and now's quarter-hours, when asked for.
    at_free: float | None = None
    at_weeks: int = 0
    at_through: datetime | None = None
    usual_free: float | None = None
    usual_through: datetime | None = None


@dataclass(frozen=True, slots=True)
class CarParkLive:
    car_park: CarPark | CarParkRow
    live: LiveStatus


@dataclass(frozen=True, slots=True)
class CountingPoint:
    sensor: "TrafficSensor"
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


ROW_FIELDS = (
    "pk", "slug", "name", "sensor_id", "sensor__external_id", "sensor__metadata", "capacity", "operator",
    "operator_siret", "structure_type", "disabled_places", "ev_places", "max_height_cm", "price_1h", "price_2h",
    "price_24h", "is_free", "opening_hours", "approximate_location", "provenance", "park_and_ride", "transit_line",
    "transit_minutes", "transit_stop_lat", "transit_stop_lon", "lat", "lon", "free_value", "free_time", "free_stream",
)
PROFILE_FIELDS = ("at_free", "at_weeks", "at_through", "usual_free", "usual_through")


def _live_rows(city_id: int) -> QuerySet:
    return annotate_latest(CarPark.objects.filter(city_id=city_id, is_active=True)).order_by("name")


# The car-park list: the city's active car parks with their latest reading, one query.
_LIST = Prepared("mobility.list", lambda city_id: _live_rows(city_id).values_list(*ROW_FIELDS),
                 literals=("city_id",), city_id=-7_000_001)
# The search: the car parks within the box around the destination or park-and-ride, with their latest
# reading and the worker's profiles at the arrival's and now's quarter-hours, one query.
_SEARCH = Prepared(
    "mobility.search",
    lambda city_id, south, north, west, east, at_slot, now_slot: _live_rows(city_id)
    .filter(Q(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east) | Q(park_and_ride=True))
    .annotate(
        at=FilteredRelation("free_profiles", condition=Q(free_profiles__slot=at_slot)),
        usual=FilteredRelation("free_profiles", condition=Q(free_profiles__slot=now_slot)),
        at_free=F("at__free"),
        at_weeks=F("at__weeks"),
        at_through=F("at__through"),
        usual_free=F("usual__free"),
        usual_through=F("usual__through"),
    )
    .values_list(*ROW_FIELDS, *PROFILE_FIELDS),
    literals=("city_id",),
    city_id=-7_000_002, south=-7_000_003.5, north=-7_000_004.5, west=-7_000_005.5, east=-7_000_006.5,
    at_slot=32_001, now_slot=32_002,  # within the column's range, never a slot (< 672)
)


def _row(values) -> CarParkRow:
    pk, slug, name, sensor_id, external_id, metadata, *rest = values
    sensor = SensorRef(external_id, metadata) if sensor_id is not None else None
    return CarParkRow(pk, slug, name, sensor_id, sensor, *rest)


def _live(rows: list[CarParkRow], *, city: City, now: datetime) -> list[CarParkLive]:
    return [
        CarParkLive(
            row,
            live_status(
                capacity=row.capacity,
                opening_hours=row.opening_hours,
                tz=city.timezone,
                reading_value=row.free_value,
                reading_time=row.free_time,
                now=now,
            ),
        )
        for row in rows
    ]


def list_car_parks_rows(*, city: City, now: datetime) -> list[CarParkLive]:
    """The city's active car parks by name with their live status, as rows: one query."""
    return _live([_row(values) for values in _LIST.rows(city_id=city.pk)], city=city, now=now)


def list_car_parks_digested(*, city: City, now: datetime) -> tuple[list[CarParkLive], str | None]:
    """list_car_parks_rows, and on PostgreSQL the digest of the rows read (mobility.rows), one query."""
    rows, digest = _LIST.rows_and_digest(city_id=city.pk)
    return _live([_row(values) for values in rows], city=city, now=now), digest


def car_park_list_digest(*, city: City) -> str | None:
    """The digest list_car_parks_digested would give now, without reading the rows (PostgreSQL)."""
    return _LIST.digest(city_id=city.pk)


def search_car_parks_rows(
    *, city: City, now: datetime, box: tuple[float, float, float, float], at_slot: int, now_slot: int
) -> list[CarParkLive]:
    """Active car parks in `box` (south, west, north, east) or park-and-ride, by name, with their live
    status and their profiles at the two quarter-hours of the week (None where the worker has none)."""
    south, west, north, east = box
    rows = _SEARCH.rows(city_id=city.pk, south=south, north=north, west=west, east=east,
                        at_slot=at_slot, now_slot=now_slot)
    return _live([_row(values) for values in rows], city=city, now=now)


@dataclass(slots=True)
class TrafficSensor:
    """What the traffic read shows of a counting point's sensor, read as a row."""

    pk: int
    external_id: str
    name: str
    lat: float | None
    lon: float | None
    metadata: dict
    flow_value: float | None
    flow_time: datetime | None
    occ_value: float | None
    occ_time: datetime | None

    simulated = Sensor.simulated  # the sensor's own rule, read from the same metadata


_COUNTING_POINTS = Prepared(
    "mobility.counting_points",
    lambda city_id: Sensor.objects.filter(city_id=city_id, kind=SensorKind.TRAFFIC, is_active=True)
    .annotate(
        flow=FilteredRelation("datastreams", condition=Q(datastreams__property="vehicle_flow")),
        occ=FilteredRelation("datastreams", condition=Q(datastreams__property="occupancy")),
        flow_value=F("flow__latest__value"),
        flow_time=F("flow__latest__phenomenon_time"),
        occ_value=F("occ__latest__value"),
        occ_time=F("occ__latest__phenomenon_time"),
    )
    .order_by("external_id")
    .values_list("pk", "external_id", "name", "lat", "lon", "metadata", "flow_value", "flow_time", "occ_value",
                 "occ_time"),
    literals=("city_id",), city_id=-7_000_009,
)


def list_counting_points(*, city: City, now: datetime) -> list[CountingPoint]:
    """The city's traffic counting points with their latest flow, occupancy and congestion state."""
    # One query: each sensor LEFT JOINed to its two datastreams (on their (sensor, property) unique
    # index) and to their latest values, as annotate_latest does for the car parks; read as rows.
    sensors = [TrafficSensor(*values) for values in _COUNTING_POINTS.rows(city_id=city.pk)]
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
