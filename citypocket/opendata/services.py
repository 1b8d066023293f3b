"""Keeping each city's catalog in step with the platform's data.

`sync_platform_datasets` is idempotent and cheap to repeat (the clock runs it every 15 minutes,
`citypocket sync_opendata` on demand): for each city and each declared dataset it measures the data
(rows, time span, the rows' own latest write) and moves `modified` only when the data changed.

What "changed" means: a fingerprint of the data — for a growing table (observations), its row count
and its latest write time; for a small register (car parks, safe places), a hash of every published
value. When it changes, `modified` becomes the rows' own latest write time when they carry one that
is newer, otherwise the time the change was seen (a deleted row or an edited register has no
timestamp of its own). `issued` is set once, when the dataset is first published with rows.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.opendata.models import Catalog, DataService, Dataset, DatasetSource, Distribution
from citypocket.opendata.registry import PlatformDataset, list_platform_datasets

ROWS_SERVICE = "rows-api"


@dataclass(frozen=True)
class DataState:
    row_count: int
    last_written: dt.datetime | None
    temporal_start: dt.datetime | None
    temporal_end: dt.datetime | None
    fingerprint: str


def formats_of(definition: PlatformDataset) -> list[str]:
    """The whole-dataset exports a dataset is distributed as."""
    return ["csv", *(["geojson"] if definition.is_geographic else []), "jsonl", "parquet"]


def _span(city: City, low, high) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A time field's (min, max) as instants: a date covers its whole local day."""
    if isinstance(low, dt.datetime) or low is None:
        return low, high
    return city.day_bounds(low)[0], city.day_bounds(high)[1]


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True).encode()).hexdigest()


def measure_data(definition: PlatformDataset, city: City) -> DataState:
    """What the catalog says of the data: size, time span, latest write and fingerprint."""
    if definition.queryset is None:
        rows = list(definition.rows(city))
        times = [row[definition.time_field] for row in rows if definition.time_field and row.get(definition.time_field)]
        start, end = _span(city, min(times), max(times)) if times else (None, None)
        return DataState(len(rows), None, start, end, _digest(rows))
    base = definition.queryset(city)
    aggregates = {"rows": Count("pk")}
    if definition.modified_field:
        aggregates["written"] = Max(definition.modified_field)
    if definition.time_field:
        path = definition.field(definition.time_field).path
        aggregates |= {"start": Min(path), "end": Max(path)}
    found = base.aggregate(**aggregates)
    start, end = _span(city, found.get("start"), found.get("end"))
    if definition.modified_field:
        fingerprint = _digest(found["rows"], found["written"], start, end)
    else:
        fingerprint = _digest(list(definition.values(city).order_by(*definition.key)))
    return DataState(found["rows"], found.get("written"), start, end, fingerprint)


def ensure_catalog(*, city: City) -> Catalog:
    """The city's catalog, created with its defaults the first time (the city edits them later)."""
    catalog, _ = Catalog.objects.get_or_create(city=city, defaults={
        "title_fr": f"Données ouvertes — {city.official_name}",
        "title_en": f"Open data — {city.official_name}",
        "description_fr": (f"Les données publiques de {city.official_name} publiées par CityPocket : qualité de "
                           "l'air, stationnement, sécurité."),
        "description_en": (f"The public data of {city.official_name} published by CityPocket: air quality, "
                           "parking, safety."),
        "contact_name": f"{city.official_name} — open data",
    })
    return catalog


@transaction.atomic
def sync_dataset(*, city: City, definition: PlatformDataset, now: dt.datetime | None = None) -> Dataset:
    """Creates or updates the catalog row of one platform dataset of one city."""
    now = now or timezone.now()
    state = measure_data(definition, city)
    dataset = Dataset.objects.select_for_update().filter(city=city, slug=definition.slug).first()
    if dataset is None:
        dataset = Dataset(city=city, slug=definition.slug, source=DatasetSource.PLATFORM)
    for name in ("title_fr", "title_en", "description_fr", "description_en", "hvd_category",
                 "accrual_periodicity", "conforms_to", "provenance_fr", "provenance_en"):
        setattr(dataset, name, getattr(definition, name))
    dataset.keywords_fr, dataset.keywords_en = list(definition.keywords_fr), list(definition.keywords_en)
    dataset.themes = list(definition.themes)
    if dataset.fingerprint != state.fingerprint:
        written = state.last_written
        moved_forward = written is not None and (dataset.modified is None or written > dataset.modified)
        dataset.modified = written if moved_forward else now
        dataset.fingerprint = state.fingerprint
    if dataset.issued is None and state.row_count:
        dataset.issued = min(now, dataset.modified)
    dataset.row_count = state.row_count
    dataset.temporal_start, dataset.temporal_end = state.temporal_start, state.temporal_end
    dataset.synced_at = now
    dataset.save()
    formats = formats_of(definition)
    dataset.distributions.exclude(format__in=formats).delete()
    for code in formats:
        conforms = definition.conforms_to if code == "csv" else ""
        Distribution.objects.update_or_create(dataset=dataset, format=code, defaults={"conforms_to": conforms})
    return dataset


def sync_platform_datasets(*, city: City | None = None, now: dt.datetime | None = None) -> list[Dataset]:
    """Brings the catalog of one city (every active city by default) in step with the platform data."""
    cities = [city] if city is not None else list(City.objects.filter(is_active=True))
    synced = []
    for place in cities:
        ensure_catalog(city=place)
        datasets = [sync_dataset(city=place, definition=definition, now=now) for definition in list_platform_datasets()]
        service, _ = DataService.objects.update_or_create(city=place, slug=ROWS_SERVICE, defaults={
            "title_fr": f"API des données de {place.official_name}",
            "title_en": f"Data API of {place.official_name}",
        })
        # The platform's datasets as declared now; the city's own (uploaded) datasets stay served.
        service.datasets.set([*datasets, *service.datasets.exclude(source=DatasetSource.PLATFORM)])
        synced += datasets
    return synced
