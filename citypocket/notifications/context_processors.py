"""The alert banner of every page of a city: its alerts in force (one small query per city page).

The banner is the same for everyone (pages stay cacheable); each alert carries its communes and a
device that saved its commune hides the others' (static/notifications/alerts-filter.js).

Each page asks the database which alerts are in force, with plain SQL (building the ORM query cost
more than the rest of a city home), and rebuilds the banner only when that answer changed: the
banner's items are kept per process, city and language together with the alerts' identifiers,
versions and times of change, so that an alert published, updated, closed or expired shows on the next page.
"""

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from citypocket.cities.models import City
from citypocket.core.prepared import prepared
from citypocket.notifications.models import AlertState, CityAlert
from citypocket.notifications.selectors import list_current_alerts
from citypocket.notifications.views import banner_items

BANNER_SHOWN = 3

# (city slug, language) -> (the in-force alerts' state as read, the banner's context); bounded by the
# active cities (an unknown slug reads no row and keeps nothing) times the languages.
_banners: dict[tuple[str, str], tuple[tuple, dict]] = {}


def city_alerts(request):
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("city") if match else None
    if not slug or not isinstance(slug, str):
        return {}
    state = _alerts_in_force(slug)
    if not state:
        return {}
    language = get_language() or "fr"
    kept = _banners.get((slug, language))
    if kept is not None and kept[0] == state:
        return kept[1]
    alerts = list(list_current_alerts(city_id_slug=slug)[:BANNER_SHOWN])
    if not alerts:  # all expired between the two queries
        return {}
    city = alerts[0].city
    context = {"city_alerts_banner": banner_items(alerts, language),
               "city_alerts_city": {"slug": city.slug, "communes": " ".join(city.insee_codes or [])},
               # What the banner shows, for the shell that keeps its HTML per city and language ({% keep %}).
               "city_alerts_key": (slug, state)}
    _banners[(slug, language)] = (state, context)
    return context


def _alerts_in_force(slug: str) -> tuple:
    """What the banner of `slug` depends on: its alerts in force now (the filter of list_current_alerts)
    as (identifier, version, time of change), and the city's communes. Empty when none is in force."""
    with prepared(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.identifier, a.version, a.updated_at, c.insee_codes FROM {CityAlert._meta.db_table} a "  # noqa: S608 (table names)
            f"JOIN {City._meta.db_table} c ON c.id = a.city_id "
            "WHERE c.slug = %s AND c.is_active AND a.state = %s AND a.expires > %s ORDER BY a.identifier",
            [slug, AlertState.PUBLISHED.value, connection.ops.adapt_datetimefield_value(timezone.now())])
        rows = cursor.fetchall()
    return tuple((row[0], row[1], row[2], str(row[3])) for row in rows)

