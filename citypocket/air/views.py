"""Air page `/<city>/air/`: today's index in one card, the stations, a 7-day chart with its table."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citypocket.air import alerts, charts, indices, selectors
from citypocket.air.models import AirIndexDaily
from citypocket.core.throttling import throttle_form_posts
from citypocket.core.views import resolve_city


def index_view(row: AirIndexDaily | None, language: str) -> dict | None:
    """What a template needs to show a stored daily index: level, label, colour, meaning, advice."""
    if row is None:
        return None
    meaning, action = indices.health_advice(row.level)
    return {
        "row": row,
        "level": row.level,
        "label": indices.label(row.scale, row.level, language),
        "colour": indices.colour(row.scale, row.level),
        "dominant": [indices.POLLUTANT_NAMES[p] for p in row.dominant if p in indices.POLLUTANT_NAMES],
        "meaning": meaning,
        "action": action,
    }


def tile_context(city) -> dict:
    """Today's computed index for the city-home tile (as the worker stored it)."""
    today = selectors.get_city_day(city=city, day=city.local_today(timezone.now()))
    return {"today": index_view(today, get_language() or "fr"), "city": city,
            "simulated": today is not None and selectors.city_has_simulated_stations(city=city)}


def offline_urls(city) -> list[str]:
    """The air page is cached by the service worker so that the last value stays readable offline."""
    return [reverse("air:page", kwargs={"city": city.slug})]


@require_GET
def page(request, city: str):
    place = resolve_city(city)
    language = get_language() or "fr"
    now = selectors.get_air_now(city=place)
    stations = now.stations
    codes = [item.code for item in stations]
    station_code = request.GET.get("station")
    if station_code not in codes:
        station_code = codes[0] if codes else None
    pollutant = request.GET.get("pollutant")
    if pollutant not in indices.POLLUTANTS:
        pollutant = "no2"
    chart = None
    if station_code:
        station = next(item for item in stations if item.code == station_code)
        points = selectors.list_daily_series(city=place, station_code=station_code, pollutant=pollutant)
        name = indices.POLLUTANT_NAMES[pollutant]
        statistic = _("daily maximum of hourly values") if pollutant in indices.ATMO_DAILY_MAX else _("daily mean")
        title = _("%(pollutant)s at %(station)s, last 7 days") % {"pollutant": name, "station": station.sensor.name}
        description = _("Bar chart of the %(statistic)s of %(pollutant)s in µg/m³, one bar per day, coloured by "
                        "ATMO class. The same values are in the table next to the chart.") % {
            "statistic": statistic, "pollutant": name}
        chart = {
            "station": station,
            "simulated": station.sensor.simulated,
            "pollutant": pollutant,
            "pollutant_name": name,
            "statistic": statistic,
            "svg": mark_safe(charts.render_daily_svg(points=points, title=title, description=description,  # noqa: S308
                                                     chart_id="air-chart")),
            "title": title,
            "rows": [
                {"point": point, "label": indices.label(indices.ATMO, point.level, language)} for point in points
            ],
        }
    context = {
        "city": place,
        "now": now,
        "today": index_view(now.computed, language),
        "official": index_view(now.official, language),
        "tomorrow": index_view(now.official_tomorrow, language),
        "stations": [
            {
                "item": item,
                "eaqi": {"level": item.eaqi.level, "label": indices.label(indices.EAQI, item.eaqi.level, language)},
                "atmo": index_view(item.atmo_today, language),
                "values": [
                    (indices.POLLUTANT_NAMES[p], item.latest[p]) for p in indices.POLLUTANTS if p in item.latest
                ],
            }
            for item in stations
        ],
        "pollutants": [(code, indices.POLLUTANT_NAMES[code]) for code in indices.POLLUTANTS],
        "chart": chart,
        "levels": [
            {"level": level, "label": indices.label(indices.ATMO, level, language)} for level in range(1, 7)
        ],
        "generated_at": timezone.now(),
        "email_subscription": (
            alerts.email_subscription(city=place, user=request.user)
            if request.user.is_authenticated
            else None
        ),
        "stations_api": f"/api/v1/cities/{place.slug}/air/stations",
    }
    return render(request, "air/page.html", context)


@require_POST
@throttle_form_posts
def email_alerts(request, city: str):
    """Subscribes (or unsubscribes) the signed-in citizen to e-mail alerts of pollution episodes."""
    place = resolve_city(city)
    page_url = reverse("air:page", kwargs={"city": place.slug})
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={page_url}")
    if request.POST.get("action") == "stop":
        subscription = alerts.email_subscription(city=place, user=request.user)
        if subscription is not None:
            alerts.unsubscribe(token=subscription.token)
        messages.success(request, _("You will no longer receive air alerts by e-mail."))
    else:
        alerts.subscribe_email(city=place, user=request.user, language=get_language() or "fr")
        messages.success(request, _("You will receive an e-mail when the air quality is poor or worse."))
    return redirect(f"{page_url}#alerts-title")
