"""Reads of the catalog: a city's published datasets, one dataset with its platform declaration."""

from dataclasses import dataclass

from django.db.models import QuerySet

from citypocket.cities.models import City
from citypocket.core.problems import NotFound
from citypocket.opendata import search
from citypocket.opendata.models import Catalog, DataService, Dataset, DatasetSource
from citypocket.opendata.registry import PlatformDataset, get_platform_dataset


def list_published_datasets(*, city: City | None = None) -> QuerySet[Dataset]:
    """Published datasets of a city (every active city when None), with what the catalog shows of them."""
    datasets = Dataset.objects.filter(is_published=True, city__is_active=True)
    if city is not None:
        datasets = datasets.filter(city=city)
    return datasets.select_related("city", "city__data_catalog").prefetch_related("distributions", "services")


def search_datasets(*, city: City, q: str = "", facets: dict[str, tuple[str, ...]] | None = None,
                    language: str = "fr") -> search.SearchResult:
    """The portal's search: the city's published datasets matching `q` (full text, French and
    English) and the chosen facet values, with the facet counts of the results."""
    selected = {name: tuple(values) for name, values in (facets or {}).items() if name in search.FACETS and values}
    matching = list(search.full_text(list_published_datasets(city=city).order_by("slug"), q))
    return search.SearchResult(datasets=search.apply_facets(matching, selected),
                               facets=search.count_facets(matching, selected, language),
                               query=q.strip()[:search.MAX_QUERY_LENGTH], selected=selected)


def list_catalogs() -> QuerySet[Catalog]:
    return Catalog.objects.filter(city__is_active=True).select_related("city").order_by("city__slug")


def list_data_services(*, city: City | None = None) -> QuerySet[DataService]:
    services = DataService.objects.filter(city__is_active=True).select_related("city")
    if city is not None:
        services = services.filter(city=city)
    return services.prefetch_related("datasets").order_by("city__slug", "slug")


@dataclass(frozen=True)
class ServedDataset:
    """A published dataset and the declaration of its rows."""

    dataset: Dataset
    definition: PlatformDataset


def get_published_dataset(*, city: City, slug: str) -> Dataset:
    """A published dataset of this city, whatever its source (harvested ones included), or NotFound."""
    dataset = list_published_datasets(city=city).filter(slug=slug).first()
    if dataset is None:
        raise NotFound("No such dataset in this city's catalog.")
    return dataset


def get_served_dataset(*, city: City, slug: str) -> ServedDataset:
    """A published dataset of this city whose rows the platform serves, or NotFound. A harvested
    dataset has no rows here: its distributions are files at its source."""
    # No prefetch: the rows and exports read neither distributions nor services (two queries a page saved).
    dataset = (list_published_datasets(city=city).exclude(source=DatasetSource.HARVEST).filter(slug=slug)
               .prefetch_related(None).first())
    definition = get_platform_dataset(slug)
    if dataset is None or definition is None:
        raise NotFound("No such dataset in this city's catalog.")
    return ServedDataset(dataset, definition)


def get_catalog(*, city: City) -> Catalog:
    """The city's catalog; NotFound until the city publishes one (`citypocket sync_opendata`)."""
    catalog = Catalog.objects.filter(city=city).select_related("city").first()
    if catalog is None:
        raise NotFound("This city has no data catalog yet.")
    return catalog
