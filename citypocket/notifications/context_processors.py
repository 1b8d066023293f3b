"""The alert banner of every page of a city: its alerts in force (one small query per city page).

The banner is the same for everyone (pages stay cacheable); each alert carries its communes and a
device that saved its commune hides the others' (static/notifications/banner.js)."""

from django.utils.translation import get_language

from citypocket.notifications.selectors import list_current_alerts
from citypocket.notifications.views import banner_items

BANNER_SHOWN = 3


def city_alerts(request):
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("city") if match else None
    if not slug or not isinstance(slug, str):
        return {}
    alerts = list(list_current_alerts(city_id_slug=slug)[:BANNER_SHOWN])
    if not alerts:
        return {}
    city = alerts[0].city
    return {"city_alerts_banner": banner_items(alerts, get_language() or "fr"),
            "city_alerts_city": {"slug": city.slug, "communes": " ".join(city.insee_codes or [])}}
