"""A catalog dataset as the JSON API shows it, in the asked language."""

from citypocket.opendata import dcat, exports
from citypocket.opendata.models import Dataset
from citypocket.opendata.selectors import definition_for


def present_dataset(dataset: Dataset, *, urls: dcat.Urls, language: str) -> dict:
    definition = definition_for(dataset)
    english = language == "en"
    fields = [
        {"name": f.name, "type": f.type, "description": (f.description_en if english else f.description_fr) or "",
         "sortable": f.sortable or f.name in definition.key}
        for f in (definition.fields if definition else ())
    ]
    return {
        "slug": dataset.slug,
        "title": dataset.title(language),
        "description": dataset.description(language),
        "keywords": dataset.keywords_en if english else dataset.keywords_fr,
        "themes": dataset.themes,
        "high_value_category": dataset.hvd_category or None,
        "licence": dataset.licence,
        "accrual_periodicity": dataset.accrual_periodicity,
        "conforms_to": dataset.conforms_to or None,
        "issued": dataset.issued,
        "modified": dataset.modified,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "row_count": dataset.row_count,
        "geographic": bool(definition and definition.is_geographic),
        "time_field": (definition.time_field or None) if definition else None,
        "key": list(definition.key) if definition else [],
        "fields": fields,
        "rows_url": urls.rows(dataset),
        "downloads": [
            {"format": d.format, "media_type": exports.MEDIA_TYPES[d.format].split(";")[0],
             "url": urls.download(d, dataset), "conforms_to": d.conforms_to or None}
            for d in dataset.distributions.all()
        ],
    }


def schema_org_dataset(dataset: Dataset, *, urls: dcat.Urls, language: str, page_url: str) -> dict:
    """The dataset as a schema.org `Dataset` (what search engines read), in the page's language."""
    city = dataset.city
    west, south, east, north = city.bbox
    description = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": urls.dataset(dataset),
        "name": dataset.title(language),
        "description": dataset.description(language),
        "url": page_url,
        "identifier": f"{city.slug}/{dataset.slug}",
        "keywords": dataset.keywords_en if language == "en" else dataset.keywords_fr,
        "license": dataset.licence,
        "isAccessibleForFree": True,
        "inLanguage": language,
        "creator": {"@type": "GovernmentOrganization", "name": city.official_name, "url": urls.portal(city)},
        "spatialCoverage": {"@type": "Place", "name": city.official_name,
                            "geo": {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}},
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": exports.MEDIA_TYPES[d.format].split(";")[0],
             "contentUrl": urls.download(d, dataset)}
            for d in dataset.distributions.all()
        ],
    }
    if dataset.temporal_start and dataset.temporal_end:
        description["temporalCoverage"] = (f"{dataset.temporal_start.isoformat()}/"
                                           f"{dataset.temporal_end.isoformat()}")
    if dataset.issued:
        description["datePublished"] = dataset.issued.isoformat()
    if dataset.modified:
        description["dateModified"] = dataset.modified.isoformat()
    if dataset.conforms_to:
        description["conformsTo"] = dataset.conforms_to
    return description
