"""Background tasks of the official feeds: one per city (they take ids, not objects)."""

from django.tasks import task

from citypocket.cities.models import City
from citypocket.officialfeeds.connectors import refresh_city_water, refresh_city_weather


@task
def refresh_city_official_feeds(city_id: int) -> dict:
    """Reads VigiEau for each commune of the city and the weather warning of its département."""
    city = City.objects.filter(pk=city_id, is_active=True).first()
    if city is None:
        return {}
    return {"water": refresh_city_water(city=city), "weather": refresh_city_weather(city=city)}
