"""Demo air-quality stations of Rouen (6) and Aix-en-Provence (3), and a week of demo history.

Stations come from `air/data/stations.csv` (LCSQA "Liste points de mesures 2021", national codes and
real coordinates; provenance in `air/data/SOURCES.md`). The source leaves the pollutant lists out
as unreliable, so the demo gives every station NO2, O3, PM10 and PM2.5, and SO2 to the sites near
the industrial port of Rouen and the city-centre reference site; `metadata.pollutants_verified` is
false to say so.

The week of hourly history is *synthetic* (a daily rhythm with rush-hour NO2 and afternoon O3),
flagged `metadata.demo_history = "synthetic"`, so that the page's 7-day charts have something to
draw on a fresh install; live values then come from the sensors simulator or a real feed.
"""

import csv
import hashlib
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from citypocket.air.services import refresh_city_day
from citypocket.cities.models import City
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.services import ensure_sensor

STATIONS_FILE = Path(__file__).parent / "data" / "stations.csv"
UNIT = "ug/m3"
BASE_POLLUTANTS = ("no2", "o3", "pm10", "pm25")
WITH_SO2 = {"FR25036", "FR25054", "FR25035"}
TRAFFIC_SITES = {"FR25053", "FR03021"}
HISTORY_DAYS = 7


def _city_slug(city_area: str) -> str:
    return "aix-en-provence" if city_area.startswith("Aix") else "rouen"


def read_stations(path: Path = STATIONS_FILE) -> list[dict]:
    """The rows of the stations file, each with the city slug it belongs to."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["city_slug"] = _city_slug(row["city_area"])
    return rows


def ensure_demo_stations() -> list:
    """Creates or updates the demo stations as sensors of kind "air" (idempotent)."""
    sensors = []
    cities = {city.slug: city for city in City.objects.filter(slug__in=["rouen", "aix-en-provence"])}
    for row in read_stations():
        city = cities.get(row["city_slug"])
        if city is None:
            continue
        code = row["station_code"]
        pollutants = BASE_POLLUTANTS + (("so2",) if code in WITH_SO2 else ())
        sensors.append(
            ensure_sensor(
                city=city,
                external_id=code,
                kind="air",
                name=row["station_name"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                properties=dict.fromkeys(pollutants, UNIT),
                metadata={
                    "station_code": code,
                    "place": row["city_area"],
                    "aasqa": row["aasqa"],
                    "site_type": "traffic" if code in TRAFFIC_SITES else "background",
                    "source": "LCSQA 'Liste points de mesures 2021' via rtelga/air-pollution-web-app "
                              "frontend/src/components/stations.js @ 60eaaeeb551bc59233a2f99ab45b48e5ec984504",
                    "licence": "Licence Ouverte (facts only)",
                    "notes": row["notes"],
                    "pollutants_verified": False,
                    "demo_history": "synthetic",
                    # Every value of a demo station is simulated (history and live ticks): said on every output.
                    "simulated": True,
                },
            )
        )
    return sensors


def _wave(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def demo_value(*, code: str, pollutant: str, local: datetime) -> float:
    """A plausible, reproducible hourly concentration in µg/m³ for a demo station."""
    hour = local.hour
    weekday = local.weekday()
    traffic = 1.6 if code in TRAFFIC_SITES else 1.0
    rush = (_wave(hour, 8, 1.5) + 0.9 * _wave(hour, 18, 2)) * (0.5 if weekday >= 5 else 1.0)
    day_factor = 0.8 + 0.5 * math.sin((local.toordinal() % 7) / 7 * 2 * math.pi) ** 2
    seed = hashlib.blake2b(f"{code}/{pollutant}/{local:%Y%m%d%H}".encode(), digest_size=8).digest()
    noise = random.Random(int.from_bytes(seed, "big")).gauss(1.0, 0.12)
    base = {
        "no2": (14 + 45 * rush) * traffic,
        "o3": 35 + 55 * _wave(hour, 15, 3.5),
        "pm10": (13 + 9 * rush) * (1.2 if code in TRAFFIC_SITES else 1.0),
        "pm25": 7 + 5 * rush,
        "so2": 3 + 4 * _wave(hour, 11, 4),
    }[pollutant]
    return round(max(0.0, base * day_factor * noise), 1)


def backfill_history(*, sensors: list, days: int = HISTORY_DAYS, now: datetime | None = None) -> int:
    """Ingests `days` of hourly synthetic values for each sensor (existing hours are duplicates)."""
    now = (now or timezone.now()).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    accepted = 0
    by_city: dict[int, list] = {}
    for sensor in sensors:
        by_city.setdefault(sensor.city_id, []).append(sensor)
    for city_sensors in by_city.values():
        city = city_sensors[0].city
        zone = city.zone
        readings = []
        for sensor in city_sensors:
            for datastream in sensor.datastreams.all():
                for step in range(days * 24, -1, -1):
                    moment = now - timedelta(hours=step)
                    value = demo_value(code=sensor.external_id, pollutant=datastream.property,
                                       local=moment.astimezone(zone))
                    readings.append(Reading(sensor=sensor.external_id, property=datastream.property,
                                            time=moment, value=value, unit=UNIT))
        result = ingest_observations(city=city, batch=Parsed.from_readings(readings), source="air:demo-history")
        accepted += result.accepted
    return accepted


def compute_history(*, sensors: list, days: int = HISTORY_DAYS) -> int:
    """Stores the daily ATMO indices of the demo week (stations and city-wide)."""
    count = 0
    for city in {sensor.city_id: sensor.city for sensor in sensors}.values():
        today = city.local_today()
        for offset in range(days, -1, -1):
            refresh_city_day(city=city, day=today - timedelta(days=offset))
            count += 1
    return count


def load_demo() -> str:
    sensors = ensure_demo_stations()
    written = backfill_history(sensors=sensors)
    days = compute_history(sensors=sensors)
    return f"{len(sensors)} air stations, {written} demo hourly values, {days} city-days of indices"
