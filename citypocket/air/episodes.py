"""Pollution episodes: which days are episode days, and one AirAlert per city and day.

An episode day is a day whose city index is Mauvais (4) or worse — computed from the stations
today, or announced by the official feed for today or tomorrow (code 7, "Événement", counts too).
`check_episodes` creates at most one AirAlert per city and day (a database constraint) and hands
its delivery to the worker after commit (`tasks.deliver_air_alert`, which sends through `alerts`).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from citypocket.air.models import AirAlert, AirIndexDaily, Source
from citypocket.air.tasks import deliver_air_alert
from citypocket.cities.models import City

EPISODE_LEVEL = 4


def _episode_days(*, city: City, today: date) -> dict[date, AirIndexDaily]:
    """The worst index of each day (today, tomorrow) that reaches an episode, computed or official."""
    rows = AirIndexDaily.objects.filter(
        city=city, station__isnull=True, date__in=[today, today + timedelta(days=1)], level__gte=EPISODE_LEVEL
    ).filter(source__in=[Source.COMPUTED, Source.OFFICIAL])
    codes = set(city.insee_codes or [])
    worst: dict[date, AirIndexDaily] = {}
    for row in rows:
        if row.source == Source.COMPUTED and row.date != today:
            continue
        if row.source == Source.OFFICIAL and codes and row.zone_code not in codes:
            continue
        if row.date not in worst or row.level > worst[row.date].level:
            worst[row.date] = row
    return worst


def check_episodes(*, city: City, now: datetime | None = None) -> list[AirAlert]:
    """Creates today's / tomorrow's episode alert if there is one and none yet; delivers it after commit."""
    now = now or timezone.now()
    today = city.local_today(now)
    created_alerts = []
    for day, row in sorted(_episode_days(city=city, today=today).items()):
        with transaction.atomic():
            alert, created = AirAlert.objects.get_or_create(
                city=city, date=day,
                defaults={"level": row.level, "source": row.source, "forecast": row.forecast or day > today},
            )
        if created:
            created_alerts.append(alert)
            transaction.on_commit(lambda alert_id=alert.pk: deliver_air_alert.enqueue(alert_id=alert_id))
    return created_alerts
