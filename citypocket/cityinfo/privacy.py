"""Personal data of city information (docs/privacy.md): none. A place's e-mail address is the public
contact of a public service (a town hall, a library), published by the city, not a person's. An
uploaded image keeps no metadata (the camera's GPS position, serial number or owner are removed
before anything is written) and no link to who uploaded it: the audit log records that."""

from citypocket.cityinfo.models import (
    Address,
    CollectionRule,
    EventOccurrence,
    Image,
    Place,
    SearchEntry,
    SortingItem,
    WasteZone,
    WasteZoneStreet,
)
from citypocket.core.privacy import NotPersonal

PERSONAL_DATA = [
    NotPersonal(Place, reason="The e-mail address of a place is the public contact of a public service."),
    NotPersonal(Address, reason="The national address base (BAN): public addresses, not who lives there. "
                                "A resident's chosen address stays on the device and is never stored."),
    NotPersonal(WasteZone, reason="A collection round of the city."),
    NotPersonal(WasteZoneStreet, reason="Streets of a collection round."),
    NotPersonal(CollectionRule, reason="Collection days of a round."),
    NotPersonal(SortingItem, reason="The city's sorting guide."),
    NotPersonal(EventOccurrence, reason="The dates of a published event of the city's agenda."),
    NotPersonal(Image, reason="A picture published by the city, its metadata (GPS, camera, author) removed on "
                              "upload; its credit is the attribution the city publishes with it; who uploaded it "
                              "is in the audit log, not here."),
    NotPersonal(SearchEntry, reason="A copy of public items (titles, summaries, public text) chosen by each "
                                    "searchable kind's declaration; proposal authors are never indexed."),
]
