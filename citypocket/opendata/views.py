"""The open-data portal pages: what a city publishes, with downloads, each dataset described for search
engines as a schema.org `Dataset` (JSON-LD in the page)."""

import json

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from citypocket.core.problems import NotFound
from citypocket.core.views import resolve_city
from citypocket.opendata import dcat, selectors
from citypocket.opendata.access import mark_private, viewer_from_request
from citypocket.opendata.presenters import present_dataset, schema_org_dataset

PAGE_MAX_AGE = 300


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _urls(request) -> dcat.Urls:
    return dcat.Urls(request.build_absolute_uri("/"))


def _cache(response, *, private: bool):
    """Public for PAGE_MAX_AGE, or private when the page depends on who reads it."""
    if private:
        return mark_private(response)
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


@require_GET
def portal(request, city: str):
    """`/<city>/data/`: every published dataset (the restricted ones its reader may read) with its
    freshness and downloads."""
    place = resolve_city(city)
    viewer = viewer_from_request(request, tokens=False)
    datasets = [present_dataset(d, urls=_urls(request), language=_language())
                for d in selectors.list_published_datasets(city=place, viewer=viewer).order_by("slug")]
    response = render(request, "opendata/portal.html", {"city": place, "datasets": datasets})
    return _cache(response, private=viewer.is_identified)


@require_GET
def dataset_page(request, city: str, dataset: str):
    """`/<city>/data/<dataset>/`: description, fields, downloads and the schema.org `Dataset`."""
    place = resolve_city(city)
    viewer = viewer_from_request(request, tokens=False)
    try:
        served = selectors.get_served_dataset(city=place, slug=dataset, viewer=viewer)
    except NotFound as error:
        raise Http404(str(error)) from error
    urls = _urls(request)
    language = _language()
    description = schema_org_dataset(served.dataset, urls=urls, language=language,
                                     page_url=request.build_absolute_uri(request.path))
    response = render(request, "opendata/dataset.html", {
        "city": place,
        "dataset": present_dataset(served.dataset, urls=urls, language=language),
        # A JSON-LD data block: `<` escaped so that no value can close the script element.
        "schema_org": json.dumps(description, ensure_ascii=False).replace("<", "\\u003c"),
    })
    return _cache(response, private=viewer.is_identified or served.dataset.is_restricted)
