"""The open-data portal pages: the city's datasets with search and facets, and one dataset with its
freshness, a preview of its rows, a map or a chart when the data has places or times, its downloads,
an API example, its fields, its validation status and quality score, described for search engines as
a schema.org `Dataset` (JSON-LD in the page).

Both pages work without JavaScript: the map and the copy button are enhancements over a table and
a plain text field.
"""

import json
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from citypocket.core.charts import bar_chart_svg
from citypocket.core.problems import NotFound
from citypocket.core.views import resolve_city
from citypocket.opendata import dcat, previews, search, selectors
from citypocket.opendata import vocabularies as voc
from citypocket.opendata.access import mark_private, viewer_from_request
from citypocket.opendata.presenters import present_dataset, present_validation, schema_org_dataset

PAGE_MAX_AGE = 300


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _urls(request) -> dcat.Urls:
    return dcat.Urls(request.build_absolute_uri("/"))


def _facet_titles() -> dict[str, str]:
    return {"theme": _("Theme"), "publisher": _("Publisher"), "format": _("Format"), "licence": _("Licence"),
            "high_value": _("High-value dataset")}


def _cache(response, *, private: bool):
    """Public for PAGE_MAX_AGE, or private when the page depends on who reads it."""
    if private:
        return mark_private(response)
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


@require_GET
def portal(request, city: str):
    """`/<city>/data/?q=…&theme=…&format=…`: the datasets matching a search and the chosen facets (the
    restricted ones only for a reader who may read them)."""
    place = resolve_city(city)
    viewer = viewer_from_request(request, tokens=False)
    language = _language()
    chosen = {name: tuple(v for v in request.GET.getlist(name) if v)[:20] for name in search.FACETS}
    result = selectors.search_datasets(city=place, q=request.GET.get("q", ""), facets=chosen, language=language,
                                       viewer=viewer)
    urls = _urls(request)
    titles = _facet_titles()
    facets = [{"name": facet.name, "title": titles[facet.name], "values": facet.values} for facet in result.facets]
    response = render(request, "opendata/portal.html", {
        "city": place,
        "datasets": [present_dataset(d, urls=urls, language=language) for d in result.datasets],
        "query": result.query,
        "facets": facets,
        "filtered": bool(result.query or result.selected),
        "selected": [(titles[name], search.facet_label(name, value, language), name, value)
                     for name, values in result.selected.items() for value in values],
        "clear_url": request.path + (("?" + urlencode({"q": result.query})) if result.query else ""),
    })
    return _cache(response, private=viewer.is_identified)


@require_GET
def dataset_page(request, city: str, dataset: str):
    """`/<city>/data/<dataset>/`: everything a reuser needs to judge and take a dataset."""
    place = resolve_city(city)
    viewer = viewer_from_request(request, tokens=False)
    try:
        found = selectors.get_published_dataset(city=place, slug=dataset, viewer=viewer)
    except NotFound as error:
        raise Http404(str(error)) from error
    urls = _urls(request)
    language = _language()
    record = found
    # A harvested dataset has no rows here: its files are at its source.
    definition = (None if record.is_harvested
                  else selectors.get_served_dataset(city=place, slug=dataset, viewer=viewer).definition)
    description = schema_org_dataset(record, urls=urls, language=language,
                                     page_url=request.build_absolute_uri(request.path))
    periods = previews.series(definition, record, place) if definition else []
    chart = None
    if periods:
        monthly = record.accrual_periodicity in ("MONTHLY", "ANNUAL")
        title = _("Rows per month") if monthly else _("Rows per day")
        chart = {
            "title": title,
            "periods": periods,
            "svg": mark_safe(bar_chart_svg(  # noqa: S308 (built from escaped text only)
                chart_id="dataset-chart", title=title,
                description=_("Bar chart of the number of rows of each period; the same figures are in the table."),
                bars=[(period.label, period.count) for period in periods])),
        }
    presented = present_dataset(record, urls=urls, language=language)
    response = render(request, "opendata/dataset.html", {
        "city": place,
        "dataset": presented,
        "frequency": dict(voc.FREQUENCIES).get(record.accrual_periodicity, record.accrual_periodicity),
        "licence_label": dict(voc.LICENCES).get(record.licence, record.licence),
        "themes": [search.facet_label("theme", code, language) for code in record.themes],
        "checked_at": record.synced_at,
        "preview": previews.preview(definition, place) if definition else None,
        "map_data": previews.map_features(definition, place) if definition else None,
        "chart": chart,
        "validation": present_validation(record),
        "api_example": f'curl "{presented['rows_url']}?limit=10"' if presented["rows_url"] else "",
        # A JSON-LD data block: `<` escaped so that no value can close the script element.
        "schema_org": json.dumps(description, ensure_ascii=False).replace("<", "\\u003c"),
    })
    return _cache(response, private=viewer.is_identified or record.is_restricted)
