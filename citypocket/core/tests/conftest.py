"""Fixtures of the hot reads' tests (fast path, fast lane, prepared statements)."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.tests.factories import run_air_worker
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading


def ingest_hours(city, *, pm10: float, hours: range, sensor: str = "FR25036") -> None:
    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    readings = [Reading(sensor=sensor, property="pm10", time=top - timedelta(hours=h), value=pm10 + h / 10,
                        unit="ug/m3") for h in hours]
    ingest_observations(city=city, batch=Parsed.from_readings(readings), source="test")


@pytest.fixture
def air(rouen):
    """Rouen's demo air stations with 30 hours of PM10 at one of them, and the air worker's indices."""
    ensure_demo_stations()
    ingest_hours(rouen, pm10=20.0, hours=range(0, 30))
    run_air_worker()
    return rouen
