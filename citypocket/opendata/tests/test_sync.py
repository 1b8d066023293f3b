"""Keeping the catalog in step: a dataset's `modified` moves when its data does, and only then."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from citypocket.opendata.models import Catalog, DataService, Dataset
from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.services import sync_platform_datasets
from citypocket.opendata.tests.conftest import START, observe
from citypocket.sensors.models import Datastream

pytestmark = pytest.mark.django_db


def dataset(city, slug) -> Dataset:
    return Dataset.objects.get(city=city, slug=slug)


def test_every_platform_dataset_is_in_the_catalog_with_its_distributions(published, rouen):
    slugs = {d.slug for d in list_platform_datasets()}
    assert slugs >= {"air-stations", "air-observations", "air-daily-indices", "car-parks", "car-park-occupancy",
                     "safe-places", "video-protection", "safety-hotspots"}
    assert set(Dataset.objects.filter(city=rouen).values_list("slug", flat=True)) == slugs
    assert set(dataset(rouen, "air-observations").distributions.values_list("format", flat=True)) == {
        "csv", "geojson", "jsonl", "parquet"}
    assert set(dataset(rouen, "air-daily-indices").distributions.values_list("format", flat=True)) == {
        "csv", "jsonl", "parquet"}
    assert dataset(rouen, "car-parks").distributions.get(format="csv").conforms_to.endswith("schema-stationnement/0.1.5/")
    assert Catalog.objects.get(city=rouen).licence == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert DataService.objects.get(city=rouen).datasets.count() == len(slugs)


def test_modified_is_the_latest_write_of_the_rows_and_coverage_their_time_span(published, rouen):
    observations = dataset(rouen, "air-observations")
    assert observations.row_count == 6
    assert observations.modified == START + dt.timedelta(hours=2, minutes=5)
    assert observations.temporal_start == START
    assert observations.temporal_end == START + dt.timedelta(hours=2)
    assert observations.issued is not None


def test_a_new_measurement_moves_modified_and_a_resync_without_change_does_not(published, rouen):
    before = dataset(rouen, "air-observations")
    sync_platform_datasets(city=rouen, now=timezone.now() + dt.timedelta(hours=1))
    unchanged = dataset(rouen, "air-observations")
    assert (unchanged.modified, unchanged.fingerprint) == (before.modified, before.fingerprint)

    later = START + dt.timedelta(days=1)
    observe(Datastream.objects.get(sensor=published.station, property="no2"), hours=1, start=later)
    sync_platform_datasets(city=rouen)
    after = dataset(rouen, "air-observations")
    assert after.modified == later + dt.timedelta(minutes=5)
    assert after.row_count == 7
    assert after.issued == before.issued, "issued never moves"


def test_editing_a_register_without_timestamps_moves_modified_to_when_it_was_seen(published, rouen):
    car_parks = dataset(rouen, "car-parks")
    seen = timezone.now() + dt.timedelta(minutes=30)
    sync_platform_datasets(city=rouen, now=seen)
    assert dataset(rouen, "car-parks").modified == car_parks.modified, "nothing changed"
    published.car_park.capacity = 450
    published.car_park.save()
    sync_platform_datasets(city=rouen, now=seen)
    assert dataset(rouen, "car-parks").modified == seen


def test_deleting_rows_moves_modified_even_though_no_timestamp_grew(published, rouen):
    seen = timezone.now() + dt.timedelta(minutes=30)
    Datastream.objects.get(sensor=published.station, property="pm10").observations.all().delete()
    sync_platform_datasets(city=rouen, now=seen)
    refreshed = dataset(rouen, "air-observations")
    assert (refreshed.row_count, refreshed.modified) == (3, seen)


def test_the_command_syncs_every_active_city(rouen, aix):
    call_command("sync_opendata")
    assert Dataset.objects.filter(city=aix).count() == len(list_platform_datasets())
    assert Dataset.objects.filter(city=rouen, slug="air-observations", row_count=0).exists()


def test_the_demo_loader_publishes_the_demo_cities_last(rouen, aix):
    """`load_demo` runs the open-data loader after every other one, so the catalogs describe their data."""
    from citypocket.core.demo import list_demo_loaders  # reason: only this test reads the loader registry

    loaders = list_demo_loaders()
    assert loaders[-1].name == "opendata"
    loaders[-1].load()
    assert Dataset.objects.filter(city=aix).count() == len(list_platform_datasets())
