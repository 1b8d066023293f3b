"""Mobility API: car parks with live availability, find-a-spot search, traffic congestion."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router

from citypocket.cities.selectors import get_city
from citypocket.core import fastlane, geojson, ngsild
from citypocket.core.http import (
    GEOJSON_CONTENT_TYPE,
    Read,
    cache_public,
    held_lasting_etags,
    lasting_etag,
    read_answer,
    render_json,
)
from citypocket.core.i18n import translated
from citypocket.core.params import CitySlug
from citypocket.core.problems import InvalidValues, responses
from citypocket.mobility import representations, selectors, status, traffic
from citypocket.mobility import search as finder
from citypocket.mobility.schemas import CarParkCollection, SearchCollection, TrafficCollection

router = Router(tags=["mobility"])

LIVE_MAX_AGE = 30  # seconds: readings arrive about every minute
MIN_WALK_LIMIT, MAX_WALK_LIMIT = 50, 5000
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 100, 500
MAX_ARRIVAL_AHEAD = timedelta(days=7)
PREDICTION_SOURCE = "X-Prediction-Source"

LIST_FORMATS = {
    "responses": {
        200: {
            "description": "GeoJSON (default), NGSI-LD OffStreetParking entities or the national CSV schema",
            "content": {
                "application/ld+json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
}


@router.get(
    "/cities/{city}/car-parks",
    response=responses({200: CarParkCollection}, 404, 422),
    operation_id="list_car_parks",
    summary="Car parks with live free spaces (GeoJSON, NGSI-LD or national CSV)",
    description=(
        "Each car park with its live status: `open`, `almost_full` (under 10 % free), `full` (0 free), "
        "`closed` (outside opening hours) or `unknown`. With no reading for MOBILITY_STALE_MINUTES (15) a "
        "car park is `stale`: `available` is null and the status `unknown`. `?format=ngsi-ld` (or "
        "`Accept: application/ld+json`) gives FIWARE OffStreetParking entities (normalized, Smart Data Models "
        "schema) with their `@context`; with `Accept: application/json`, the `@context` is in a `Link` "
        "header. `simulated` (and NGSI-LD `source`) marks demo data. "
        '`?format=csv` the national schema "Lieux de '
        'stationnement" v0.1.5 (car parks missing a required value are left out; their number is in '
        "the `X-Omitted-Rows` header)."
    ),
    openapi_extra=LIST_FORMATS,
)
@cache_public(max_age=LIVE_MAX_AGE)
def list_car_parks(
    request: HttpRequest,
    city: CitySlug,
    format: Literal["geojson", "ngsi-ld", "csv"] | None = None,
):
    place = get_city(slug=city)
    if format == "csv":
        text, omitted = representations.to_csv(
            selectors.list_car_parks(city=place), insee=(place.insee_codes or [""])[0]
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="stationnement-{place.slug}.csv"'
        response["X-Omitted-Rows"] = str(omitted)
        return response
    if ngsild.wanted(request, format):
        items = selectors.list_car_parks_rows(city=place, now=timezone.now())
        entities = [representations.ngsi_entity(item, city_slug=place.slug) for item in items]
        return ngsild.response(request, entities, context=representations.NGSI_CONTEXT)
    return ngsild.vary_on_accept(read_answer(request, car_park_list(request, place, now=timezone.now())))


# The last list this process made, per city and language, on PostgreSQL: (ETag, the moment it holds
# through, body). A lasting ETag names its body: the rows' digest, the city's time zone, the language,
# the status rules and a moment through which no status changes with time alone (car_park_list). While
# that moment holds and PostgreSQL's digest of the rows gives the same ETag, the list is these bytes.
_MADE_LISTS: dict[tuple[int, str], tuple[str, datetime | None, bytes]] = {}


def car_park_list(request: HttpRequest, place, *, now: datetime) -> Read:
    """The GeoJSON list (a hot read, also answered by the fast lane: core.fastlane): built in the
    CarParkCollection shape and rendered without ninja's output validation (core.http; tests/test_api.py
    holds the answer to the schema, byte for byte).

    On PostgreSQL its ETag is known before the body: a lasting ETag (core.http) of the digest of the
    rows read (mobility.rows), the language and the rules of the status, through the first moment a
    status may change with time alone (status.unchanged_through). A client that holds it while it
    still holds gets its 304 from the digest alone, computed by PostgreSQL: the rows are neither sent
    nor made into an answer. The same check finds the last list this process made (_MADE_LISTS): while
    its ETag holds, its body is the answer, read from the digest alone too. Elsewhere the ETag comes
    from the body (ConditionalGetMiddleware)."""
    held = held_lasting_etags(request, now)
    key = (place.pk, get_language())
    made = _MADE_LISTS.get(key)
    if made is not None and made[1] is not None and now > made[1]:
        made = None
    if held or made:
        digest = selectors.car_park_list_digest(city=place)
        if digest is not None:
            made_of = _list_made_of(place, digest)

            def build():
                return _list_data(selectors.list_car_parks_rows(city=place, now=now))

            for etag, through in held:
                if lasting_etag(through, *made_of) == etag:
                    return Read(build, etag=etag, content_type=GEOJSON_CONTENT_TYPE)
            if made is not None and lasting_etag(made[1], *made_of) == made[0]:
                return Read(build, etag=made[0], content_type=GEOJSON_CONTENT_TYPE, rendered=made[2])
    items, digest = selectors.list_car_parks_digested(city=place, now=now)
    if digest is None:
        return Read(lambda: _list_data(items), content_type=GEOJSON_CONTENT_TYPE)
    moments = [status.unchanged_through(opening_hours=item.car_park.opening_hours, tz=place.timezone,
                                        reading_time=item.car_park.free_time, now=now) for item in items]
    through = min((moment for moment in moments if moment is not None), default=None)
    etag = lasting_etag(through, *_list_made_of(place, digest))
    body = render_json(_list_data(items))
    _MADE_LISTS[key] = (etag, through, body)
    return Read(lambda: _list_data(items), etag=etag, content_type=GEOJSON_CONTENT_TYPE, rendered=body)


def _list_data(items) -> dict:
    return geojson.feature_collection(representations.feature(item) for item in items)


def _list_made_of(place, digest: str) -> tuple:
    """What the list is made of besides the moment: its rows, the city's time zone, the language of
    its labels and the rules of the status."""
    labels = list(translated(status.STATUS_LABELS).values())
    return ("car-parks", 2, digest, place.timezone, get_language(), labels, settings.MOBILITY_STALE_MINUTES,
            settings.MOBILITY_ALMOST_FULL_SHARE)


def parse_arrival(value: datetime | None, *, tz: str, now: datetime) -> datetime:
    """The arrival time in UTC: naive times are the city's local time; none means now."""
    if value is None:
        return now
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    value = value.astimezone(UTC)
    if value < now - timedelta(minutes=5):
        raise InvalidValues(
            "The arrival time is in the past.", errors=[{"field": "arrive_at", "message": "must not be in the past"}]
        )
    if value > now + MAX_ARRIVAL_AHEAD:
        raise InvalidValues(
            "The arrival time is more than 7 days ahead.",
            errors=[{"field": "arrive_at", "message": "at most 7 days ahead"}],
        )
    return max(value, now)


def run_search(
    *,
    place,
    lat: float,
    lon: float,
    arrive_at: datetime | None,
    max_walk_m: int,
    height_cm: int | None,
    disabled: bool,
    ev: bool,
    now: datetime,
):
    errors = []
    if not -90 <= lat <= 90:
        errors.append({"field": "lat", "message": "must be between -90 and 90"})
    if not -180 <= lon <= 180:
        errors.append({"field": "lon", "message": "must be between -180 and 180"})
    if not MIN_WALK_LIMIT <= max_walk_m <= MAX_WALK_LIMIT:
        errors.append({"field": "max_walk_m", "message": f"must be between {MIN_WALK_LIMIT} and {MAX_WALK_LIMIT}"})
    if height_cm is not None and not MIN_HEIGHT_CM <= height_cm <= MAX_HEIGHT_CM:
        errors.append({"field": "height_cm", "message": f"must be between {MIN_HEIGHT_CM} and {MAX_HEIGHT_CM}"})
    if errors:
        raise InvalidValues("Some values are invalid.", errors=errors)
    return finder.search(
        city=place,
        lat=lat,
        lon=lon,
        now=now,
        arrive_at=parse_arrival(arrive_at, tz=place.timezone, now=now),
        max_walk_m=max_walk_m,
        height_cm=height_cm,
        disabled=disabled,
        ev=ev,
    )


def _prediction(pred) -> dict:
    return {"free": pred.free, "method": pred.method, "history_weeks": pred.weeks}


def outcome_body(outcome, *, lat: float, lon: float) -> dict:
    features = []
    for rank, result in enumerate(outcome.results, start=1):
        item = selectors.CarParkLive(result.car_park, result.live)
        props = representations.properties(item)
        props.update(
            {
                "rank": rank,
                "score": result.score,
                "predicted": _prediction(result.prediction),
                "walk_m": result.walk_m,
                "walk_minutes": result.walk_min,
                "approach_traffic": result.approach,
                "reasons": result.reasons,
            }
        )
        features.append(geojson.feature(result.car_park.slug, representations.geometry(result.car_park), props))
    alternative = None
    if outcome.alternative is not None:
        alt = outcome.alternative
        alternative = {
            "id": alt.car_park.slug,
            "name": alt.car_park.name,
            "sensor": alt.car_park.sensor.external_id if alt.car_park.sensor_id else None,
            "available": alt.live.available,
            "status": alt.live.status,
            "stale": alt.live.stale,
            "simulated": representations.is_simulated(alt.car_park),
            "predicted": _prediction(alt.prediction),
            "transit_line": alt.transit_line,
            "transit_minutes": alt.transit_minutes,
            "walk_m": alt.walk_m,
            "walk_minutes": alt.walk_min,
            "total_minutes": alt.total_minutes,
            "co2": {
                "car_km": alt.co2.car_km,
                "car_kg": alt.co2.car_kg,
                "transit_kg": alt.co2.transit_kg,
                "avoided_kg": alt.co2.avoided_kg,
            },
            "reasons": alt.reasons,
        }
    # In SearchCollection's order (it is rendered without validation, which would reorder it).
    return {"type": "FeatureCollection", "destination": geojson.point(lon, lat), "arrive_at": outcome.arrive_at,
            "features": features, "park_and_ride": alternative}


@router.get(
    "/cities/{city}/car-parks/search",
    response=responses({200: SearchCollection}, 404, 422),
    operation_id="search_car_parks",
    summary="Find a spot near a destination at an arrival time, with a park-and-ride alternative",
    description=(
        "Car parks within `max_walk_m` (walking distance, metres) of the destination, ranked by a score "
        "of predicted free spaces at `arrive_at` (the car park's own history, same weekday and time, "
        "corrected by today's trend; free spaces now when history is short), walking distance and price, "
        "lowered when traffic on the approach is saturated. Each result lists the `reasons` of its rank. "
        "`park_and_ride` is the best park-and-ride with its transit leg and the CO₂ avoided. "
        "`arrive_at`: ISO 8601; without an offset it is the city's local time; default now. "
        "The usual free spaces come from profiles per car park and quarter-hour of the week that the "
        "task worker keeps; the `X-Prediction-Source` header says `profiles`, `history-read=N` when "
        "N car parks had no up-to-date profile and their history was read for the request, or `now` when the "
        "arrival is too near for any history."
    ),
)
@cache_public(max_age=LIVE_MAX_AGE)
def search_car_parks(
    request: HttpRequest,
    city: CitySlug,
    lat: Annotated[float, Query(ge=-90, le=90, description="Destination latitude (WGS 84)")],
    lon: Annotated[float, Query(ge=-180, le=180, description="Destination longitude (WGS 84)")],
    arrive_at: datetime | None = None,
    max_walk_m: Annotated[int, Query(ge=MIN_WALK_LIMIT, le=MAX_WALK_LIMIT)] = finder.DEFAULT_MAX_WALK_M,
    height_cm: Annotated[int | None, Query(ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM, description="Vehicle height")] = None,
    disabled: bool = False,
    ev: bool = False,
):
    place = get_city(slug=city)
    return read_answer(request, car_park_search(
        place, lat=lat, lon=lon, arrive_at=arrive_at, max_walk_m=max_walk_m, height_cm=height_cm,
        disabled=disabled, ev=ev, now=timezone.now(),
    ))


def car_park_search(place, *, lat: float, lon: float, now: datetime, **criteria) -> Read:
    """The search's answer (a hot read, also answered by the fast lane: core.fastlane), in the
    SearchCollection shape without ninja's output validation; `criteria` are run_search's. Its ETag
    comes from the body (ConditionalGetMiddleware)."""
    outcome = run_search(place=place, lat=lat, lon=lon, now=now, **criteria)
    # How the predictions were made: from the worker's profiles, or (none kept yet, or out of date)
    # from the history read for this request, for this many car parks.
    return Read(lambda: outcome_body(outcome, lat=lat, lon=lon), content_type=GEOJSON_CONTENT_TYPE,
                headers=((PREDICTION_SOURCE, outcome.prediction_source),))


@router.get(
    "/cities/{city}/traffic",
    response=responses({200: TrafficCollection}, 404, 422),
    operation_id="list_traffic",
    summary="Traffic counting points with congestion (GeoJSON)",
    description=(
        "Each counting point (TrafficFlowObserved) with its latest flow (veh/h), occupancy (0-1) and "
        "congestion: `fluide` (occupancy < 15 %), `pre_sature` (< 25 %), `sature` (< 40 %), `bloque` "
        "(>= 40 %), or `unknown` without a fresh occupancy reading."
    ),
)
@cache_public(max_age=LIVE_MAX_AGE)
def list_traffic(request: HttpRequest, city: CitySlug):
    return read_answer(request, traffic_list(get_city(slug=city), now=timezone.now()))


def traffic_list(place, *, now: datetime) -> Read:
    """The counting points (a hot read, also answered by the fast lane: core.fastlane), built in the
    TrafficCollection shape and rendered without ninja's output validation (core.http; the tests hold
    the answer to the schema, byte for byte). Its ETag comes from the body (ConditionalGetMiddleware)."""
    points = selectors.list_counting_points(city=place, now=now)

    def build() -> dict:
        labels = translated(traffic.LABELS)
        features = []
        for point in points:
            sensor = point.sensor
            properties = {
                "name": sensor.name,
                "road": sensor.metadata.get("road", sensor.name),
                "vehicle_flow": point.vehicle_flow,
                "occupancy": point.occupancy,
                "congestion": point.state,
                "congestion_label": labels[point.state],
                "observed_at": point.observed_at,
                "stale": point.stale,
                "simulated": sensor.simulated,
            }
            features.append(geojson.feature(sensor.external_id, geojson.point(sensor.lon, sensor.lat), properties))
        return geojson.feature_collection(features)

    return Read(build, content_type=GEOJSON_CONTENT_TYPE)


# --- The fast lane (core.fastlane): the same reads in front of Django, for plain anonymous GETs.
SEARCH_PARAMS = {"lat", "lon", "arrive_at", "max_walk_m", "height_cm", "disabled", "ev"}


def fast_list_car_parks(request: HttpRequest, language: str, query: dict, *, city: str) -> Read:
    if query or ngsild.variant(request.META.get("HTTP_ACCEPT", "")) == "ld+json":
        raise fastlane.Decline  # the CSV and NGSI-LD representations are Django's
    return car_park_list(request, get_city(slug=city), now=timezone.now())


def fast_list_traffic(request: HttpRequest, language: str, query: dict, *, city: str) -> Read:
    return traffic_list(get_city(slug=city), now=timezone.now())


def fast_search_car_parks(request: HttpRequest, language: str, query: dict, *, city: str) -> Read:
    if "lat" not in query or "lon" not in query:
        raise fastlane.Decline
    criteria = {
        "arrive_at": fastlane.moment(query["arrive_at"]) if "arrive_at" in query else None,
        "max_walk_m": fastlane.integer(query["max_walk_m"]) if "max_walk_m" in query else finder.DEFAULT_MAX_WALK_M,
        "height_cm": fastlane.integer(query["height_cm"]) if "height_cm" in query else None,
        "disabled": fastlane.boolean(query["disabled"]) if "disabled" in query else False,
        "ev": fastlane.boolean(query["ev"]) if "ev" in query else False,
    }
    return car_park_search(get_city(slug=city), lat=fastlane.number(query["lat"]), lon=fastlane.number(query["lon"]),
                           now=timezone.now(), **criteria)
