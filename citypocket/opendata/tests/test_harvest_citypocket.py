"""One CityPocket install harvests another: the source catalog is served by a second process (gunicorn as
`citypocket run` starts it, on the test database) and harvested over loopback into another city."""

import pytest

from citypocket.core.tests.test_server import server  # noqa: F401 (the gunicorn fixture)
from citypocket.opendata.harvesting.services import run_harvest
from citypocket.opendata.models import Dataset, DatasetSource, HarvestSource, HarvestStatus
from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.tests.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM = len(list_platform_datasets())  # Rouen publishes every platform dataset


@pytest.fixture(autouse=True)
def loopback_sources(settings):
    settings.OPENDATA_HARVEST_PRIVATE_NETWORKS = True  # the other install listens on 127.0.0.1


def test_a_citypocket_install_harvests_another_ones_catalog_twice(server, rouen, aix):  # noqa: F811
    """Same datasets, no duplicates on the second run; a dataset the source withdraws is withdrawn here."""
    base, stop = server
    try:
        check_harvests(base, rouen, aix)
    finally:
        stop()  # gunicorn stopped gracefully, its worker with it


def check_harvests(base, rouen, aix):
    publish(rouen)
    source = HarvestSource.objects.create(city=aix, kind="citypocket", title="Rouen",
                                          url=f"{base}/api/v1/cities/rouen/catalog")
    served = {f"{base}/api/v1/cities/rouen/data/{d.slug}": d
              for d in Dataset.objects.filter(city=rouen, is_published=True)}
    assert len(served) == PLATFORM

    first = run_harvest(source)
    assert (first.status, first.created, first.updated, first.withdrawn, first.errors) == (
        HarvestStatus.DONE, PLATFORM, 0, 0, [])
    second = run_harvest(source)
    assert (second.status, second.created, second.updated, second.unchanged, second.withdrawn) == (
        HarvestStatus.DONE, 0, 0, PLATFORM, 0)

    copies = {d.source_uri: d for d in Dataset.objects.filter(city=aix, source=DatasetSource.HARVEST)}
    assert set(copies) == set(served)
    assert Dataset.objects.filter(city=aix).count() == PLATFORM  # no duplicates
    for uri, original in served.items():
        copy = copies[uri]
        assert (copy.title_fr, copy.title_en) == (original.title_fr, original.title_en)
        assert copy.publisher_name == rouen.official_name
        assert copy.landing_page == uri
        assert copy.modified == original.modified.replace(microsecond=0)
        assert copy.distributions.count() == original.distributions.count()
    car_parks = copies[f"{base}/api/v1/cities/rouen/data/car-parks"]
    assert car_parks.conforms_to == "https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/"
    assert {d.download_url for d in car_parks.distributions.all()} == {
        f"{base}/api/v1/cities/rouen/data/car-parks/rows?format={code}" for code in ("csv", "geojson", "jsonl", "parquet")}

    Dataset.objects.filter(city=rouen, slug="safe-places").update(is_published=False)
    third = run_harvest(source)
    assert (third.status, third.created, third.unchanged, third.withdrawn) == (HarvestStatus.DONE, 0, PLATFORM - 1, 1)
    assert not Dataset.objects.get(city=aix, source_uri=f"{base}/api/v1/cities/rouen/data/safe-places").is_published
