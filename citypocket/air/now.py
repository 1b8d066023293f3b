""" "Air now": its answer built from the live state, and the one the worker stored, given while current.

A city's air now is asked at every visit of the app and changes when a station reports (hourly for
the Atmo stations). The worker builds it in each language after it has refreshed the day's indices
(`services.store_air_now`) and stores its ETag and body with the city's generation and the moment
it stops being true by itself: the first station that turns stale, or the end of the local day. A
GET then reads one row (`selectors.get_stored_air_now`) instead of the stations, their latest values
and the day's indices.

Every change to what the answer is made of moves the city's generation on (`services.air_now_changed`:
new readings, a station, a datastream, a stored index, the city), so that a stored answer is given
only when nothing it was made from has changed since: otherwise, and before the worker has built it,
the GET builds the answer from the live state as before. Both ways give the same bytes and ETag.
"""

from datetime import datetime

from django.utils import timezone

from citypocket.air import present, selectors
from citypocket.air.selectors import AirNow
from citypocket.core.http import Read, freshness_etag


def answer(now: AirNow, language: str) -> Read:
    """The answer of "air now" in `language`, from what `selectors.get_air_now` read."""
    etag = freshness_etag("air-now", 2, language, now.freshness())
    return Read(lambda: {
        "city": now.city.slug,
        "date": now.date,
        "rule": "worst-station",
        "atmo": present.daily_dict(now.computed, language),
        "official": present.daily_dict(now.official, language) if now.official else None,
        "official_tomorrow": present.daily_dict(now.official_tomorrow, language) if now.official_tomorrow else None,
        "stations": [present.station_dict(item, language) for item in now.stations],
    }, etag=etag)


def read(place, language: str, *, at: datetime | None = None) -> Read:
    """ "Air now" at `at` (now by default): the stored answer when it is current, else built live."""
    at = at or timezone.now()
    stored = selectors.get_stored_air_now(city=place, language=language, now=at)
    if stored is not None:
        etag, body = stored
        return Read(lambda: _live(place, language, at).build(), etag=etag, rendered=body)
    return _live(place, language, at)


def _live(place, language: str, at: datetime) -> Read:
    return answer(selectors.get_air_now(city=place, now=at), language)
