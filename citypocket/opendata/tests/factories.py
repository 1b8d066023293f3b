"""Factories of the open-data tests: a city's catalog, a dataset, its distributions and data service.

Platform datasets are normally created by `services.sync_platform_datasets`; these build catalog rows
directly, for tests of the catalog itself.
"""

import datetime as dt
import hashlib

import factory
from django.core.files.base import ContentFile

from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.opendata.models import Catalog, DataService, Dataset, DatasetVersion, Distribution, VersionEvent

CSV = b"id_lieu\r\n13001-C-001\r\n"


class CatalogFactory(CityOwnedFactory):
    class Meta:
        model = Catalog
        django_get_or_create = ("city",)

    title_fr = factory.LazyAttribute(lambda o: f"Données ouvertes — {o.city.official_name}")
    title_en = factory.LazyAttribute(lambda o: f"Open data — {o.city.official_name}")
    description_fr = "Les données publiques de la ville."
    description_en = "The city's public data."
    contact_name = "Service des données"
    contact_email = "opendata@example.org"


class DatasetFactory(CityOwnedFactory):
    """A published high-value dataset of hourly air measurements, modified an hour after it was issued."""

    class Meta:
        model = Dataset

    slug = factory.Sequence(lambda n: f"jeu-{n}")
    title_fr = factory.Sequence(lambda n: f"Jeu de données {n}")
    title_en = factory.Sequence(lambda n: f"Dataset {n}")
    description_fr = "Des mesures."
    description_en = "Measurements."
    themes = factory.LazyFunction(lambda: ["ENVI"])
    hvd_category = "c_dd313021"
    accrual_periodicity = "HOURLY"
    issued = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    modified = factory.LazyAttribute(lambda o: o.issued + dt.timedelta(hours=1))


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    format = "csv"


class DataServiceFactory(CityOwnedFactory):
    class Meta:
        model = DataService

    slug = "rows-api"
    title_fr = "API des données"
    title_en = "Data API"


class UploadedDatasetFactory(DatasetFactory):
    """A dataset of the city's own files, not yet published."""

    source = "upload"
    hvd_category = ""
    is_published = False
    issued = None
    modified = None


class DatasetVersionFactory(factory.django.DjangoModelFactory):
    """A draft version: a one-row CSV of the covoiturage schema, stored, with its checksum."""

    class Meta:
        model = DatasetVersion

    dataset = factory.SubFactory(UploadedDatasetFactory)
    number = factory.Sequence(lambda n: n + 1)
    original_name = "covoiturage.csv"
    file_format = "csv"
    file = factory.LazyFunction(lambda: ContentFile(CSV, name="upload.csv"))
    byte_size = len(CSV)
    checksum = hashlib.sha256(CSV).hexdigest()
    schema_key = "etalab/schema-lieux-covoiturage"
    table_schema = factory.LazyFunction(lambda: {"fields": [{"name": "id_lieu", "type": "string"}]})
    is_valid = True
    report = factory.LazyFunction(lambda: {"valid": True, "errors": []})


class VersionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VersionEvent

    version = factory.SubFactory(DatasetVersionFactory)
    kind = "submitted"
