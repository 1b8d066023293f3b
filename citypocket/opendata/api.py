"""The open-data API: the DCAT-AP catalogs (federation and per city), each city's datasets, and their
rows — filtered, sorted and paged by cursor, or exported whole as CSV, GeoJSON, JSON Lines or Parquet.

Public answers are the same for everyone: they carry `Cache-Control: public`, an `ETag`, and for
the rows and exports a `Last-Modified` that is the dataset's `modified`; a client that sends the
ETag back gets a 304 before any row is read. A restricted dataset (`opendata.access`) is read by
the staff of its city and partner cities (session) and by their data access tokens
(`Authorization: Bearer cpd_…`); for anyone else it is a 404 and absent from every list. Answers
to an identified viewer are `Cache-Control: private, no-store`.
"""

import hashlib
import json
from typing import Literal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag
from ninja import Router

from citypocket.cities.selectors import get_city
from citypocket.core.pagination import next_link
from citypocket.core.problems import InvalidValues, responses
from citypocket.opendata import dcat, exports, rows, selectors
from citypocket.opendata.access import mark_private, viewer_from_request
from citypocket.opendata.presenters import present_dataset
from citypocket.opendata.schemas import DatasetList, DatasetOut, RowPage

router = Router(tags=["opendata"])

CATALOG_MAX_AGE = 3600
ROWS_MAX_AGE = 300
Serialization = Literal["ttl", "jsonld", "rdf"]
RDF_RESPONSE = {
    "description": "The catalog in DCAT-AP 3.0.1 (Turtle by default; JSON-LD or RDF/XML by `Accept` or `?format=`).",
    # JSON-LD is JSON (an object, or a list of nodes); Turtle and RDF/XML are text.
    "content": {media: {"schema": {"type": ["object", "array"]} if media.endswith("json") else {"type": "string"}}
                for _, media, _ in dcat.SERIALIZATIONS.values()},
}
EXPORT_CONTENT = {
    "description": "One page of rows (JSON), or the whole selection as a file with `?format=`.",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/RowPage"}},
        # GeoJSON is a JSON object; CSV, JSON Lines and Parquet are files.
        **{media.split(";")[0]: {"schema": {"type": "object"} if "geo+json" in media else {"type": "string"}}
           for media in exports.MEDIA_TYPES.values()},
    },
}


def _negotiate(request: HttpRequest, format: str | None) -> str:
    """`?format=` first, else the first RDF media type the client accepts (`application/json` reads as
    JSON-LD); Turtle otherwise."""
    if format:
        return format
    accepted = request.headers.get("Accept", "")
    ranked = []
    for position, part in enumerate(accepted.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        code = dcat.MEDIA_TYPES.get(media) or ("jsonld" if media == "application/json" else None)
        if code and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else "ttl"


def _rdf_response(request: HttpRequest, graph, code: str, *, private: bool = False) -> HttpResponse:
    body = dcat.serialize(graph, code)
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=f"{dcat.SERIALIZATIONS[code][1]}; charset=utf-8")
    response["ETag"] = etag
    response["Vary"] = "Accept"
    return _cache(response, private=private, max_age=CATALOG_MAX_AGE)


def _cache(response: HttpResponse, *, private: bool, max_age: int) -> HttpResponse:
    """Public for `max_age` seconds, or private (an answer that depends on who asks)."""
    if private:
        return mark_private(response)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _urls(request: HttpRequest) -> dcat.Urls:
    return dcat.Urls(settings.SITE_URL or request.build_absolute_uri("/"))


@router.get(
    "/catalog",
    response={200: None, **responses({}, 401, 422)},
    openapi_extra={"responses": {200: RDF_RESPONSE}},
    operation_id="get_federation_catalog",
    url_name="federation_catalog",
    summary="The federation catalog (DCAT-AP) of every city of this install",
    description=(
        "Every city catalog (`dcat:catalog`) and every published dataset of every city, each with its "
        "city as publisher; paged with Hydra (`page`, `page_size`)."
    ),
)
def get_federation_catalog(request: HttpRequest, format: Serialization | None = None, page: int = 1,
                           page_size: int = dcat.DEFAULT_PAGE_SIZE):
    viewer = viewer_from_request(request)
    code = _negotiate(request, format)
    graph = dcat.federation_catalog(
        urls=_urls(request), catalogs=selectors.list_catalogs(),
        datasets=selectors.list_published_datasets(viewer=viewer).order_by("city__slug", "slug"),
        services=selectors.list_data_services(viewer=viewer), page=_page(page, page_size),
        title_fr="Catalogue fédéré CityPocket", title_en="CityPocket federated catalog",
    )
    return _rdf_response(request, graph, code, private=viewer.is_identified)


def _page(number: int, size: int) -> dcat.Page:
    errors = []
    if number < 1:
        errors.append({"field": "page", "message": "pages count from 1"})
    if not 1 <= size <= dcat.MAX_PAGE_SIZE:
        errors.append({"field": "page_size", "message": f"from 1 to {dcat.MAX_PAGE_SIZE}"})
    if errors:
        raise InvalidValues("Some parameters are invalid.", errors=errors)
    return dcat.Page(number, size)


@router.get(
    "/cities/{city}/catalog",
    response={200: None, **responses({}, 401, 404, 422)},
    openapi_extra={"responses": {200: RDF_RESPONSE}},
    operation_id="get_city_catalog",
    url_name="city_catalog",
    summary="A city's open-data catalog (DCAT-AP)",
    description="The city's datasets, their distributions and its data API; paged with Hydra (`page`, `page_size`).",
)
def get_city_catalog(request: HttpRequest, city: str, format: Serialization | None = None, page: int = 1,
                     page_size: int = dcat.DEFAULT_PAGE_SIZE):
    place = get_city(slug=city)
    viewer = viewer_from_request(request)
    code = _negotiate(request, format)
    catalog = selectors.get_catalog(city=place)
    graph = dcat.city_catalog(
        urls=_urls(request), catalog=catalog,
        datasets=selectors.list_published_datasets(city=place, viewer=viewer).order_by("slug"),
        services=selectors.list_data_services(city=place, viewer=viewer), page=_page(page, page_size),
    )
    return _rdf_response(request, graph, code, private=viewer.is_identified)


@router.get(
    "/cities/{city}/data",
    response=responses({200: DatasetList}, 401, 404),
    operation_id="list_city_datasets",
    url_name="list_city_datasets",
    summary="A city's published datasets",
    description="Every dataset of the city's catalog, with its fields, freshness and downloads.",
)
def list_city_datasets(request: HttpRequest, city: str):
    place = get_city(slug=city)
    viewer = viewer_from_request(request)
    language = getattr(request, "LANGUAGE_CODE", "fr")
    items = [present_dataset(dataset, urls=_urls(request), language=language)
             for dataset in selectors.list_published_datasets(city=place, viewer=viewer).order_by("slug")]
    return _json({"count": len(items), "items": items}, private=viewer.is_identified)


def _json(body: dict, *, private: bool) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
                            content_type="application/json; charset=utf-8")
    return _cache(response, private=private, max_age=ROWS_MAX_AGE)


@router.get(
    "/cities/{city}/data/{dataset}",
    response=responses({200: DatasetOut}, 401, 404),
    operation_id="get_city_dataset",
    url_name="get_city_dataset",
    summary="One dataset: its description, fields (Table Schema types) and downloads",
    description=("A harvested dataset (`harvested`) names its original publisher and its page at its source; "
                 "its downloads are the files there, and it has no rows here."),
)
def get_city_dataset(request: HttpRequest, city: str, dataset: str):
    place = get_city(slug=city)
    viewer = viewer_from_request(request)
    found = selectors.get_published_dataset(city=place, slug=dataset, viewer=viewer)
    body = present_dataset(found, urls=_urls(request), language=getattr(request, "LANGUAGE_CODE", "fr"))
    return _json(body, private=viewer.is_identified or found.is_restricted)


@router.get(
    "/cities/{city}/data/{dataset}/rows",
    response={200: RowPage, **responses({}, 401, 404, 422)},
    openapi_extra={"responses": {200: EXPORT_CONTENT}},
    operation_id="list_dataset_rows",
    url_name="list_dataset_rows",
    summary="A dataset's rows: filters, fields, sort, cursor pages, or the whole selection as a file",
    description=(
        "Filters: `<field>=value` and `<field>__gt|gte|lt|lte=value` on any field of the dataset (typed as "
        "the field), `bbox=west,south,east,north` on its position, `from`/`to` (half-open) on its time field. "
        "`fields=a,b` picks columns, `sort=field` or `sort=-field` (sortable fields), `limit` (1 to 1000, 100 by "
        "default) and `cursor` page with no depth limit. `format=csv|geojson|jsonl|parquet` streams every "
        "matching row as a file. An unknown field or a value of the wrong type is a 422 problem."
    ),
)
def list_dataset_rows(request: HttpRequest, city: str, dataset: str,
                      format: Literal["json", "csv", "geojson", "jsonl", "parquet"] = "json"):
    place = get_city(slug=city)
    viewer = viewer_from_request(request)
    served = selectors.get_served_dataset(city=place, slug=dataset, viewer=viewer)
    definition, record = served.definition, served.dataset
    if format == "geojson" and not definition.is_geographic:
        raise InvalidValues("Some parameters are invalid.",
                                 errors=[{"field": "format", "message": "this dataset has no location"}])
    query = rows.parse_query(definition, request.GET, paged=format == "json")
    etag = quote_etag(hashlib.sha256(
        f"{record.fingerprint}|{format}|{sorted(request.GET.lists())}".encode()
    ).hexdigest()[:32])
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    elif format == "json":
        page = rows.page(definition, place, query)
        body = {"items": [rows.project(row, query.fields) for row in page.items],
                "next": next_link(request, page.next_cursor)}
        response = HttpResponse(json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
                                content_type="application/json; charset=utf-8")
    else:
        stream = exports.export(format, definition, place, query)
        response = StreamingHttpResponse(stream, content_type=exports.MEDIA_TYPES[format])
        filename = f"{place.slug}-{record.slug}.{exports.EXTENSIONS[format]}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    if record.modified:
        response["Last-Modified"] = http_date(record.modified.timestamp())
    return _cache(response, private=viewer.is_identified or record.is_restricted, max_age=ROWS_MAX_AGE)
