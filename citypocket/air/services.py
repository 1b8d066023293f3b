"""Writes of the air app: demo stations, and the daily indices computed from the sensor engine.

Freshness choice: the sensor engine knows nothing of the air app, so indices are *computed on
read and stored*: `refresh_city_day` recomputes a station's row only when the station has a
measurement newer than the one the stored row used (`data_until`), which one query on the latest
values tells; otherwise the stored row is served. `on_readings_ingested` is the same refresh for a
caller that knows readings have just arrived (the ingest pipeline or a task can call it).
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from citypocket.air import indices
from citypocket.air.models import AirIndexDaily, Source
from citypocket.cities.models import City
from citypocket.sensors.models import Observation, Sensor
from citypocket.sensors.selectors import list_latest, list_observations

HOUR = timedelta(hours=1)


def day_bounds(*, city: City, day: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a local calendar day in the city's time zone."""
    zone = ZoneInfo(city.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_today(*, city: City, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(city.timezone)).date()


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


def station_hourly(*, station: Sensor, start: datetime, end: datetime) -> dict[str, list[tuple[datetime, float]]]:
    """Hourly means of each pollutant the station measures, over [start, end)."""
    series = {}
    for datastream in station.datastreams.all():
        if datastream.property in indices.POLLUTANTS:
            series[datastream.property] = hourly_means(
                list_observations(datastream=datastream, start=start, end=end)
            )
    return series


def _latest_times(*, city: City) -> dict[int, datetime]:
    """Per air station id, the time of its most recent measurement of any pollutant."""
    latest: dict[int, datetime] = {}
    for row in list_latest(city=city, kind="air"):
        if row.datastream.property not in indices.POLLUTANTS:
            continue
        sensor_id = row.datastream.sensor_id
        if sensor_id not in latest or row.phenomenon_time > latest[sensor_id]:
            latest[sensor_id] = row.phenomenon_time
    return latest


@transaction.atomic
def compute_station_day(*, station: Sensor, day: date, now: datetime | None = None) -> AirIndexDaily:
    """Computes and stores the ATMO index of one station for one local day (see indices for the rules)."""
    now = now or timezone.now()
    city = station.city
    start, end = day_bounds(city=city, day=day)
    hourly = station_hourly(station=station, start=start, end=min(end, now + HOUR))
    in_progress = start <= now < end
    elapsed = hours_elapsed(start=start, now=now) if in_progress else None
    result = indices.compute_atmo_daily(hourly, hours_elapsed=elapsed)
    last = (
        Observation.objects.filter(datastream__sensor=station, phenomenon_time__gte=start, phenomenon_time__lt=end)
        .order_by("-phenomenon_time").values_list("phenomenon_time", flat=True).first()
    )
    row, _created = AirIndexDaily.objects.update_or_create(
        station=station,
        date=day,
        scale=indices.ATMO,
        source=Source.COMPUTED,
        defaults={
            "city": city,
            "version": result.version,
            "level": result.level,
            "sub_indices": result.sub_indices,
            "dominant": result.dominant,
            "forecast": False,
            "provisional": in_progress,
            "data_until": last,
            "computed_at": now,
        },
    )
    return row


@transaction.atomic
def compute_city_day(*, city: City, day: date, now: datetime | None = None) -> AirIndexDaily:
    """Stores the city-wide ATMO value of a day: the worst of its stations' stored values.

    The worst station is the rule because an index tells people what they may breathe somewhere
    in their city; an average would hide a traffic-site peak.
    """
    now = now or timezone.now()
    rows = list(
        AirIndexDaily.objects.filter(
            city=city, station__isnull=False, station__is_active=True, date=day,
            scale=indices.ATMO, source=Source.COMPUTED,
        )
    )
    results = [
        indices.IndexResult(scale=indices.ATMO, version=row.version, level=row.level,
                            sub_indices=row.sub_indices, dominant=row.dominant)
        for row in rows
    ]
    result = indices.worst(results, indices.ATMO)
    data_until = [row.data_until for row in rows if row.data_until]
    row, _created = AirIndexDaily.objects.update_or_create(
        city=city,
        station=None,
        date=day,
        scale=indices.ATMO,
        source=Source.COMPUTED,
        zone_code="",
        defaults={
            "version": result.version,
            "level": result.level,
            "sub_indices": result.sub_indices,
            "dominant": result.dominant,
            "forecast": False,
            "provisional": any(row.provisional for row in rows),
            "zone_name": city.name,
            "data_until": max(data_until) if data_until else None,
            "computed_at": now,
        },
    )
    return row


def refresh_city_day(
    *, city: City, day: date | None = None, now: datetime | None = None, force: bool = False
) -> AirIndexDaily:
    """Brings the stored station and city values of a day up to date; recomputes only what changed."""
    now = now or timezone.now()
    day = day or local_today(city=city, now=now)
    start, end = day_bounds(city=city, day=day)
    latest = _latest_times(city=city)
    stations = Sensor.objects.filter(city=city, kind="air", is_active=True).prefetch_related("datastreams")
    stored = {
        row.station_id: row
        for row in AirIndexDaily.objects.filter(
            city=city, station__isnull=False, date=day, scale=indices.ATMO, source=Source.COMPUTED
        )
    }
    changed = False
    for station in stations:
        row = stored.get(station.pk)
        newest = latest.get(station.pk)
        newest_in_day = newest if newest and start <= newest < end else None
        up_to_date = (
            not force
            and row is not None
            and (newest_in_day is None or (row.data_until is not None and row.data_until >= newest_in_day))
            and not (row.provisional and now >= end)
        )
        if not up_to_date:
            compute_station_day(station=station, day=day, now=now)
            changed = True
    city_row = AirIndexDaily.objects.filter(
        city=city, station__isnull=True, date=day, scale=indices.ATMO, source=Source.COMPUTED, zone_code=""
    ).first()
    if changed or city_row is None:
        city_row = compute_city_day(city=city, day=day, now=now)
        if city_row.level >= 4:
            from citypocket.air.alerts import check_episodes

            check_episodes(city=city, now=now)
    return city_row


def on_readings_ingested(*, city: City, now: datetime | None = None) -> AirIndexDaily:
    """Hook for the ingest side: recompute today's indices of `city` after new readings."""
    return refresh_city_day(city=city, now=now, force=True)
