"""Reads of the sensor engine. Every read takes the city explicitly."""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils.dateparse import parse_datetime

from citypocket.cities.models import City
from citypocket.core.prepared import columns, int_literal, model_reader, prepared, written
from citypocket.core.problems import NotFound
from citypocket.sensors.models import Datastream, IngestToken, LatestObservation, Observation, Sensor, SensorKind


def list_latest(*, city: City, kind: str | None = None, property: str | None = None) -> QuerySet[LatestObservation]:
    """The latest value of every datastream of the city's active sensors (no history scan)."""
    queryset = LatestObservation.objects.filter(
        datastream__sensor__city=city, datastream__sensor__is_active=True
    ).select_related("datastream__sensor")
    if kind:
        queryset = queryset.filter(datastream__sensor__kind=kind)
    if property:
        queryset = queryset.filter(datastream__property=property)
    return queryset.order_by("datastream__sensor__external_id", "datastream__property")


def list_observations(*, datastream: Datastream, start: datetime, end: datetime) -> QuerySet[Observation]:
    """Observations of `datastream` in the half-open interval [start, end), oldest first."""
    return Observation.objects.filter(
        datastream=datastream, phenomenon_time__gte=start, phenomenon_time__lt=end
    ).order_by("phenomenon_time")


def get_sensor(*, city: City, external_id: str) -> Sensor:
    """The city's sensor with this external id, or NotFound."""
    sensor = Sensor.objects.filter(city=city, external_id=external_id).select_related("city").first()
    if sensor is None:
        raise NotFound("No sensor with this id in this city.")
    return sensor


def get_sensor_datastream(*, city: City, external_id: str, property: str) -> Datastream:
    """The datastream `property` of the city's sensor `external_id`, with its sensor, in one plain query
    (a hot read: nothing to compile); NotFound when there is no such sensor, or it does not observe that."""
    sensor, stream = Sensor._meta.db_table, Datastream._meta.db_table
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(Sensor, 's')}, d.id, d.unit "  # noqa: S608 (model tables)
            f"FROM {sensor} s LEFT JOIN {stream} d ON d.sensor_id = s.id AND d.property = %s "
            f"WHERE s.city_id = {int_literal(city.pk)} AND s.external_id = %s ORDER BY s.id LIMIT 1",
            [property, external_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("No sensor with this id in this city.")
    stream_id, stream_unit = row[-2:]
    if stream_id is None:
        raise NotFound("This sensor does not observe this property.")
    found = model_reader(Sensor)(row)
    found.city = city
    return Datastream(id=stream_id, sensor=found, property=property, unit=stream_unit)


def moment_from_db(value) -> datetime:
    """A timestamp read by plain SQL as an aware datetime (PostgreSQL gives one; SQLite UTC text)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def get_datastream(*, sensor: Sensor, property: str) -> Datastream:
    datastream = Datastream.objects.filter(sensor=sensor, property=property).select_related("sensor").first()
    if datastream is None:
        raise NotFound("This sensor does not observe this property.")
    return datastream


def list_sensors(*, city: City, kind: str | None = None) -> QuerySet[Sensor]:
    """The city's active sensors with their datastreams and latest values prefetched."""
    queryset = Sensor.objects.filter(city=city, is_active=True).prefetch_related(
        Prefetch("datastreams", queryset=Datastream.objects.select_related("latest").order_by("property"))
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("external_id")


def list_sensors_latest(*, city: City, kind: str | None = None) -> list[tuple[Sensor, list[tuple]]]:
    """The city's active sensors (by external id), each with the (property, unit, value, time) of its
    datastreams' latest values (by property): one plain query, the sensors left-joined to their latest
    values, no object per value (a hot read)."""
    sensor, stream, latest = (model._meta.db_table for model in (Sensor, Datastream, LatestObservation))
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(Sensor, 's')}, d.property, d.unit, l.value, l.phenomenon_time "  # noqa: S608
            f"FROM {sensor} s LEFT JOIN {stream} d ON d.sensor_id = s.id "
            f"LEFT JOIN {latest} l ON l.datastream_id = d.id "
            f"WHERE s.city_id = {int_literal(city.pk)} AND s.is_active "
            + (f"AND s.kind = {written(SensorKind(kind))} " if kind else "")
            + "ORDER BY s.external_id, s.id, d.property",
        )
        rows = cursor.fetchall()
    make = model_reader(Sensor)
    sensors: dict[int, tuple[Sensor, list[tuple]]] = {}
    for row in rows:
        found = sensors.get(row[make.pk_index])
        if found is None:
            found = sensors[row[make.pk_index]] = (make(row), [])
        prop, unit, value, time = row[-4:]
        if time is not None:
            found[1].append((prop, unit, value, moment_from_db(time)))
    return list(sensors.values())


def list_all_active_sensors() -> QuerySet[Sensor]:
    """Every active sensor of every active city, with datastreams (for the simulator)."""
    return (
        Sensor.objects.filter(is_active=True, city__is_active=True)
        .select_related("city")
        .prefetch_related("datastreams")
        .order_by("city_id", "external_id")
    )


def find_token(*, token_hash: str) -> IngestToken | None:
    """The active ingest token with this hash, with its city, or None."""
    return (
        IngestToken.objects.filter(token_hash=token_hash, revoked_at__isnull=True, city__is_active=True)
        .select_related("city")
        .first()
    )
