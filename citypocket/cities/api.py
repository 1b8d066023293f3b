"""City endpoints: the list of cities this install serves and each city's facts."""

from ninja import Router
from ninja.pagination import paginate

from citypocket.cities import selectors
from citypocket.cities.schemas import CityOut
from citypocket.core.http import cache_public
from citypocket.core.params import CitySlug
from citypocket.core.problems import responses

router = Router(tags=["cities"])


@router.get(
    "/cities", response=responses({200: list[CityOut]}, 422), operation_id="list_cities", summary="List the cities"
)
@cache_public(max_age=3600)
@paginate
def list_cities(request):
    return selectors.list_cities()


@router.get(
    "/cities/{slug}", response=responses({200: CityOut}, 404), operation_id="get_city", summary="Get one city"
)
@cache_public(max_age=3600)
def get_city(request, slug: CitySlug):
    return selectors.get_city(slug=slug)
