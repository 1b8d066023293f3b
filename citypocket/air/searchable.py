"""What the one search finds in air quality (cityinfo.searchindex): the city's active stations."""

from django.urls import reverse

from citypocket.cityinfo.searchindex import SearchDocument, SearchKind, register
from citypocket.sensors.models import Sensor, SensorKind


def _station(sensor: Sensor) -> SearchDocument:
    return SearchDocument(
        title_fr=sensor.name,
        url=reverse("air:page", kwargs={"city": sensor.city.slug}),
        summary_fr="Station de mesure de la qualité de l'air",
        summary_en="Air-quality monitoring station",
        text_fr="qualité de l'air pollution station",
        text_en="air quality pollution station",
    )


register(SearchKind(
    slug="air-stations", label_fr="Qualité de l'air", label_en="Air quality", model=Sensor, order=70,
    queryset=lambda city: Sensor.objects.filter(city=city, kind=SensorKind.AIR, is_active=True)
    .select_related("city"),
    document=_station,
))
