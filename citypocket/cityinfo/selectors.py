"""Reading city information: places with their state now, the agenda's occurrences, articles, image files."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from citypocket.cities.models import City
from citypocket.cityinfo import images
from citypocket.cityinfo.hours import Closure, DayHours, HoursNow, hours_at, week_of
from citypocket.cityinfo.models import (
    LONG_OCCURRENCE,
    Article,
    Event,
    EventCategory,
    EventOccurrence,
    Image,
    Place,
    PlaceClosure,
    Wheelchair,
)
from citypocket.cityinfo.recurrence import occurrences
from citypocket.core.geo import haversine_m
from citypocket.core.problems import NotFound


@dataclass(frozen=True)
class PlaceNow:
    """A place, its opening state at the moment asked, and its distance from a point (if one was given)."""

    place: Place
    hours: HoursNow
    distance_m: int | None = None


def list_places(*, city: City, kind: str | None = None, accessible: bool = False, moment: datetime) -> QuerySet:
    """The city's active places, with the closures that end today or later prefetched."""
    places = Place.objects.filter(city=city, is_active=True)
    if kind:
        places = places.filter(kind=kind)
    if accessible:
        places = places.filter(wheelchair=Wheelchair.YES)
    upcoming = PlaceClosure.objects.filter(ends_on__gte=city.local_today(moment)).order_by("starts_on")
    return places.prefetch_related(Prefetch("closures", queryset=upcoming, to_attr="upcoming_closures"))


def closures_of(place: Place, language: str) -> list[Closure]:
    """The place's prefetched closures (see list_places) as the hours reader takes them."""
    rows = getattr(place, "upcoming_closures", None)
    if rows is None:
        rows = list(place.closures.all())
    return [Closure(row.starts_on, row.ends_on, row.reason(language)) for row in rows]


def hours_of(place: Place, *, moment: datetime, language: str) -> HoursNow:
    return hours_at(place.opening_hours, zone=place.city.zone, moment=moment,
                    closures=closures_of(place, language))


def week_hours_of(place: Place, *, moment: datetime, language: str) -> tuple[DayHours, ...]:
    """The place's hours for each of the seven days from today (city time), closures applied."""
    return week_of(place.opening_hours, zone=place.city.zone, moment=moment,
                   closures=closures_of(place, language))


def list_places_now(
    *,
    city: City,
    moment: datetime,
    language: str,
    kind: str | None = None,
    open_now: bool = False,
    accessible: bool = False,
    near: tuple[float, float] | None = None,
) -> list[PlaceNow]:
    """The city's places with their state at `moment`: by distance from `near`, else by name.

    "Open now" is computed here, not in the database: it depends on the hours text, the public
    holidays and the closures. A city has hundreds of places, not millions.
    """
    items = []
    for place in list_places(city=city, kind=kind, accessible=accessible, moment=moment):
        place.city = city  # every row is of this city: no query per place for its time zone
        hours = hours_of(place, moment=moment, language=language)
        if open_now and not hours.is_open:
            continue
        distance = round(haversine_m(near[0], near[1], place.lat, place.lon)) if near else None
        items.append(PlaceNow(place, hours, distance))
    if near:
        items.sort(key=lambda item: (item.distance_m, item.place.name))
    return items


def get_place(*, city: City, slug: str, moment: datetime) -> Place:
    """One active place of the city, or NotFound (another city's place included)."""
    place = list_places(city=city, moment=moment).filter(slug=slug).select_related("image").first()
    if place is None:
        raise NotFound("No such place in this city.")
    place.city = city
    return place


# --- Agenda -------------------------------------------------------------------------------------

PERIODS = ("today", "weekend", "upcoming")
UPCOMING_DAYS = 30


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, in the city's zone; `distance_m` from a point when one was given."""

    event: Event
    starts_at: datetime
    ends_at: datetime
    distance_m: int | None = None


def compute_period(*, city: City, when: str, moment: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of "today", "this weekend" (Saturday and Sunday; the rest of it when one
    has begun) or "upcoming" (the next 30 days), in the city's calendar."""
    today = city.local_today(moment)
    if when == "today":
        return city.day_bounds(today)
    if when == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today
        monday = saturday + timedelta(days=7 - saturday.weekday())
        return city.day_bounds(saturday)[0], city.day_bounds(monday)[0]
    return city.day_bounds(today)[0], city.day_bounds(today + timedelta(days=UPCOMING_DAYS))[0]


def list_events(*, city: City, start: datetime, end: datetime, category: str | None = None) -> QuerySet:
    """Published events of the city with an occurrence that may fall in [start, end)."""
    events = (Event.objects.filter(city=city, is_published=True, starts_at__lt=end)
              .filter(Q(series_ends_at__isnull=True) | Q(series_ends_at__gt=start))
              .select_related("venue").prefetch_related("categories"))
    if category:
        events = events.filter(categories__slug=category)
    return events


class OccurrenceList(Sequence):
    """The occurrences of a period, in order; an item is built (its event read, with venue and
    categories) only when it is asked for.

    A weekend of a large agenda has hundreds of occurrences and a page shows a few dozen: the order
    and the count come from light rows (event id, times, title, position), and the events of the
    page are read by primary key when the page is sliced (the paginator, the home tile, the view).
    """

    def __init__(self, keys: list[tuple], city: City, events: dict[int, Event]):
        self._keys = keys  # (event_id, starts_at, ends_at, distance_m), in display order
        self._city = city
        self._events = events  # already read (the events whose rules were expanded here)

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._build(self._keys[index])
        return self._build([self._keys[index]])[0]

    def __iter__(self):
        return iter(self._build(self._keys))

    def _build(self, keys: list[tuple]) -> list[Occurrence]:
        missing = {key[0] for key in keys} - self._events.keys()
        if missing:
            events = Event.objects.filter(pk__in=missing).order_by().select_related("venue")
            for event in events.prefetch_related("categories"):
                event.city = self._city
                self._events[event.pk] = event
        zone = self._city.zone
        return [Occurrence(self._events[event_id], begin.astimezone(zone), finish.astimezone(zone), distance)
                for event_id, begin, finish, distance in keys]


def list_occurrences(
    *,
    city: City,
    start: datetime,
    end: datetime,
    category: str | None = None,
    free: bool = False,
    accessible: bool = False,
    near: tuple[float, float] | None = None,
) -> OccurrenceList:
    """Every occurrence in [start, end), by start time (by distance from `near` when given).

    The occurrences are read from the materialised table with their events' sort keys (one range
    query on (city, starts_at), each row joined to its event by primary key: rows, not objects); the
    few events whose rows do not reach `end` (not materialised yet, or past the horizon) have their
    rule expanded here, as before the table existed. Events are built only for the items read from
    the returned list (`OccurrenceList`).
    """
    # No ordering: the models' own (by city name) would join the city and sort every row.
    stored = (EventOccurrence.objects.order_by()
              .filter(city=city, starts_at__lt=end, ends_at__gt=start)
              .filter(Q(starts_at__gte=start - LONG_OCCURRENCE) | Q(is_long=True))
              .filter(event__is_published=True, event__occurrences_until__gte=end))
    expanded = list_events(city=city, start=start, end=end, category=category).order_by().filter(
        Q(occurrences_until__isnull=True) | Q(occurrences_until__lt=end))
    if category:
        stored = stored.filter(event__categories__slug=category)
    if free:
        stored, expanded = stored.filter(event__is_free=True), expanded.filter(is_free=True)
    if accessible:
        stored, expanded = stored.filter(event__wheelchair=True), expanded.filter(wheelchair=True)

    def distance_to(lat, lon) -> int | None:
        return round(haversine_m(near[0], near[1], lat, lon)) if near and lat is not None else None

    known = {}  # event id -> (title, distance): the sort keys
    keyed = []
    for event_id, begin, finish, title, lat, lon in stored.values_list(
            "event_id", "starts_at", "ends_at", "event__title_fr", "event__venue__lat", "event__venue__lon"):
        if event_id not in known:
            known[event_id] = (title, distance_to(lat, lon))
        keyed.append((begin, title, event_id, finish))
    built: dict[int, Event] = {}
    for event in expanded:
        event.city = city
        built[event.pk] = event
        venue = event.venue
        known[event.pk] = (event.title_fr, distance_to(venue.lat, venue.lon) if venue else None)
        for begin, finish in occurrences(starts_at=event.starts_at, ends_at=event.ends_at, rule=event.rrule,
                                         exdates=list(event.exdates), zone=city.zone, start=start, end=end):
            keyed.append((begin, event.title_fr, event.pk, finish))
    if near:
        keyed.sort(key=lambda row: (known[row[2]][1] is None, known[row[2]][1] or 0, row[0]))
    else:
        keyed.sort(key=lambda row: (row[0], row[1]))
    return OccurrenceList([(event_id, begin, finish, known[event_id][1]) for begin, _, event_id, finish in keyed],
                          city, built)


def list_categories(*, city: City) -> QuerySet:
    return EventCategory.objects.filter(city=city).order_by("name_fr")


def get_event(*, city: City, slug: str) -> Event:
    """One published event of the city, or NotFound (another city's event included)."""
    event = (Event.objects.filter(city=city, is_published=True, slug=slug)
             .select_related("venue", "image").prefetch_related("categories").first())
    if event is None:
        raise NotFound("No such event in this city.")
    event.city = city
    return event


def next_occurrences(event: Event, *, moment: datetime, count: int = 5) -> list[Occurrence]:
    """The next `count` occurrences of an event from `moment` (the one going on included)."""
    found = []
    for begin, finish in occurrences(starts_at=event.starts_at, ends_at=event.ends_at, rule=event.rrule,
                                     exdates=list(event.exdates), zone=event.city.zone, start=moment,
                                     end=moment + timedelta(days=3660)):
        found.append(Occurrence(event, begin, finish))
        if len(found) >= count:
            break
    return found


# --- News ---------------------------------------------------------------------------------------

def list_articles(*, city: City, moment: datetime, category: str | None = None) -> QuerySet:
    """The city's articles shown at `moment`: published, after `publish_at`, before `expires_at`."""
    articles = (Article.objects.filter(city=city, is_published=True, publish_at__lte=moment)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=moment)).select_related("city"))
    if category:
        articles = articles.filter(category=category)
    return articles.order_by("-publish_at", "pk")


def get_article(*, city: City, slug: str, moment: datetime) -> Article:
    """One article shown now in the city, or NotFound (a draft, a scheduled or expired one, another city's)."""
    article = list_articles(city=city, moment=moment).filter(slug=slug).select_related("cover").first()
    if article is None:
        raise NotFound("No such article in this city.")
    return article


def get_image_file(*, city: City, key, width: int, extension: str) -> tuple[str, str]:
    """(storage name, content type) of one served variant of a city's image, or NotFound.

    Only the variants a row lists are served: the master, and anything else under MEDIA_ROOT, never.
    """
    if extension not in images.VARIANT_FORMATS:
        raise NotFound("No such image.")
    image = Image.objects.filter(city=city, key=key).only("variants").first()
    variant = next((v for v in (image.variants if image else []) if v.get("width") == width), None)
    if variant is None or not variant.get(extension):
        raise NotFound("No such image.")
    return variant[extension], images.VARIANT_FORMATS[extension][1]
