"""City-information API: places with their opening state (JSON and GeoJSON), the agenda, the news, the
one search."""

from datetime import datetime, timedelta
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import override
from ninja import Query, Router

from citypocket.cities.selectors import get_city
from citypocket.cityinfo import present, searchindex, selectors
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.models import ArticleCategory, PlaceKind
from citypocket.cityinfo.schemas import (
    ArticleDetail,
    ArticleList,
    OccurrenceList,
    PlaceDetail,
    PlaceList,
    SearchOut,
)
from citypocket.core import geojson
from citypocket.core.http import cache_public
from citypocket.core.pagination import PageIn, page_of
from citypocket.core.problems import InvalidValues, responses

router = Router(tags=["cityinfo"])

Language = Literal["fr", "en"]
Kind = Literal[tuple(PlaceKind.values)]  # type: ignore[valid-type]
NewsCategory = Literal[tuple(ArticleCategory.values)]  # type: ignore[valid-type]


def _language(request: HttpRequest, lang: str | None) -> str:
    """`?lang=` first, else the language negotiated from Accept-Language by the locale middleware."""
    return lang or ("en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "fr")


def _moment(at: datetime | None, zone) -> datetime:
    """The instant asked: `at` (a naive time is the city's local time), now by default."""
    if at is None:
        return timezone.now()
    return at.replace(tzinfo=zone) if at.tzinfo is None or at.utcoffset() is None else at


def _near(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if (lat is None) != (lon is None):
        field = "lon" if lon is None else "lat"
        raise InvalidValues("Give both lat and lon, or neither.",
                            errors=[{"field": field, "message": "lat and lon go together"}])
    return (lat, lon) if lat is not None else None


@router.get(
    "/cities/{city}/places",
    response=responses({200: PlaceList}, 404, 422),
    operation_id="list_places",
    summary="Places and public services with their opening state now (JSON or GeoJSON)",
    description=(
        "Town halls, libraries, pools, museums, recycling centres, toilets, drinking fountains, "
        "defibrillators… with `state` (`open`, `closed`, `unknown`) at `at` (now by default; a time "
        "without offset is the city's local time), French public holidays and exceptional closures "
        "included. Filters: `kind`, `open_now`, `accessible` (wheelchair: yes). With `lat` and `lon`, "
        "sorted by distance (`distance_m`). `?format=geojson` answers a GeoJSON FeatureCollection of "
        "every matching place (not paged)."
    ),
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}}},
)
@cache_public(max_age=60)
def list_places(
    request: HttpRequest,
    city: str,
    page: Query[PageIn],
    kind: Kind | None = None,
    open_now: bool = False,
    accessible: bool = False,
    lat: float | None = Query(None, ge=-90, le=90),
    lon: float | None = Query(None, ge=-180, le=180),
    at: datetime | None = None,
    lang: Language | None = None,
    format: Literal["json", "geojson"] = "json",
):
    place = get_city(slug=city)
    language = _language(request, lang)
    near = _near(lat, lon)
    with override(language):
        items = selectors.list_places_now(
            city=place, moment=_moment(at, place.zone), language=language, kind=kind, open_now=open_now,
            accessible=accessible, near=near,
        )
        if format == "geojson":
            return geojson.response(geojson.feature_collection(present.place_feature(item) for item in items))
        body = page_of(items, page)
        body["items"] = [present.place_out(item) for item in body["items"]]
    return body


@router.get(
    "/cities/{city}/places/{slug}",
    response=responses({200: PlaceDetail}, 404, 422),
    operation_id="get_place",
    summary="One place: contact, accessibility, opening hours, state now and exceptional closures",
)
@cache_public(max_age=60)
def get_place(request: HttpRequest, city: str, slug: str, at: datetime | None = None,
              lang: Language | None = None):
    place = get_city(slug=city)
    language = _language(request, lang)
    moment = _moment(at, place.zone)
    found = selectors.get_place(city=place, slug=slug, moment=moment)
    with override(language):
        hours = selectors.hours_of(found, moment=moment, language=language)
        return present.place_detail(selectors.PlaceNow(found, hours), language)


MAX_PERIOD = timedelta(days=366)


@router.get(
    "/cities/{city}/events",
    response=responses({200: OccurrenceList}, 404, 422),
    operation_id="list_events",
    summary="The agenda: occurrences of events in a period, recurring series expanded",
    description=(
        "Each occurrence in `[from, to)` (at most 366 days; a time without offset is the city's local "
        "time), or in `when`: `today`, `weekend` (Saturday and Sunday, the rest of it when one has "
        "begun) or `upcoming` (from now to 30 days ahead, the default). Recurring events (RRULE) are "
        "expanded in the city's time zone. Filters: `category` (slug), `free`, `accessible` (wheelchair); "
        "with `lat` and `lon`, sorted by the venue's distance. Times are UTC."
    ),
)
@cache_public(max_age=300)
def list_events(
    request: HttpRequest,
    city: str,
    page: Query[PageIn],
    when: Literal["today", "weekend", "upcoming"] = "upcoming",
    start: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    category: str | None = Query(None, max_length=60),
    free: bool = False,
    accessible: bool = False,
    lat: float | None = Query(None, ge=-90, le=90),
    lon: float | None = Query(None, ge=-180, le=180),
    lang: Language | None = None,
):
    place = get_city(slug=city)
    language = _language(request, lang)
    now = timezone.now()
    if start is not None or to is not None:
        if start is None or to is None:
            field = "to" if to is None else "from"
            raise InvalidValues("Give both from and to, or neither.",
                                errors=[{"field": field, "message": "from and to go together"}])
        start, end = _moment(start, place.zone), _moment(to, place.zone)
        if not start < end <= start + MAX_PERIOD:
            raise InvalidValues("The period must be positive and at most 366 days.",
                                errors=[{"field": "to", "message": "after from, at most 366 days later"}])
    else:
        start, end = selectors.compute_period(city=place, when=when, moment=now)
        if when == "upcoming":
            start = now
    items = selectors.list_occurrences(city=place, start=start, end=end, category=category, free=free,
                                       accessible=accessible, near=_near(lat, lon))
    body = page_of(items, page)
    body["items"] = [present.occurrence_out(item, language) for item in body["items"]]
    return body


# Waste collection, the sorting guide and the one address search (cityinfo/waste_api.py).
from citypocket.cityinfo.waste_api import router as waste_router  # noqa: E402

router.add_router("", waste_router)


@router.get(
    "/cities/{city}/search",
    response=responses({200: SearchOut}, 404, 422),
    operation_id="search_city",
    summary="One search across the city's news, events, places, participation, car parks, air stations…",
    description=(
        "The city's public items matching `q`, grouped by kind (the order of the site), each group with "
        "its full `count` and its best `per_kind` items. Accents and case are ignored; on PostgreSQL "
        "French and English words are stemmed (`piscines` finds *piscine*) and typos are tolerated by "
        "trigram similarity (`piscne` finds *piscine*). Titles and summaries in `lang`."
    ),
)
@cache_public(max_age=60)
def search_city(
    request: HttpRequest,
    city: str,
    q: str = Query(..., min_length=1, max_length=searchindex.MAX_QUERY_LENGTH),
    per_kind: int = Query(searchindex.PER_KIND, ge=1, le=20),
    lang: Language | None = None,
):
    place = get_city(slug=city)
    if not searchindex.normalise(q):
        raise InvalidValues("Type at least one word.", errors=[{"field": "q", "message": "no word in it"}])
    language = _language(request, lang)
    results = searchindex.search(place, q, language=language, per_kind=per_kind)
    return {
        "query": results.query, "total": results.total, "corrected": results.corrected,
        "groups": [{"kind": group.kind, "label": group.label, "count": group.count,
                    "items": [{"title": hit.title, "summary": hit.summary, "url": hit.url} for hit in group.hits]}
                   for group in results.groups],
    }


def _article_out(article, language: str, body: bool = False) -> dict:
    from django.urls import reverse

    data = {
        "slug": article.slug, "category": article.category,
        "category_label": str(article.get_category_display()),
        "title": article.title(language), "summary": article.summary(language),
        "url": reverse("cityinfo:article", kwargs={"city": article.city.slug, "slug": article.slug}),
        "cover_url": article.cover_url, "cover_alt": article.cover_alt(language) if article.cover_url else "",
        "published_at": article.publish_at, "updated_at": article.updated_at, "expires_at": article.expires_at,
    }
    if body:
        data["body_html"] = sanitise_html(article.body(language))
    return data


@router.get(
    "/cities/{city}/news",
    response=responses({200: ArticleList}, 404, 422),
    operation_id="list_news",
    summary="The city's news shown now, newest first",
    description=("Published articles whose publication time has passed and which have not expired; "
                 "`category` filters (`city_life`, `works`, `culture`, `environment`, `services`). "
                 "Drafts and scheduled articles are never listed."),
)
@cache_public(max_age=300)
def list_news(request: HttpRequest, city: str, page: Query[PageIn], category: NewsCategory | None = None,
              lang: Language | None = None):
    place = get_city(slug=city)
    language = _language(request, lang)
    articles = selectors.list_articles(city=place, moment=timezone.now(), category=category)
    body = page_of(articles, page)
    with override(language):
        body["items"] = [_article_out(article, language) for article in body["items"]]
    return body


@router.get(
    "/cities/{city}/news/{slug}",
    response=responses({200: ArticleDetail}, 404),
    operation_id="get_news_article",
    summary="One article of the city's news, its body as sanitised HTML",
)
@cache_public(max_age=300)
def get_news_article(request: HttpRequest, city: str, slug: str, lang: Language | None = None):
    place = get_city(slug=city)
    language = _language(request, lang)
    article = selectors.get_article(city=place, slug=slug, moment=timezone.now())
    with override(language):
        return _article_out(article, language, body=True)
