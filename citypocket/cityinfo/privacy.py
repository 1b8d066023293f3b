"""Personal data of city information (docs/privacy.md): none. A place's e-mail address is the public
contact of a public service (a town hall, a library), published by the city, not a person's."""

from citypocket.cityinfo.models import Place, SearchEntry
from citypocket.core.privacy import NotPersonal

PERSONAL_DATA = [
    NotPersonal(Place, reason="The e-mail address of a place is the public contact of a public service."),
    NotPersonal(SearchEntry, reason="A copy of public items (titles, summaries, public text) chosen by each "
                                    "searchable kind's declaration; proposal authors are never indexed."),
]
