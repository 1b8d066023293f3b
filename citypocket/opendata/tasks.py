"""Background work of the catalog: keeping each city's datasets in step with their data."""

from django.tasks import task

from citypocket.cities.models import City
from citypocket.opendata.services import sync_platform_datasets


@task
def sync_city_catalog(city_id: int) -> int:
    """Re-measures one city's platform datasets; returns how many were checked."""
    city = City.objects.filter(pk=city_id, is_active=True).first()
    if city is None:
        return 0
    return len(sync_platform_datasets(city=city))
