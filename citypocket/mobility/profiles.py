"""Usual free spaces per car park and quarter-hour of the week, kept by the worker for the search.

The prediction (`prediction.py`) needs, for the arrival and for now, the mean over the past
HISTORY_WEEKS weeks of each week's mean reading within ±WINDOW of the same moment of the week. Read
at every search, that is four weeks of history per car park per request. Here the worker computes it
once per car park and quarter-hour of the week (`FreeSpaceProfile`): every 15 minutes for the
quarter-hours whose newest window has just ended (`schedule.refresh_free_space_profiles`), every
night and after the demo's history in full. The search reads the rows of the arrival's and of now's
quarter-hour with the car parks, in the same query.

Moments are taken to the nearest quarter-hour (UTC); the windows are then exactly those the request
would read around that quarter-hour (same weeks, same ±20 minutes). A row is used only when its
newest week is the one the request would read (`usable`); otherwise the search reads the history as
before, for that car park only.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import connections, transaction
from django.db.models import Max, Q
from django.utils import timezone

from citypocket.mobility.models import CarPark, FreeSpaceProfile
from citypocket.mobility.prediction import HISTORY_WEEKS, WINDOW
from citypocket.sensors.models import Datastream, Observation

SLOT = timedelta(minutes=15)
SLOTS = 672  # quarter-hours in a week
WEEK = timedelta(weeks=1)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday, 00:00 UTC: slot 0
# A row whose newest window ended less than this long ago may not be refreshed yet: the row of the
# week before is still good enough (the clock refreshes every 15 minutes, a few minutes after).
REFRESH_GRACE = timedelta(minutes=35)
AVAILABLE = "available_spots"


def centre(moment: datetime) -> datetime:
    """The quarter-hour nearest to `moment` (UTC)."""
    quarters, rest = divmod(moment - EPOCH, SLOT)
    return EPOCH + (quarters + (1 if rest * 2 >= SLOT else 0)) * SLOT


def slot_of(moment: datetime) -> int:
    """The quarter-hour of the week of a quarter-hour moment."""
    return ((moment - EPOCH) // SLOT) % SLOTS


def newest_complete(now: datetime) -> datetime:
    """The newest quarter-hour whose window (±WINDOW) has ended at `now`."""
    return EPOCH + ((now - WINDOW - EPOCH) // SLOT) * SLOT


def usable(through: datetime | None, moment: datetime, now: datetime) -> bool:
    """A row can stand for the history read around `moment` (a quarter-hour) at `now`: its newest
    week is the week before `moment`, or the one before that while the newest window has just ended."""
    if through is None:
        return False
    latest = moment - WEEK
    return through == latest or (through == latest - WEEK and latest + WINDOW > now - REFRESH_GRACE)


def streams_of(city, car_park_ids=None) -> dict[int, int]:
    """car park id -> its available_spots datastream id, for the city's active car parks with a sensor."""
    parks = CarPark.objects.filter(city=city, is_active=True, sensor__isnull=False)
    if car_park_ids is not None:
        parks = parks.filter(pk__in=car_park_ids)
    by_sensor = dict(parks.values_list("sensor_id", "pk"))
    streams = Datastream.objects.filter(sensor_id__in=list(by_sensor), property=AVAILABLE)
    return {by_sensor[sensor_id]: stream_id for sensor_id, stream_id in streams.values_list("sensor_id", "pk")}


def build(streams: dict[int, int], newest: list[datetime]) -> int:
    """Computes and stores the rows of these car parks (car park id -> stream id) for the quarter-hours
    `newest` (each the newest week's quarter-hour of its slot); the number of rows written."""
    written = 0
    parks = list(streams)
    for start in range(0, len(parks), CHUNK):  # a metropolis' 10 000 car parks: 6.7 million rows, in chunks
        written += _build({park: streams[park] for park in parks[start:start + CHUNK]}, newest)
    return written


CHUNK = 200
ROWS_PER_INSERT = 1000  # 5 000 parameters, within SQLite's limit (32 766)
UPSERT = (
    "INSERT INTO mobility_freespaceprofile (car_park_id, slot, free, weeks, through) VALUES %s "
    "ON CONFLICT (car_park_id, slot) DO UPDATE SET free = EXCLUDED.free, weeks = EXCLUDED.weeks, "
    "through = EXCLUDED.through"
)


def _build(streams: dict[int, int], newest: list[datetime]) -> int:
    if not streams or not newest:
        return 0
    targets = {slot_of(moment): moment for moment in newest}
    first, last = min(newest), max(newest)
    spans = Q()
    for k in range(HISTORY_WEEKS):
        spans |= Q(phenomenon_time__gte=first - k * WEEK - WINDOW, phenomenon_time__lt=last - k * WEEK + WINDOW)
    park_of = {stream: park for park, stream in streams.items()}
    sums: dict[tuple[int, int], dict[int, list[float]]] = defaultdict(dict)
    rows = Observation.objects.filter(spans, datastream_id__in=list(park_of)).values_list(
        "datastream_id", "phenomenon_time", "value"
    )
    for stream, moment, value in rows.iterator(chunk_size=20_000):
        # The quarter-hours c whose window holds this reading: c - WINDOW <= moment < c + WINDOW.
        c = EPOCH + ((moment + WINDOW - EPOCH) // SLOT) * SLOT
        while c > moment - WINDOW:
            target = targets.get(slot_of(c))
            if target is not None and c <= target:
                weeks_back, rest = divmod(target - c, WEEK)
                if not rest and weeks_back < HISTORY_WEEKS:
                    week = sums[(park_of[stream], slot_of(c))].setdefault(weeks_back + 1, [0.0, 0])
                    week[0] += value
                    week[1] += 1
            c -= SLOT
    connection = connections[FreeSpaceProfile.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    throughs = {slot: adapt(moment) for slot, moment in targets.items()}
    values = []
    for park in streams:
        for slot in targets:
            weeks = sums.get((park, slot), {})
            means = [total / count for total, count in weeks.values()]
            values.append((park, slot, sum(means) / len(means) if means else None, len(means), throughs[slot]))
    # Plain INSERT … ON CONFLICT of many rows a statement (PostgreSQL and SQLite): the ORM's bulk
    # upsert builds a model per row, many times slower for the millions of rows of a full rebuild.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for start in range(0, len(values), ROWS_PER_INSERT):
            batch = values[start:start + ROWS_PER_INSERT]
            cursor.execute(
                UPSERT % ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch)),
                [value for row in batch for value in row],
            )
    return len(values)


def refresh(*, city, now: datetime | None = None, full: bool = False) -> int:
    """Brings the city's rows up to `now`: the quarter-hours whose window ended since the last run
    (all of them, for car parks without rows, when the last run is a week old, or with `full`)."""
    now = now or timezone.now()
    streams = streams_of(city)
    if not streams:
        return 0
    newest = newest_complete(now)
    week_of = [newest - i * SLOT for i in range(SLOTS)]
    if full:
        return build(streams, week_of)
    sample = min(streams)
    last = FreeSpaceProfile.objects.filter(car_park_id=sample).aggregate(last=Max("through"))["last"]
    if last is None or newest - last >= WEEK:
        return build(streams, week_of)
    have = set(FreeSpaceProfile.objects.filter(car_park__city=city, slot=slot_of(last), through=last)
               .values_list("car_park_id", flat=True))
    fresh = {park: stream for park, stream in streams.items() if park in have}
    missing = {park: stream for park, stream in streams.items() if park not in have}
    due = [moment for moment in week_of if moment > last] or [newest]
    return build(fresh, due) + build(missing, week_of)
