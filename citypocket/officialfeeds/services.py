"""Storing what the official feeds say, and telling the platform when a level changes.

`record_water_state` and `record_weather_warning` are the only writers of the states: the
connectors (`connectors.py`), the demo loader and the tests all go through them, so that the
history and the `official_level_changed` signal never miss a change nor repeat one.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.officialfeeds import present, vigieau
from citypocket.officialfeeds.models import Kind, LevelChange, WaterRestriction, WeatherWarning
from citypocket.officialfeeds.signals import official_level_changed
from citypocket.officialfeeds.vigilance import WarningState

logger = logging.getLogger(__name__)
QUIET = {Kind.WATER_RESTRICTION: "none", Kind.WEATHER_WARNING: "green"}


def _announce(
    *,
    sender,
    city: City,
    kind: str,
    area: dict,
    area_code: str,
    old_level: str | None,
    new_level: str,
    severity: int,
    texts: dict,
    url: str,
    now: datetime,
    is_demo: bool,
) -> None:
    """Keeps the change in the history and sends the signal once the transaction commits."""
    LevelChange.objects.create(
        city=city,
        kind=kind,
        area=area_code,
        old_level=old_level or "",
        new_level=new_level,
        is_demo=is_demo,
        changed_at=now,
    )
    if old_level is None and new_level == QUIET[kind]:
        return
    logger.info("official level changed: %s %s %s -> %s", city.slug, kind, old_level, new_level)
    transaction.on_commit(
        lambda: official_level_changed.send(
            sender=sender,
            city=city,
            kind=kind,
            area=area,
            old_level=old_level,
            new_level=new_level,
            severity=severity,
            texts=texts,
            url=url,
            changed_at=now,
            is_demo=is_demo,
        )
    )


@transaction.atomic
def record_water_state(
    *,
    city: City,
    commune_code: str,
    state: vigieau.WaterState,
    commune_name: str = "",
    is_demo: bool = False,
    now: datetime | None = None,
) -> WaterRestriction:
    """Stores a commune's state; a new level goes to the history and raises `official_level_changed`."""
    now = now or timezone.now()
    row = WaterRestriction.objects.select_for_update().filter(city=city, commune_code=commune_code).first()
    old_level = row.level if row else None
    if row is None:
        row = WaterRestriction(city=city, commune_code=commune_code, changed_at=now)
    row.commune_name = (
        commune_name or row.commune_name or (city.name if city.insee_codes == [commune_code] else commune_code)
    )
    row.level = state.level
    row.zone_name, row.zone_type = state.zone_name, state.zone_type
    row.order_start, row.order_end = state.order_start, state.order_end
    row.order_url, row.frame_order_url = state.order_url, state.frame_order_url
    row.rules = [{"theme": r.theme, "name": r.name, "description": r.description} for r in state.rules]
    row.is_demo = is_demo
    row.fetched_at = now
    if old_level != state.level:
        row.changed_at = now
    row.save()
    if old_level != state.level:
        _announce(
            sender=WaterRestriction,
            city=city,
            kind=Kind.WATER_RESTRICTION.value,
            area={"communes": [commune_code]},
            area_code=commune_code,
            old_level=old_level,
            new_level=state.level,
            severity=present.WATER_SEVERITY[state.level],
            texts=present.water_texts(
                place=row.commune_name,
                old_level=old_level,
                new_level=state.level,
                answer=vigieau.decide_watering(state.rules),
            ),
            url=state.order_url or present.VIGIEAU_SITE,
            now=now,
            is_demo=is_demo,
        )
    return row


@transaction.atomic
def record_weather_warning(
    *, city: City, state: WarningState, is_demo: bool = False, now: datetime | None = None
) -> WeatherWarning:
    """Stores a département's warning; a new colour goes to the history and raises the signal."""
    now = now or timezone.now()
    row = WeatherWarning.objects.select_for_update().filter(city=city, department=state.department).first()
    old_level = row.level if row else None
    if row is None:
        row = WeatherWarning(city=city, department=state.department, changed_at=now)
    row.level, row.phenomena, row.updated_at = state.level, dict(state.phenomena), state.updated_at
    row.is_demo = is_demo
    row.fetched_at = now
    if old_level != state.level:
        row.changed_at = now
    row.save()
    if old_level != state.level:
        _announce(
            sender=WeatherWarning,
            city=city,
            kind=Kind.WEATHER_WARNING.value,
            area={"department": state.department},
            area_code=state.department,
            old_level=old_level,
            new_level=state.level,
            severity=present.WARNING_SEVERITY[state.level],
            texts=present.warning_texts(
                department=state.department, old_level=old_level, new_level=state.level, phenomena=state.phenomena
            ),
            url=present.VIGILANCE_SITE,
            now=now,
            is_demo=is_demo,
        )
    return row
