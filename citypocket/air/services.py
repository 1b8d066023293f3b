"""Writes of the air app: the daily indices computed from the sensor engine, stored per station and city.

Freshness: the worker keeps the stored values current, and pages and the API only read them (see
`selectors`). `refresh_city_day` recomputes a station's row only when the station has a measurement
newer than the one the stored row used (`data_until`), which one query on the latest values tells.
`on_readings_ingested` is the forced refresh the ingest listener's task runs (`listeners.py`);
`refresh_air_now`, run by the clock every few minutes (`tasks.py`), starts each new local day and
completes the previous one. A city value at an episode level is handed to `episodes`.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citypocket.air import indices
from citypocket.air import now as air_now
from citypocket.air.episodes import EPISODE_LEVEL, check_episodes
from citypocket.air.models import AirIndexDaily, AirNowAnswer, AirNowState, Source
from citypocket.air.selectors import HOUR, get_air_now, hourly_means, hours_elapsed
from citypocket.cities.models import City
from citypocket.sensors.models import Observation, Sensor
from citypocket.sensors.selectors import list_latest, list_observations


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
    start, end = city.day_bounds(day)
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
    day = day or city.local_today(now)
    start, end = city.day_bounds(day)
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
        if city_row.level >= EPISODE_LEVEL:
            check_episodes(city=city, now=now)
    return city_row


def refresh_air_now(*, city: City, now: datetime | None = None) -> AirIndexDaily:
    """Brings today's stored values up to date (and completes yesterday's provisional one), then stores
    "air now" built from them; today's city row."""
    now = now or timezone.now()
    today = city.local_today(now)
    # Yesterday's stored value may still be the provisional one of a day in progress: complete it.
    refresh_city_day(city=city, day=today - timedelta(days=1), now=now)
    row = refresh_city_day(city=city, day=today, now=now)
    store_air_now(city=city, now=now)
    return row


def on_readings_ingested(*, city: City, now: datetime | None = None) -> AirIndexDaily:
    """Recomputes today's indices of `city` after new readings (late, back-dated ones included), then
    stores "air now"."""
    row = refresh_city_day(city=city, now=now, force=True)
    store_air_now(city=city, now=now)
    return row


def air_now_changed(*, city_id: int | None) -> None:
    """Something "air now" is made of changed for the city: its stored answers are no longer given."""
    if city_id is not None:
        AirNowState.objects.filter(city_id=city_id).update(generation=F("generation") + 1)


def store_air_now(*, city: City, now: datetime | None = None) -> int:
    """Builds "air now" in each language from the live state and stores it (see air.now); its generation.

    The generation is read before the state, so that a change stored meanwhile (which moves it on)
    leaves these answers unused rather than given as current.
    """
    now = now or timezone.now()
    state, _created = AirNowState.objects.get_or_create(city=city)
    snapshot = get_air_now(city=city, now=now)
    valid_until = snapshot.valid_until()
    with transaction.atomic():
        for language, _name in settings.LANGUAGES:
            read = air_now.answer(snapshot, language)
            AirNowAnswer.objects.update_or_create(city=city, language=language, defaults={
                "generation": state.generation, "valid_until": valid_until, "etag": read.etag,
                "body": read.body(), "built_at": now,
            })
    return state.generation
