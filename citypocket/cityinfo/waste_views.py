"""Waste collection pages: find your address, your collection days, the month view, the iCalendar
subscription, and "which bin?".

Privacy: the address a resident types is sent in a POST body (never in a URL, so never in an access
log, the history or a Referer), used to answer and forgotten; the answer links to the zone's page,
whose URL holds no address. The chosen address is kept in the browser (localStorage), not here.
"""

from datetime import date, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citypocket.cityinfo import waste
from citypocket.cityinfo.addresses import AddressSearchUnavailable, search_addresses
from citypocket.cityinfo.waste_models import WasteZone
from citypocket.core.views import resolve_city

# A calendar subscription holds this much: a month back (what was just collected) and a year ahead.
ICS_BEFORE, ICS_AFTER = timedelta(days=31), timedelta(days=366)


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _zone(city, slug: str) -> WasteZone:
    zone = WasteZone.objects.filter(city=city, slug=slug).prefetch_related("rules").first()
    if zone is None:
        raise Http404("No such collection zone.")
    return zone


@require_http_methods(["GET", "POST"])
def waste_home(request, city: str):
    """`/<city>/waste/`: type an address (POST), get its zone; or pick a zone from the list."""
    city_obj = resolve_city(city)
    query, results, error, status = "", None, "", 200
    if request.method == "POST":
        query = (request.POST.get("address") or "").strip()[:200]
        if len(query) < 3:
            error, status = _("Type at least three letters of your address."), 422
        else:
            try:
                hits = search_addresses(query, city=city_obj, limit=10)
            except AddressSearchUnavailable:
                hits, error, status = [], _("The address search is not available right now. "
                                            "Choose your area in the list below."), 503
            zones = [waste.zone_for_address(city_obj, hit) for hit in hits]
            results = [(hit, zone, zone.name(_language()) if zone else "")
                       for hit, zone in zip(hits, zones, strict=True)]
    response = render(request, "cityinfo/waste.html", {
        "city": city_obj, "query": query, "results": results, "error": error,
        "zones": waste.zones_of(city_obj), "language": _language(),
    }, status=status)
    add_never_cache_headers(response)  # an answer about one person's address is nobody else's
    return response


def _month(text: str, today: date) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


@require_GET
def waste_zone(request, city: str, zone: str):
    """`/<city>/waste/zones/<zone>/`: next collection per stream, a month view, the subscription."""
    city_obj = resolve_city(city)
    found = _zone(city_obj, zone)
    today = city_obj.local_today(timezone.now())
    month = _month(request.GET.get("month", ""), today)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    language = _language()
    ics = reverse("cityinfo:waste_ics", kwargs={"city": city_obj.slug, "zone": found.slug})
    absolute = request.build_absolute_uri(ics)
    return render(request, "cityinfo/waste_zone.html", {
        "city": city_obj, "zone": found, "zone_name": found.name(language), "today": today,
        "next": waste.next_by_stream(found, today), "weeks": waste.month_weeks(found, month.year, month.month),
        "month": month, "previous": previous, "following": following, "language": language,
        "ics": ics, "webcal": "webcal://" + absolute.split("://", 1)[1],
        "webcal_reminder": "webcal://" + absolute.split("://", 1)[1] + "?reminder=1",
        "weekdays": [(WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in range(7)],
    })


@require_GET
def waste_ics(request, city: str, zone: str):
    """`/<city>/waste/zones/<zone>/calendar.ics`: the zone's collections, a month back and a year
    ahead; `?reminder=1` adds an alarm at 19:00 the evening before each one."""
    city_obj = resolve_city(city)
    found = _zone(city_obj, zone)
    now = timezone.now()
    today = city_obj.local_today(now)
    items = waste.zone_collections(found, today - ICS_BEFORE, today + ICS_AFTER)
    page = request.build_absolute_uri(reverse("cityinfo:waste_zone", kwargs={"city": city_obj.slug,
                                                                             "zone": found.slug}))
    body = waste.zone_to_ics(found, items, language=_language(), url=page,
                             reminder=request.GET.get("reminder") in ("1", "true", "on"), stamp=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="waste-{found.slug}.ics"'
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def sorting_guide(request, city: str):
    """`/<city>/waste/guide/`: "which bin?" — search the city's sorting guide in French or English."""
    city_obj = resolve_city(city)
    query = (request.GET.get("q") or "").strip()[:100]
    items = waste.search_sorting_guide(city_obj, query) if query else None
    return render(request, "cityinfo/sorting_guide.html", {
        "city": city_obj, "query": query, "items": items, "language": _language(),
    })


urlpatterns = [
    path("waste/", waste_home, name="waste"),
    path("waste/guide/", sorting_guide, name="sorting_guide"),
    path("waste/zones/<slug:zone>/", waste_zone, name="waste_zone"),
    path("waste/zones/<slug:zone>/calendar.ics", waste_ics, name="waste_ics"),
]
