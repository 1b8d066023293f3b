from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from citypocket.mobility import demo
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading


@pytest.fixture(autouse=True)
def _no_micro_cache(settings):
    """Tests see every new reading at once (the micro-cache has its own test)."""
    settings.MOBILITY_RESPONSE_CACHE_SECONDS = 0


@pytest.fixture
def demo_parks(rouen, aix):
    """The demo car parks and counting points of both cities (no readings yet)."""
    demo.load(history=False)
    return {"rouen": rouen, "aix": aix}


def push(city, sensor: str, value: float, *, at: datetime | None = None, prop: str = "available_spots",
         unit: str = "1"):
    """Ingests one reading through the sensor engine, as a gateway would."""
    moment = (at or timezone.now()).astimezone(UTC).replace(microsecond=0)
    batch = Parsed.from_readings([Reading(sensor, prop, moment, value, unit)])
    result = ingest_observations(city=city, batch=batch, source="test")
    assert result.accepted == 1, result
    return result


@pytest.fixture
def minutes_ago():
    return lambda n: timezone.now() - timedelta(minutes=n)
