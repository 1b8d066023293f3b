"""What the one search finds in mobility (cityinfo.searchindex): the city's active car parks."""

from django.urls import reverse

from citypocket.cityinfo.searchindex import SearchDocument, SearchKind, register
from citypocket.mobility.models import CarPark


def _car_park(car_park: CarPark) -> SearchDocument:
    return SearchDocument(
        title_fr=car_park.name,
        url=reverse("mobility:page", kwargs={"city": car_park.city.slug}),
        summary_fr=" · ".join(part for part in ("Parking", car_park.address) if part),
        summary_en=" · ".join(part for part in ("Car park", car_park.address) if part),
        text_fr=f"parking stationnement {car_park.address} {car_park.operator}",
        text_en=f"car park parking {car_park.address} {car_park.operator}",
    )


register(SearchKind(
    slug="car-parks", label_fr="Parkings", label_en="Car parks", model=CarPark, order=60,
    queryset=lambda city: CarPark.objects.filter(city=city, is_active=True).select_related("city"),
    document=_car_park,
))
