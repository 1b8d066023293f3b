"""Air API: the index calculator, a city's "air now", its stations (GeoJSON / NGSI-LD) and daily history."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from citypocket.air import alerts, exports, indices, now, present, selectors
from citypocket.air.schemas import (
    AirNowOut,
    DailyIndexList,
    IndexOut,
    PushSubscriptionIn,
    StationCollection,
    SubscriptionOut,
)
from citypocket.cities.selectors import get_city
from citypocket.core import geojson, ngsild
from citypocket.core.http import Read, cache_public, enforce_csrf, read_answer
from citypocket.core.params import CitySlug
from citypocket.core.problems import InvalidValues, responses
from citypocket.core.throttling import write_throttle
from citypocket.notifications.schemas import VapidKeyOut

router = Router(tags=["air"])

Language = Literal["fr", "en"]
Concentration = Annotated[float | None, Query(ge=0, allow_inf_nan=False, description="µg/m³")]
Station = Annotated[str | None, Query(max_length=120, description="A station's external id, e.g. `FR25036`")]


def _language(request: HttpRequest, lang: str | None) -> str:
    """`?lang=` first, else the language negotiated from Accept-Language by the locale middleware."""
    return lang or getattr(request, "LANGUAGE_CODE", "fr") or "fr"


@router.get(
    "/air/index",
    response=responses({200: IndexOut}, 422),
    operation_id="compute_air_index",
    summary="Compute an air-quality index from concentrations (µg/m³)",
    description=(
        "ATMO 2021 (French daily index: pass the day's maximum hourly NO2, O3, SO2 and the daily mean "
        "PM10, PM2.5) or EAQI 2024 (European hourly index: hourly values). Any subset of pollutants; "
        "missing ones are ignored. The index is the worst sub-index; `dominant` lists every pollutant "
        "at that level. No pollutant at all, or a negative or non-finite value, answers 422."
    ),
)
@cache_public(max_age=86400)
def compute_air_index(
    request: HttpRequest,
    scale: Literal["atmo-2021", "eaqi-2024"] = "atmo-2021",
    no2: Concentration = None,
    o3: Concentration = None,
    pm10: Concentration = None,
    pm25: Concentration = None,
    so2: Concentration = None,
    lang: Language | None = None,
):
    given = {"no2": no2, "o3": o3, "pm10": pm10, "pm25": pm25, "so2": so2}
    errors = []
    for pollutant, value in given.items():
        if value is None:
            continue
        try:
            indices.check_concentration(pollutant, value)
        except indices.InvalidConcentration as error:
            errors.append({"field": pollutant, "message": error.message})
    if errors:
        raise InvalidValues("Concentrations must be finite numbers >= 0 (µg/m³).", errors=errors)
    try:
        result = indices.compute_index(scale, given)
    except indices.NoPollutant:
        raise InvalidValues(
            "Give at least one concentration: no2, o3, pm10, pm25 or so2.",
            errors=[{"field": "__all__", "message": "at least one pollutant is required"}],
        ) from None
    return present.index_dict(result, _language(request, lang))


@router.get(
    "/cities/{city}/air/now",
    response=responses({200: AirNowOut}, 404, 422),
    operation_id="get_air_now",
    summary="A city's air quality now: today's ATMO index, the official one, each station's EAQI",
    description=(
        "`atmo` is today's ATMO index computed from the city's stations (the worst station; provisional "
        "while the day is in progress). `official` / `official_tomorrow` are the indices published by the "
        "Atmo association when a feed is configured. Each station carries its latest values, its current "
        "EAQI and `stale: true` when it has reported nothing for 3 hours."
    ),
)
@cache_public(max_age=60)
def get_air_now(request: HttpRequest, city: CitySlug, lang: Language | None = None):
    # A hot read: one query when the worker's stored answer is current, else two; its ETag from what was
    # read (a 304 before any answer is built), and an answer rendered in the AirNowOut shape without
    # ninja's validation (core.http.Read).
    return read_answer(request, air_now(get_city(slug=city), _language(request, lang)))


def air_now(place, language: str) -> Read:
    """The answer of "air now" in `language` (also given by the fast lane: core.fastlane): the one the
    worker stored while it is current, else built from the live state (air.now)."""
    return now.read(place, language)


@router.get(
    "/cities/{city}/air/stations",
    response=responses({200: StationCollection}, 404, 422),
    operation_id="list_air_stations",
    summary="Air-quality stations with their latest index (GeoJSON, or NGSI-LD AirQualityObserved)",
    description=(
        "`?format=ngsi-ld` (or `Accept: application/ld+json`) answers `application/ld+json`: one normalized "
        "AirQualityObserved entity per station that has measured something (Smart Data Models schema), "
        "with its `@context`; with `Accept: application/json` and `?format=ngsi-ld`, the same entities "
        "without `@context`, given in a `Link` header instead (NGSI-LD). `simulated` / `source` say when "
        "the values are simulated demo data."
    ),
    openapi_extra={"responses": {200: {"content": {
        "application/ld+json": {"schema": {"type": "array", "items": {"type": "object"}}},
    }}}},
)
@cache_public(max_age=60)
def list_air_stations(
    request: HttpRequest,
    response: HttpResponse,
    city: CitySlug,
    format: Literal["geojson", "ngsi-ld"] | None = None,
    lang: Language | None = None,
):
    place = get_city(slug=city)
    stations = selectors.list_stations_now(city=place)
    if ngsild.wanted(request, format):
        # An AirQualityObserved is an observation (`dateObserved` is required): a station that has
        # measured nothing yet has no entity.
        entities = [present.station_ngsi_ld(item, city_slug=place.slug) for item in stations if item.measured_at]
        return ngsild.response(request, entities, context=present.NGSI_LD_CONTEXT)
    ngsild.vary_on_accept(response)
    language = _language(request, lang)
    return geojson.feature_collection(present.station_feature(item, language) for item in stations)


@router.get(
    "/cities/{city}/air/indices",
    response=responses({200: DailyIndexList}, 404, 422),
    operation_id="list_air_daily_indices",
    summary="Daily ATMO indices of a city (computed per station and city-wide, and official)",
    description=(
        "Half-open period `[from, to)` of local dates, at most 366 days; defaults to the last 7 days and "
        "tomorrow. A time series bounded by its period: every row of the period, not paged. "
        "`?format=csv|geojson` for open-data downloads (columns described in docs/air.md; GeoJSON: one "
        "feature per index, at its station or at the city centre)."
    ),
    openapi_extra={"responses": {200: {"content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/geo+json": {"schema": {"type": "object"}},
    }}}},
)
@cache_public(max_age=300)
def list_air_daily_indices(
    request: HttpRequest,
    city: CitySlug,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    station: Station = None,
    format: Literal["json", "csv", "geojson"] = "json",
    lang: Language | None = None,
):
    place = get_city(slug=city)
    today = place.local_today()
    end = end or today + timedelta(days=2)
    start = start or today - timedelta(days=6)
    if start >= end or (end - start).days > 366:
        raise InvalidValues("The period must be 1 to 366 days.", errors=[{"field": "start", "message": "bad period"}])
    sensor = selectors.get_sensor(city=place, external_id=station) if station else None
    rows = list(selectors.list_daily_indices(city=place, start=start, end=end, station=sensor))
    if format == "csv":
        return _csv_response(exports.indices_csv(rows), f"{place.slug}-air-daily-indices.csv")
    if format == "geojson":
        return geojson.response(exports.indices_geojson(rows, city=place))
    language = _language(request, lang)
    return {"count": len(rows), "items": [present.daily_dict(row, language) for row in rows]}


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValues("Times need a UTC offset.", errors=[{"field": field, "message": "no UTC offset"}])
    return moment.astimezone(UTC)


MAX_EXPORT = timedelta(days=31)


@router.get(
    "/cities/{city}/air/observations",
    response=responses({200: str}, 404, 422),
    operation_id="export_air_observations",
    summary="Hourly observations of the air stations, as CSV or GeoJSON (open data)",
    description=(
        "Hourly means (µg/m³) per station and pollutant over `[from, to)` (ISO 8601 with an offset; at most "
        "31 days; default: the last 24 hours). `format=csv` (long form, one row per station, hour and "
        "pollutant) or `format=geojson` (one feature per station and hour)."
    ),
    openapi_extra={"responses": {200: {"description": "CSV or GeoJSON", "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/geo+json": {"schema": {"type": "object"}},
    }}}},
)
@cache_public(max_age=300)
def export_air_observations(
    request: HttpRequest,
    city: CitySlug,
    format: Literal["csv", "geojson"] = "csv",
    station: Station = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
):
    place = get_city(slug=city)
    end = _aware(end, "to") if end else timezone.now().astimezone(UTC)
    start = _aware(start, "from") if start else end - timedelta(days=1)
    if start >= end or end - start > MAX_EXPORT:
        raise InvalidValues("The period must be positive and at most 31 days.",
                            errors=[{"field": "from", "message": "bad period"}])
    if station:
        selectors.get_sensor(city=place, external_id=station)
    rows = exports.list_hourly_observations(city=place, start=start, end=end, station=station)
    if format == "geojson":
        return geojson.response(exports.observations_geojson(rows))
    return _csv_response(exports.observations_csv(rows), f"{place.slug}-air-hourly.csv")


@router.get(
    "/air/alerts/vapid-public-key",
    response=responses({200: VapidKeyOut}),
    operation_id="get_air_alerts_vapid_key",
    summary="The VAPID application server key to subscribe to air alerts by web push (empty when off)",
)
def get_air_alerts_vapid_key(request: HttpRequest):
    return {"public_key": alerts.vapid_public_key()}


@router.post(
    "/cities/{city}/air/alerts/push-subscriptions",
    response=responses({201: SubscriptionOut}, 403, 404, 422, 429),
    operation_id="subscribe_air_alerts_push",
    summary="Subscribe a browser (web push) to the city's pollution episode alerts",
    description=(
        "Body: the browser's PushSubscription JSON plus `language`. The answer's `token` is the only way to "
        "unsubscribe (DELETE /air/alerts/subscriptions/{token}); keep it. Endpoints must be https on a public host. "
        "Made while signed in (session), the subscription belongs to the account (in its data export, erased "
        "with it) and the request needs the CSRF token (header X-CSRFToken)."
    ),
    throttle=write_throttle(),
)
def subscribe_air_alerts_push(request: HttpRequest, city: CitySlug, payload: PushSubscriptionIn):
    place = get_city(slug=city)
    if request.user.is_authenticated:
        enforce_csrf(request)
    subscription = alerts.subscribe_push(city=place, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
                                         auth=payload.keys.auth, language=payload.language, user=request.user)
    return 201, {"token": str(subscription.token), "channel": subscription.channel, "city": place.slug,
                 "language": subscription.language}


@router.delete(
    "/air/alerts/subscriptions/{token}",
    response=responses({204: None}, 404, 422, 429),
    operation_id="unsubscribe_air_alerts",
    summary="Stop the air alerts of a subscription (by its secret token)",
    throttle=write_throttle(),
)
def unsubscribe_air_alerts(request: HttpRequest, token: UUID):
    alerts.unsubscribe(token=token)
    return 204, None


def fast_air_now(request: HttpRequest, language: str, query: dict, *, city: str) -> Read:
    """"Air now" in the fast lane (core.fastlane): the language is `?lang=` or Accept-Language's, as above."""
    return air_now(get_city(slug=city), language)
