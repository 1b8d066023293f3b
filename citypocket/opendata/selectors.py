"""Reads of the catalog: a city's published datasets, one dataset with its platform declaration.

Visibility is decided here and nowhere else: a restricted dataset is in the answer only for a
`viewer` (opendata.access.Viewer) who is staff of its city or of a partner city, or holds a read
token of one of them; for any other viewer — and when no viewer is given — it does not exist.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from citypocket.cities.models import City
from citypocket.core.problems import NotFound
from citypocket.opendata import search
from citypocket.opendata.access import ANONYMOUS, Viewer
from citypocket.opendata.models import (
    Catalog,
    DataService,
    Dataset,
    DatasetAccess,
    DatasetSource,
    DatasetVersion,
    VersionStatus,
)
from citypocket.opendata.registry import PlatformDataset, get_platform_dataset
from citypocket.opendata.uploaded import definition_of


def visible_to(viewer: Viewer | None) -> Q:
    """The datasets `viewer` may see: every public one, and the restricted ones of their cities or shared
    with them."""
    public = Q(access=DatasetAccess.PUBLIC)
    member = (viewer or ANONYMOUS).member_city_ids()
    if member is None:
        return Q()
    if not member:
        return public
    shared = Dataset.partner_cities.through.objects.filter(city_id__in=member).values("dataset_id")
    return public | Q(city_id__in=member) | Q(pk__in=shared)


def list_published_datasets(*, city: City | None = None, viewer: Viewer | None = None) -> QuerySet[Dataset]:
    """Published datasets of a city (every active city when None) that `viewer` may see (public ones only
    when None), with what the catalog shows of them."""
    datasets = Dataset.objects.filter(visible_to(viewer), is_published=True, city__is_active=True)
    if city is not None:
        datasets = datasets.filter(city=city)
    return datasets.select_related("city", "city__data_catalog").prefetch_related(
        "distributions", Prefetch("services", queryset=DataService.objects.select_related("city")))


def search_datasets(*, city: City, q: str = "", facets: dict[str, tuple[str, ...]] | None = None,
                    language: str = "fr", viewer: Viewer | None = None) -> search.SearchResult:
    """The portal's search: the city's published datasets matching `q` (full text, French and
    English) and the chosen facet values, with the facet counts of the results."""
    selected = {name: tuple(values) for name, values in (facets or {}).items() if name in search.FACETS and values}
    matching = list(search.full_text(list_published_datasets(city=city, viewer=viewer).order_by("slug"), q))
    return search.SearchResult(datasets=search.apply_facets(matching, selected),
                               facets=search.count_facets(matching, selected, language),
                               query=q.strip()[:search.MAX_QUERY_LENGTH], selected=selected)


def list_catalogs() -> QuerySet[Catalog]:
    return Catalog.objects.filter(city__is_active=True).select_related("city").order_by("city__slug")


def list_data_services(*, city: City | None = None, viewer: Viewer | None = None) -> QuerySet[DataService]:
    """The data services, each with only the datasets `viewer` may see (public ones when None)."""
    services = DataService.objects.filter(city__is_active=True).select_related("city")
    if city is not None:
        services = services.filter(city=city)
    visible = Dataset.objects.filter(visible_to(viewer))
    return services.prefetch_related(Prefetch("datasets", queryset=visible)).order_by("city__slug", "slug")


@dataclass(frozen=True)
class ServedDataset:
    """A published dataset and the declaration of its rows."""

    dataset: Dataset
    definition: PlatformDataset


def get_published_dataset(*, city: City, slug: str, viewer: Viewer | None = None) -> Dataset:
    """A published dataset of this city that `viewer` may see, whatever its source (harvested ones
    included), or NotFound (the same whether it does not exist or is restricted to others)."""
    dataset = list_published_datasets(city=city, viewer=viewer).filter(slug=slug).first()
    if dataset is None:
        raise NotFound("No such dataset in this city's catalog.")
    return dataset


def get_published_version(dataset: Dataset) -> DatasetVersion | None:
    """The version of an uploaded dataset that is published now, if any."""
    return DatasetVersion.objects.filter(dataset=dataset, status=VersionStatus.PUBLISHED).select_related(
        "dataset").first()


def definition_for(dataset: Dataset) -> PlatformDataset | None:
    """The declaration of a dataset's rows: its platform declaration, or that of its published version.
    A harvested dataset has none: its distributions are files at its source."""
    if dataset.source == DatasetSource.UPLOAD:
        version = get_published_version(dataset)
        return definition_of(version) if version is not None else None
    if dataset.source == DatasetSource.PLATFORM:
        return get_platform_dataset(dataset.slug)
    return None


def get_served_dataset(*, city: City, slug: str, viewer: Viewer | None = None) -> ServedDataset:
    """A published dataset of this city whose rows the platform serves and `viewer` may read, or NotFound
    (the same NotFound whether it does not exist or is restricted to others)."""
    # No prefetch: the rows and exports read neither distributions nor services (two queries a page saved).
    dataset = (list_published_datasets(city=city, viewer=viewer).exclude(source=DatasetSource.HARVEST)
               .filter(slug=slug).prefetch_related(None).first())
    definition = definition_for(dataset) if dataset is not None else None
    if dataset is None or definition is None:
        raise NotFound("No such dataset in this city's catalog.")
    return ServedDataset(dataset, definition)


def get_catalog(*, city: City) -> Catalog:
    """The city's catalog; NotFound until the city publishes one (`citypocket sync_opendata`)."""
    catalog = Catalog.objects.filter(city=city).select_related("city").first()
    if catalog is None:
        raise NotFound("This city has no data catalog yet.")
    return catalog
