"""Waste collection API: zones, collection dates, the sorting guide and the one address search.

Mounted on the cityinfo router (`cityinfo/api.py`). The address search answers a query and forgets
it: nothing is logged or stored, and its answers are never cached by shared caches.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import override
from ninja import Field, Query, Router, Schema

from citypocket.cities.selectors import get_city
from citypocket.cityinfo import addresses, waste
from citypocket.cityinfo.addresses import AddressSearchUnavailable, search_addresses
from citypocket.cityinfo.waste_models import COLLECTED_STREAMS, Stream, WasteZone
from citypocket.core.http import cache_public
from citypocket.core.problems import InvalidValues, NotFound, Overloaded, responses

router = Router(tags=["waste"])

Language = Literal["fr", "en"]
CollectedStream = Literal[tuple(stream.value for stream in COLLECTED_STREAMS)]  # type: ignore[valid-type]
MAX_DAYS = 366


class StreamRuleOut(Schema):
    stream: str
    label: str
    rrule: str = Field(description='RFC 5545 RRULE from `starts_on`; empty when on appointment')
    starts_on: date
    on_appointment: bool
    holiday_shift: str = Field(description="`next_day`, `skip` or `keep` when a date is a public holiday")


class ZoneOut(Schema):
    slug: str
    name: str
    is_demo: bool
    bulky_url: str
    bulky_phone: str
    calendar_url: str = Field(description="iCalendar subscription (add `?reminder=1` for an alarm the evening before)")
    streams: list[StreamRuleOut]


class ZoneList(Schema):
    count: int
    items: list[ZoneOut]


class CollectionOut(Schema):
    date: date
    stream: str
    label: str
    usual_date: date = Field(description="The date the rule gives; differs from `date` when a holiday moved it")
    moved: bool


class CollectionList(Schema):
    zone: str
    start: date = Field(alias="from")
    to: date
    count: int
    items: list[CollectionOut]


class AddressOut(Schema):
    label: str
    number: str
    street: str
    postcode: str
    citycode: str
    commune: str
    lat: float
    lon: float
    zone: str | None = Field(description="The waste collection zone's slug, when the address is in one")


class AddressList(Schema):
    count: int
    backend: str = Field(description="`addok` or `embedded`")
    items: list[AddressOut]


class SortingItemOut(Schema):
    name: str
    stream: str
    label: str
    advice: str
    is_demo: bool


class SortingList(Schema):
    count: int
    items: list[SortingItemOut]


def _language(request: HttpRequest, lang: str | None) -> str:
    return lang or ("en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "fr")


def _zone_out(zone: WasteZone, language: str) -> dict:
    rules = sorted(zone.rules.all(), key=lambda rule: waste.STREAM_ORDER.get(rule.stream, 99))
    return {
        "slug": zone.slug, "name": zone.name(language), "is_demo": zone.is_demo, "bulky_url": zone.bulky_url,
        "bulky_phone": zone.bulky_phone,
        "calendar_url": f"/{zone.city.slug}/waste/zones/{zone.slug}/calendar.ics",
        "streams": [{"stream": rule.stream, "label": str(Stream(rule.stream).label), "rrule": rule.rrule,
                     "starts_on": rule.starts_on, "on_appointment": rule.on_appointment,
                     "holiday_shift": rule.holiday_shift} for rule in rules],
    }


@router.get(
    "/cities/{city}/waste/zones",
    response=responses({200: ZoneList}, 404),
    operation_id="list_waste_zones",
    summary="Waste collection zones and the rule of each stream",
    description="Each zone of the city with its streams (household, recycling, glass, green waste, bulky "
                "items on appointment), their RRULE and what a public holiday does to a collection.",
)
@cache_public(max_age=3600)
def list_waste_zones(request: HttpRequest, city: str, lang: Language | None = None):
    place = get_city(slug=city)
    language = _language(request, lang)
    zones = WasteZone.objects.filter(city=place).prefetch_related("rules").select_related("city")
    with override(language):
        items = [_zone_out(zone, language) for zone in zones]
    return {"count": len(items), "items": items}


@router.get(
    "/cities/{city}/waste/collections",
    response=responses({200: CollectionList}, 404, 422),
    by_alias=True,
    operation_id="list_waste_collections",
    summary="Collection dates of a zone in a period, public holidays applied",
    description="Every collection of `zone` in `[from, to)` (local dates, at most 366 days; by default the "
                "next 31 days from today in the city), optionally one `stream`. A date moved by a public "
                "holiday says so (`moved`, `usual_date`).",
)
@cache_public(max_age=3600)
def list_waste_collections(
    request: HttpRequest,
    city: str,
    zone: Annotated[str, Query(max_length=60, description="The zone's slug")],
    start: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    stream: CollectedStream | None = None,
    lang: Language | None = None,
):
    place = get_city(slug=city)
    found = WasteZone.objects.filter(city=place, slug=zone).first()
    if found is None:
        raise NotFound("No such collection zone in this city.")
    start = start or place.local_today(timezone.now())
    end = to or start + timedelta(days=31)
    if not start < end <= start + timedelta(days=MAX_DAYS):
        raise InvalidValues("The period must be positive and at most 366 days.",
                            errors=[{"field": "to", "message": "after from, at most 366 days later"}])
    with override(_language(request, lang)):
        items = [{"date": item.day, "stream": item.stream, "label": str(item.label), "usual_date": item.usual_day,
                  "moved": item.moved} for item in waste.zone_collections(found, start, end, stream=stream)]
    return {"zone": found.slug, "from": start, "to": end, "count": len(items), "items": items}


@router.get(
    "/cities/{city}/addresses",
    response=responses({200: AddressList}, 404, 422, 503),
    operation_id="search_addresses",
    summary="The one address search: addresses of the city matching a query, with their waste zone",
    description="Accent- and case-insensitive, each word a prefix (`12 rue jeanne d` finds "
                "\"12 Rue Jeanne d'Arc\"). addok when the install has one, else the embedded search. "
                "The query is neither logged nor stored; answers are not cached by shared caches.",
)
def search_city_addresses(
    request: HttpRequest,
    response: HttpResponse,
    city: str,
    q: Annotated[str, Query(min_length=3, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
):
    place = get_city(slug=city)
    try:
        hits = search_addresses(q, city=place, limit=limit)
    except AddressSearchUnavailable as error:
        raise Overloaded(str(error), retry_after=30) from error
    items = []
    for hit in hits:
        zone = waste.zone_for_address(place, hit)
        items.append({"label": hit.label, "number": hit.number, "street": hit.street, "postcode": hit.postcode,
                      "citycode": hit.citycode, "commune": hit.commune, "lat": hit.lat, "lon": hit.lon,
                      "zone": zone.slug if zone else None})
    patch_cache_control(response, private=True, no_store=True)
    return {"count": len(items), "backend": addresses.backend().name, "items": items}


@router.get(
    "/cities/{city}/waste/guide",
    response=responses({200: SortingList}, 404, 422),
    operation_id="search_sorting_guide",
    summary="Which bin? The city's sorting guide, searched in French or English",
    description="Items whose name or synonyms (French or English) start with each word of `q`, accents "
                "ignored; `stream` says where it goes (a collected stream, the recycling centre, or back "
                "to a shop).",
)
@cache_public(max_age=3600)
def search_city_sorting_guide(
    request: HttpRequest,
    city: str,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    lang: Language | None = None,
):
    place = get_city(slug=city)
    language = _language(request, lang)
    with override(language):
        items = [{"name": item.name(language), "stream": item.stream, "label": str(item.get_stream_display()),
                  "advice": item.advice(language), "is_demo": item.is_demo}
                 for item in waste.search_sorting_guide(place, q)]
    return {"count": len(items), "items": items}
