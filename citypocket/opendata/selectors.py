"""Reads of the catalog: a city's published datasets, one dataset with its platform declaration."""

from dataclasses import dataclass

from django.db.models import QuerySet

from citypocket.cities.models import City
from citypocket.core.problems import NotFound
from citypocket.opendata.models import Catalog, DataService, Dataset, DatasetSource, DatasetVersion, VersionStatus
from citypocket.opendata.registry import PlatformDataset, get_platform_dataset
from citypocket.opendata.uploaded import definition_of


def list_published_datasets(*, city: City | None = None) -> QuerySet[Dataset]:
    """Published datasets of a city (every active city when None), with what the catalog shows of them."""
    datasets = Dataset.objects.filter(is_published=True, city__is_active=True)
    if city is not None:
        datasets = datasets.filter(city=city)
    return datasets.select_related("city", "city__data_catalog").prefetch_related("distributions", "services")


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


def get_published_version(dataset: Dataset) -> DatasetVersion | None:
    """The version of an uploaded dataset that is published now, if any."""
    return DatasetVersion.objects.filter(dataset=dataset, status=VersionStatus.PUBLISHED).select_related(
        "dataset").first()


def definition_for(dataset: Dataset) -> PlatformDataset | None:
    """The declaration of a dataset's rows: its platform declaration, or that of its published version."""
    if dataset.source == DatasetSource.UPLOAD:
        version = get_published_version(dataset)
        return definition_of(version) if version is not None else None
    if dataset.source == DatasetSource.PLATFORM:
        return get_platform_dataset(dataset.slug)
    return None


def get_served_dataset(*, city: City, slug: str) -> ServedDataset:
    """A published dataset of this city whose rows the platform serves, or NotFound."""
    dataset = list_published_datasets(city=city).filter(slug=slug).first()
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
