"""The demo feed: plausible live values for every active sensor, when no broker is configured.

It knows nothing of the air or mobility apps: it looks at each Sensor's datastreams and makes a
value per property from the local time of day in the sensor's city:

- car parks: occupancy follows a diurnal curve (quiet at night, busy late morning and afternoon,
  busier on Saturdays); available_spots = capacity x (1 - occupancy), capacity from the sensor's
  metadata (`capacity`) or its latest total_spots;
- air: NO2 has rush-hour peaks (8 h and 18 h), stronger on traffic sites; PM follow partly;
  O3 peaks in the afternoon; SO2 stays low;
- traffic: vehicle_flow with the same rush hours, detector occupancy rising and average_speed
  falling when it is busy.

Times are aligned on the interval, so running twice in the same interval writes nothing new.
"""

import hashlib
import math
import random
from collections import defaultdict
from datetime import UTC, datetime

from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import LatestObservation
from citypocket.sensors.readings import IngestResult, Parsed, Reading
from citypocket.sensors.selectors import list_all_active_sensors


def _bell(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def rush(hour: float, weekday: int) -> float:
    """0..1, high at the morning and evening rush hours of working days."""
    peak = _bell(hour, 8.0, 1.3) + 0.9 * _bell(hour, 18.0, 1.6)
    return min(1.0, peak * (0.45 if weekday >= 5 else 1.0))


def occupancy_curve(hour: float, weekday: int) -> float:
    """Share of a car park's spaces taken at this local hour (0.05 at night, ~0.85 at peaks)."""
    day = 0.55 * _bell(hour, 11.5, 2.5) + 0.6 * _bell(hour, 16.0, 2.8)
    if weekday == 5:
        day *= 1.15
    elif weekday == 6:
        day *= 0.6
    return max(0.03, min(0.97, 0.06 + day))


def _noise(seed: str, scale: float) -> float:
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big")).gauss(0.0, scale)


def value_for(*, prop: str, sensor, local: datetime, capacity: float | None, seed: str) -> tuple[float, str] | None:
    """The simulated value and unit of one property, or None for a property it does not simulate.

    `seed` names the sensor and instant: the car park's occupancy and free spaces agree.
    """
    hour = local.hour + local.minute / 60.0
    weekday = local.weekday()
    traffic_site = "proxi" in sensor.name.lower() or sensor.metadata.get("site_type") == "traffic"
    busy = rush(hour, weekday)
    occupancy = max(0.0, min(1.0, occupancy_curve(hour, weekday) + _noise(seed + ":occupancy", 0.03)))
    seed = f"{seed}:{prop}"
    if prop == "occupancy" and sensor.kind == "traffic":  # share of time the loop detector is covered
        return round(max(0.0, min(1.0, 0.03 + 0.3 * busy + _noise(seed, 0.02))), 3), "1"
    if prop == "occupancy":
        return round(occupancy, 3), "1"
    if prop == "available_spots":
        total = capacity or 300.0
        return float(round(total * (1.0 - occupancy))), "1"
    if prop == "no2":
        return max(1.0, round(14 + (55 if traffic_site else 30) * busy + _noise(seed, 3.0), 1)), "ug/m3"
    if prop == "pm10":
        return max(1.0, round(16 + 10 * busy + _noise(seed, 2.0), 1)), "ug/m3"
    if prop == "pm25":
        return max(0.5, round(9 + 6 * busy + _noise(seed, 1.2), 1)), "ug/m3"
    if prop == "o3":
        return max(1.0, round(35 + 45 * _bell(hour, 15.0, 3.0) - 15 * busy + _noise(seed, 4.0), 1)), "ug/m3"
    if prop == "so2":
        return max(0.1, round(2 + _noise(seed, 0.5), 1)), "ug/m3"
    if prop == "vehicle_flow":
        return max(0.0, round(120 + 1400 * busy + 300 * _bell(hour, 13.0, 3.0) + _noise(seed, 40.0))), "veh/h"
    if prop == "average_speed":
        return max(5.0, round(48 - 25 * busy + _noise(seed, 2.0), 1)), "km/h"
    return None


def simulate_once(*, now: datetime, interval: int = 60) -> dict[str, IngestResult]:
    """One tick: a reading per simulated datastream of every active sensor, ingested per city through the door."""
    stamp = datetime.fromtimestamp((int(now.timestamp()) // interval) * interval, tz=UTC)
    sensors = list(list_all_active_sensors())
    totals = {
        row["datastream__sensor_id"]: row["value"]
        for row in LatestObservation.objects.filter(datastream__property="total_spots").values(
            "datastream__sensor_id", "value"
        )
    }
    by_city: dict = defaultdict(list)
    cities = {}
    for sensor in sensors:
        local = stamp.astimezone(sensor.city.zone)
        capacity = sensor.metadata.get("capacity") or totals.get(sensor.pk)
        try:
            capacity = float(capacity) if capacity else None
        except (TypeError, ValueError):
            capacity = None
        for stream in sensor.datastreams.all():
            made = value_for(
                prop=stream.property,
                sensor=sensor,
                local=local,
                capacity=capacity,
                seed=f"{sensor.external_id}:{stamp.isoformat()}",
            )
            if made is None:
                continue
            value, unit = made
            by_city[sensor.city_id].append(Reading(sensor.external_id, stream.property, stamp, value, unit))
            cities[sensor.city_id] = sensor.city
    return {
        cities[city_id].slug: ingest_observations(
            city=cities[city_id], batch=Parsed.from_readings(readings), source="simulator"
        )
        for city_id, readings in by_city.items()
    }
