"""Reads of the air app: a city's "air now", its stations with their latest values, and history.

Nothing here writes: pages and the API only read what the worker stored. The stored daily values
are brought up to date by `services.refresh_air_now`, which the worker runs after new readings
(`listeners.py`) and every few minutes from the clock (`tasks.py`), so that a GET never takes a
write lock.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from citypocket.air import indices
from citypocket.air.models import AirIndexDaily, AirNowAnswer, AirNowState, Source
from citypocket.cities.models import City
from citypocket.core.prepared import columns, date_literal, int_literal, model_reader, prepared, written
from citypocket.sensors.models import Datastream, LatestObservation, Sensor, SensorKind
from citypocket.sensors.selectors import get_sensor, list_observations, moment_from_db

STALE_AFTER = timedelta(hours=3)
# The EAQI is hourly: a station's current EAQI uses the values measured within the hour before
# its most recent measurement.
EAQI_WINDOW = timedelta(hours=1)
HOUR = timedelta(hours=1)


def hours_elapsed(*, start: datetime, now: datetime) -> int:
    """Hours begun since `start` (at least one): the hourly values a day in progress can have."""
    return max(1, math.ceil((now - start) / HOUR))


def hourly_means(observations: Iterable) -> list[tuple[datetime, float]]:
    """Observations folded into hourly means (by the hour that starts at or before each time)."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for observation in observations:
        moment = observation.phenomenon_time.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        buckets[moment].append(observation.value)
    return [(moment, sum(values) / len(values)) for moment, values in sorted(buckets.items())]


@dataclass(frozen=True)
class Measurement:
    value: float
    time: datetime


@dataclass
class StationNow:
    """One station: its latest pollutant values, its current EAQI, today's ATMO, and its freshness."""

    sensor: Sensor
    latest: dict[str, Measurement] = field(default_factory=dict)
    measured_at: datetime | None = None
    eaqi: indices.IndexResult | None = None
    atmo_today: AirIndexDaily | None = None
    stale: bool = True

    @property
    def code(self) -> str:
        return self.sensor.external_id


@dataclass
class AirNow:
    city: City
    date: date
    computed: AirIndexDaily
    official: AirIndexDaily | None
    official_tomorrow: AirIndexDaily | None
    stations: list[StationNow]
    stored: list[AirIndexDaily] = field(default_factory=list)

    def freshness(self) -> tuple:
        """Everything the answer is made of, as plain values: equal tuples give equal answers (in one
        language), so that an ETag made from it is known before the answer is built."""
        indices_read = tuple(
            (row.pk, row.station_id, row.date, row.scale, row.version, row.level, repr(row.sub_indices),
             repr(row.dominant), row.source, row.forecast, row.provisional, row.zone_code, row.zone_name,
             row.data_until)
            for row in self.stored
        )
        stations = tuple(
            (item.sensor.pk, item.code, item.sensor.name, item.sensor.lat, item.sensor.lon, item.sensor.simulated,
             item.stale, tuple((name, value.value, value.time) for name, value in sorted(item.latest.items())))
            for item in self.stations
        )
        return self.city.slug, self.city.name, tuple(self.city.insee_codes or ()), self.date, indices_read, stations

    def valid_until(self) -> datetime:
        """Until when this answer stays true if nothing new is stored: the first fresh station's turn to
        be stale (its latest value `STALE_AFTER` old), or the end of the local day, whichever comes first."""
        moments = [item.measured_at + STALE_AFTER for item in self.stations if not item.stale]
        return min([self.city.day_bounds(self.date)[1], *moments])


def get_stored_air_now(*, city: City, language: str, now: datetime) -> tuple[str, bytes] | None:
    """The ETag and body of "air now" in `language` as the worker stored them (`services.store_air_now`),
    if they are current at `now`: built at the city's present generation, at or before `now` and not past
    their validity.
    One query on two small tables; None sends the caller to the live read (air.now)."""
    answer, state = AirNowAnswer._meta.db_table, AirNowState._meta.db_table
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.etag, a.body FROM {answer} a JOIN {state} s ON s.city_id = a.city_id "  # noqa: S608
            f"AND s.generation = a.generation WHERE a.city_id = {int_literal(city.pk)} AND a.language = %s "
            "AND a.built_at <= %s AND a.valid_until > %s",
            [language, *[connection.ops.adapt_datetimefield_value(now)] * 2],
        )
        row = cursor.fetchone()
    return (row[0], bytes(row[1])) if row is not None else None


def list_air_stations(*, city: City) -> QuerySet[Sensor]:
    """The city's active air-quality stations."""
    return Sensor.objects.filter(city=city, kind="air", is_active=True).order_by("name", "external_id")


def compute_station_eaqi(latest: dict[str, Measurement], measured_at: datetime | None) -> indices.IndexResult:
    """The EAQI of the latest hour: pollutants measured within an hour of the station's latest value."""
    if measured_at is None:
        return indices.unavailable(indices.EAQI)
    recent = {
        pollutant: item.value for pollutant, item in latest.items() if measured_at - item.time < EAQI_WINDOW
    }
    return indices.compute_index(indices.EAQI, recent) if recent else indices.unavailable(indices.EAQI)


def _stations_with_latest(city: City) -> dict[int, StationNow]:
    """The city's active air stations with their latest pollutant values: one query (stations left-joined
    to their pollutants' latest values), read as rows: one Sensor per station, none per value."""
    sensor, stream, latest = (model._meta.db_table for model in (Sensor, Datastream, LatestObservation))
    # The pollutants and the kind are written in (core.prepared, constant_literal): as parameters,
    # PostgreSQL planned this statement again at every run.
    wanted = ", ".join(map(written, indices.POLLUTANTS))
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(Sensor, 's')}, d.property, l.value, l.phenomenon_time "  # noqa: S608 (model tables)
            f"FROM {sensor} s LEFT JOIN {stream} d ON d.sensor_id = s.id AND d.property IN ({wanted}) "
            f"LEFT JOIN {latest} l ON l.datastream_id = d.id "
            f"WHERE s.city_id = {int_literal(city.pk)} AND s.kind = {written(SensorKind.AIR)} AND s.is_active "
            "ORDER BY s.name, s.external_id, d.property",
            [],
        )
        rows = cursor.fetchall()
    station = model_reader(Sensor)
    stations: dict[int, StationNow] = {}
    for row in rows:
        item = stations.get(row[station.pk_index])
        if item is None:
            item = stations[row[station.pk_index]] = StationNow(sensor=station(row))
        pollutant, value, time = row[-3:]
        if time is not None:
            item.latest[pollutant] = Measurement(value=value, time=moment_from_db(time))
    return stations


def list_stations_now(
    *, city: City, now: datetime | None = None, day: date | None = None, stored: list[AirIndexDaily] | None = None
) -> list[StationNow]:
    """Every air station of the city with its latest values, EAQI, today's ATMO value and staleness.

    Two queries whatever the number of stations: the stations with their latest values (rows, not
    objects) and the day's stored station indices (none when the caller already read them: `stored`).
    """
    now = now or timezone.now()
    day = day or city.local_today(now)
    stations = _stations_with_latest(city)
    if stored is None:
        stored = list(AirIndexDaily.objects.filter(
            city=city, station__isnull=False, date=day, scale=indices.ATMO, source=Source.COMPUTED
        ))
    atmo = {
        row.station_id: row
        for row in stored
        if row.station_id and row.date == day and row.scale == indices.ATMO and row.source == Source.COMPUTED
    }
    for item in stations.values():
        times = [measurement.time for measurement in item.latest.values()]
        item.measured_at = max(times) if times else None
        item.stale = item.measured_at is None or now - item.measured_at > STALE_AFTER
        item.eaqi = compute_station_eaqi(item.latest, item.measured_at)
        item.atmo_today = atmo.get(item.sensor.pk)
        if item.atmo_today is not None:
            item.atmo_today.station = item.sensor  # already read: no query per station for its code
    return list(stations.values())


def pick_official(rows: Iterable[AirIndexDaily], *, city: City, day: date) -> AirIndexDaily | None:
    """Among stored rows, the official ATMO index of `day` for the city's main commune (else the
    first zone by code), if any."""
    rows = sorted(
        (row for row in rows if row.station_id is None and row.date == day and row.scale == indices.ATMO
         and row.source == Source.OFFICIAL),
        key=lambda row: row.zone_code,
    )
    codes = list(city.insee_codes or [])
    main = next((row for row in rows if row.zone_code == codes[0]), None) if codes else None
    return main or (rows[0] if rows else None)


def get_official(*, city: City, day: date, forecast: bool | None = None) -> AirIndexDaily | None:
    """The official ATMO index published for the city's main commune on `day`, if any."""
    rows = AirIndexDaily.objects.filter(
        city=city, station__isnull=True, date=day, scale=indices.ATMO, source=Source.OFFICIAL
    )
    return pick_official(rows, city=city, day=day)


def pick_city_day(rows: Iterable[AirIndexDaily], *, city: City, day: date) -> AirIndexDaily:
    """Among stored rows, the city-wide computed index of `day`, or an unsaved "unavailable" one (level 0).

    Level 0 is what the index says when it has too little data: the honest answer until the worker
    has computed the day (just after midnight, or before the first readings).
    """
    for row in rows:
        if (row.station_id is None and row.date == day and row.scale == indices.ATMO
                and row.source == Source.COMPUTED and row.zone_code == ""):
            return row
    return AirIndexDaily(
        city=city, date=day, scale=indices.ATMO, version="", level=0, source=Source.COMPUTED,
        provisional=True, zone_name=city.name, computed_at=None,
    )


def get_city_day(*, city: City, day: date) -> AirIndexDaily:
    """The city-wide computed index the worker stored for `day` (see `pick_city_day`)."""
    rows = AirIndexDaily.objects.filter(
        city=city, station__isnull=True, date=day, scale=indices.ATMO, source=Source.COMPUTED, zone_code=""
    )[:1]
    return pick_city_day(rows, city=city, day=day)


def get_air_now(*, city: City, now: datetime | None = None) -> AirNow:
    """The city's air today (in its time zone): the stored computed value, the official ones of the
    day and the next, and the stations.

    Two queries, in plain SQL (a hot read: no query to compile): the ATMO rows the worker stored for
    today and tomorrow (city-wide, official and per station, read once and sorted out here), then the
    stations with their latest values.
    """
    today = city.local_today(now or timezone.now())
    tomorrow = today + timedelta(days=1)
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(AirIndexDaily, 'a')} FROM {AirIndexDaily._meta.db_table} a "  # noqa: S608
            f"WHERE a.city_id = {int_literal(city.pk)} AND a.date IN ({date_literal(today)}, {date_literal(tomorrow)}) "
            f"AND a.scale = {written(indices.ATMO)} ORDER BY a.date DESC, a.station_id, a.id",
        )
        stored = list(map(model_reader(AirIndexDaily), cursor.fetchall()))
    return AirNow(
        city=city,
        date=today,
        computed=pick_city_day(stored, city=city, day=today),
        official=pick_official(stored, city=city, day=today),
        official_tomorrow=pick_official(stored, city=city, day=tomorrow),
        stations=list_stations_now(city=city, now=now, day=today, stored=stored),
        stored=stored,
    )


@dataclass(frozen=True)
class DailyPoint:
    """One day of one pollutant at one station: the ATMO statistic (max or mean) and its class."""

    day: date
    value: float | None
    hours: int
    level: int


def list_daily_series(
    *, city: City, station_code: str, pollutant: str, days: int = 7, now: datetime | None = None
) -> list[DailyPoint]:
    """The last `days` local days (today included) of a station's pollutant, as the ATMO index sees them."""
    now = now or timezone.now()
    sensor = get_sensor(city=city, external_id=station_code)
    datastream = next((d for d in sensor.datastreams.all() if d.property == pollutant), None)
    today = city.local_today(now)
    first = today - timedelta(days=days - 1)
    points = []
    if datastream is None:
        return [DailyPoint(day=first + timedelta(days=i), value=None, hours=0, level=0) for i in range(days)]
    start, _ = city.day_bounds(first)
    _, end = city.day_bounds(today)
    hourly = hourly_means(list_observations(datastream=datastream, start=start, end=end))
    for offset in range(days):
        day = first + timedelta(days=offset)
        day_start, day_end = city.day_bounds(day)
        values = [value for moment, value in hourly if day_start <= moment < day_end]
        elapsed = hours_elapsed(start=day_start, now=now) if day == today else None
        stats = indices.atmo_daily_concentrations({pollutant: values}, hours_elapsed=elapsed)
        value = stats.get(pollutant)
        level = indices.sub_index(indices.ATMO, pollutant, value) if value is not None else 0
        points.append(DailyPoint(day=day, value=round(value, 1) if value is not None else None,
                                 hours=len(values), level=level))
    return points


def list_daily_indices(*, city: City, start: date, end: date, station: Sensor | None = None) -> QuerySet[AirIndexDaily]:
    """Stored daily indices of the city in [start, end), city-wide and per station, official included."""
    queryset = AirIndexDaily.objects.filter(city=city, date__gte=start, date__lt=end).select_related("station")
    if station is not None:
        queryset = queryset.filter(station=station)
    return queryset.order_by("date", "source", "station__external_id", "zone_code")


def city_has_simulated_stations(*, city) -> bool:
    """Whether any of the city's air stations gives simulated demo values (the index computed from
    them is then simulated too, and says so wherever it is shown)."""
    return any(sensor.simulated for sensor in Sensor.objects.filter(city=city, kind="air").only("metadata"))
