"""Helpers for the sensor tests."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from citypocket.sensors.models import DeadLetter
from citypocket.sensors.readings import Reading
from citypocket.sensors.services import ensure_sensor


def air_sensor(city, external_id="FR25036", **kwargs):
    return ensure_sensor(
        city=city,
        external_id=external_id,
        kind="air",
        name=kwargs.pop("name", "Rouen Centre"),
        lat=kwargs.pop("lat", 49.44),
        lon=kwargs.pop("lon", 1.09),
        properties=kwargs.pop("properties", {"no2": "ug/m3", "pm10": "ug/m3", "pm25": "ug/m3", "o3": "ug/m3"}),
        **kwargs,
    )


def parking_sensor(city, external_id="P-VIEUX-MARCHE", **kwargs):
    return ensure_sensor(
        city=city,
        external_id=external_id,
        kind="parking",
        name=kwargs.pop("name", "Parking du Vieux-Marché"),
        lat=49.443,
        lon=1.088,
        properties={"available_spots": "1", "occupancy": "1"},
        **kwargs,
    )


# One instant for the whole test session, so that a reading built twice has the same time.
_ANCHOR = timezone.now().replace(second=0, microsecond=0)


def recent(minutes: int = 0) -> datetime:
    """A whole-minute UTC instant `minutes` before the session's anchor (negative: after it)."""
    return (_ANCHOR - timedelta(minutes=minutes)).astimezone(UTC)


def reading(sensor="FR25036", prop="no2", minutes=10, value=41.2, unit="ug/m3") -> Reading:
    return Reading(sensor=sensor, property=prop, time=recent(minutes), value=value, unit=unit)


def dead_letter(*, city, source: str = "test", payload: str = "{}", reason: str = "refused") -> DeadLetter:
    """A dead letter as the ingest door keeps one, for tests of what reads them (the admin)."""
    return DeadLetter.objects.create(
        city=city, source=source, payload=payload, reason=reason, received_at=timezone.now()
    )
