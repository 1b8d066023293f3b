"""Writing city information: importing places and events, idempotently by their source id; storing images."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from citypocket.cities.models import City
from citypocket.cityinfo import images
from citypocket.cityinfo.agenda_imports import EventRecord, ParsedEvents
from citypocket.cityinfo.hours import is_valid_expression
from citypocket.cityinfo.imports import Parsed, PlaceRecord, Rejected
from citypocket.cityinfo.models import Event, EventCategory, Image, Place
from citypocket.cityinfo.recurrence import series_end
from citypocket.core.geo import haversine_m

# What each source's facts are licensed under, recorded with every place imported from it.
LICENCES = {
    "osm": "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)",
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} rejected, {len(self.warnings)} warnings")


def _free_slug(city: City, name: str, taken: set[str]) -> str:
    # "L'heure du conte" -> "l-heure-du-conte", not "lheure-du-conte".
    base = slugify(name.replace("'", " ").replace("\u2019", " "))[:100] or "item"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _provenance(source: str, record: PlaceRecord, note: str) -> str:
    licence = LICENCES.get(source, "")
    parts = [f"{source}:{record.source_id}", f"imported {timezone.now():%Y-%m-%d}"]
    return " · ".join(part for part in (licence, *parts, note) if part)


@transaction.atomic
def import_places(*, city: City, parsed: Parsed, source: str, note: str = "", is_demo: bool = False) -> ImportSummary:
    """Creates or updates the city's places of `source` from a parsed file, matched on source id.

    Running the same file twice changes nothing the second time (rows compare equal field by
    field). A place's slug is chosen once, at creation, so that its page keeps its address; an
    opening-hours text the parser cannot read is left out (the place is kept, its hours unknown)
    and reported as a warning. Places that vanished from the file are left as they are: a partial
    extract must not deactivate the rest of the city.
    """
    summary = ImportSummary(rejected=list(parsed.rejected))
    existing = {place.source_id: place for place in Place.objects.select_for_update().filter(city=city, source=source)}
    taken = set(Place.objects.filter(city=city).values_list("slug", flat=True))
    for record in parsed.records:
        hours = record.opening_hours
        if hours and not is_valid_expression(hours):
            summary.warnings.append(Rejected(record.source_id, f"opening_hours not understood: {hours!r}"))
            hours = ""
        values = {
            "name": record.name, "kind": record.kind, "lat": record.lat, "lon": record.lon,
            "address": record.address, "phone": record.phone, "email": record.email, "website": record.website,
            "opening_hours": hours, "wheelchair": record.wheelchair,
            "accessible_toilets": record.accessible_toilets, "hearing_loop": record.hearing_loop,
            "is_demo": is_demo,
        }
        place = existing.get(record.source_id)
        if place is None:
            Place.objects.create(
                city=city, source=source, source_id=record.source_id, slug=_free_slug(city, record.name, taken),
                provenance=_provenance(source, record, note), **values,
            )
            summary.created += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(place, name) != value}
        if not changed:
            summary.unchanged += 1
            continue
        for name, value in changed.items():
            setattr(place, name, value)
        place.provenance = _provenance(source, record, note)
        place.save()
        summary.updated += 1
    return summary


# An imported event at most this far from one of the city's places is held there (its venue).
VENUE_MATCH_M = 75


def refresh_series_end(event: Event) -> None:
    """Sets `series_ends_at` from the first occurrence and the rule (call before saving an event)."""
    event.series_ends_at = series_end(starts_at=event.starts_at, ends_at=event.ends_at, rule=event.rrule,
                                      exdates=list(event.exdates), zone=event.city.zone)


def _venue(record: EventRecord, places: list[Place]) -> Place | None:
    if record.lat is not None and record.lon is not None:
        near = [(haversine_m(record.lat, record.lon, place.lat, place.lon), place.pk, place) for place in places]
        near = [entry for entry in near if entry[0] <= VENUE_MATCH_M]
        if near:
            return min(near)[2]
    location = record.location.casefold()
    return next((place for place in places if location and location.startswith(place.name.casefold())), None)


def _category_ids(city: City, names: tuple[str, ...], known: dict[str, EventCategory]) -> list[int]:
    ids = []
    for name in names:
        slug = slugify(name)[:60]
        if not slug:
            continue
        if slug not in known:
            known[slug] = EventCategory.objects.create(city=city, slug=slug, name_fr=name[:80], name_en=name[:80])
        ids.append(known[slug].pk)
    return sorted(set(ids))


@transaction.atomic
def import_events(*, city: City, parsed: ParsedEvents, source: str, note: str = "",
                  is_demo: bool = False) -> ImportSummary:
    """Creates or updates the city's events of `source`, matched on source id (idempotent, as for places).

    The venue is the city's place within 75 m of the event's position, or whose name starts its
    location text; categories are found or created by their slug. Events missing from a later
    feed are left alone (a feed often lists only what is to come).
    """
    summary = ImportSummary(rejected=list(parsed.rejected))
    existing = {event.source_id: event for event in
                Event.objects.select_for_update().filter(city=city, source=source).prefetch_related("categories")}
    taken = set(Event.objects.filter(city=city).values_list("slug", flat=True))
    places = list(Place.objects.filter(city=city, is_active=True))
    known = {category.slug: category for category in EventCategory.objects.filter(city=city)}
    for record in parsed.records:
        values = {
            "title_fr": record.title_fr, "title_en": record.title_en, "description_fr": record.description_fr,
            "description_en": record.description_en, "starts_at": record.starts_at, "ends_at": record.ends_at,
            "rrule": record.rrule, "exdates": list(record.exdates), "location": record.location,
            "venue": _venue(record, places), "is_free": record.is_free, "price": record.price,
            "wheelchair": record.wheelchair, "hearing_loop": record.hearing_loop,
            "sign_language": record.sign_language, "booking_url": record.booking_url, "status": record.status,
            "is_demo": is_demo,
        }
        category_ids = _category_ids(city, record.categories, known)
        event = existing.get(record.source_id)
        if event is None:
            event = Event(city=city, source=source, source_id=record.source_id,
                          slug=_free_slug(city, record.title_fr, taken),
                          provenance=" · ".join(part for part in (
                              f"{source}:{record.source_id}", f"imported {timezone.now():%Y-%m-%d}", note) if part),
                          **values)
            refresh_series_end(event)
            event.save()
            event.categories.set(category_ids)
            summary.created += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(event, name) != value}
        same_categories = sorted(category.pk for category in event.categories.all()) == category_ids
        if not changed and same_categories:
            summary.unchanged += 1
            continue
        for name, value in changed.items():
            setattr(event, name, value)
        refresh_series_end(event)
        event.save()
        event.categories.set(category_ids)
        summary.updated += 1
    return summary


def store_image(*, city: City, picture: images.Picture, title: str, credit: str = "",
                image: Image | None = None) -> Image:
    """Writes a checked upload's master and variants, then records them (in `image`, an unsaved row the
    back office's form made, or a new one); when the row cannot be saved the files are removed.

    Django has no rollback hook: if an outer transaction rolls back after this, the files stay
    unreferenced under their unused key, and are never served since no row names them.
    """
    image = image or Image()
    stored = images.write_files(picture)
    image.city, image.key, image.title, image.credit = city, stored.key, title[:200], credit[:200]
    image.width, image.height = stored.width, stored.height
    image.master, image.variants = stored.master, stored.variants
    try:
        with transaction.atomic():
            image.save()
            return image
    except Exception:
        images.delete_files(stored.names)
        raise


def delete_image(image: Image) -> None:
    """Deletes an image and, once that is committed, its files (what showed it loses it: SET_NULL)."""
    names = [image.master, *(variant.get(ext) for variant in image.variants for ext in images.VARIANT_FORMATS)]
    image.delete()
    transaction.on_commit(lambda: images.delete_files(names))
