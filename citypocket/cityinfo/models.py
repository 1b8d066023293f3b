"""City information: places and public services with their opening hours, the agenda, the news.

A place's hours are written in OpenStreetMap's `opening_hours` syntax (the same text a mapper
types, read by `cityinfo.hours`); an exceptional closure (strike, works, a bridge day) is a
`PlaceClosure` row rather than an edit of that text, so that the usual hours come back by
themselves when it ends. Locations are latitude/longitude columns, as everywhere in CityPocket.
"""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cityinfo.hours import is_valid_expression
from citypocket.cityinfo.recurrence import is_valid_rrule
from citypocket.core.ical import bump_sequence


def validate_opening_hours(value: str) -> None:
    """Refuses text that the OpenStreetMap `opening_hours` parser cannot read."""
    if value and not is_valid_expression(value):
        raise ValidationError(
            _("Not valid OpenStreetMap opening_hours syntax, e.g. \"Mo-Fr 09:00-18:00; PH off\".")
        )


class Image(models.Model):
    """A picture uploaded by a city's staff (`cityinfo.images`): a clean master, never served, and its
    responsive variants (WebP and a JPEG fallback at each width) served to the pages.

    The text alternative is not here but on what shows the picture (an article's cover, an event, a
    place): the same photo says different things in different places. A picture's files never change:
    another picture is another row, with another key, so its variants can be cached for a year.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="images", verbose_name=_("city"))
    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, help_text=_("To find it again in the image library."))
    credit = models.CharField(_("credit"), max_length=200, blank=True,
                              help_text=_('Shown with the picture, e.g. "© Ville de Rouen".'))
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    master = models.CharField(_("master file"), max_length=300, blank=True, editable=False)
    variants = models.JSONField(_("variants"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["city", "-created_at"]

    def __str__(self) -> str:
        return self.title


def _image_field(verbose_name):
    return models.ForeignKey(Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=verbose_name)


def _alt_field(verbose_name):
    return models.CharField(verbose_name, max_length=300, blank=True,
                            help_text=_("What the picture shows, for people who cannot see it."))


ALT_REQUIRED = _("Describe the picture for people who cannot see it.")


def check_image(obj, field: str) -> None:
    """`clean()` of a model showing an image: its French text alternative is given, and it is of the same city."""
    image = getattr(obj, field)
    if image is None:
        return
    if not getattr(obj, f"{field}_alt_fr").strip():
        raise ValidationError({f"{field}_alt_fr": ALT_REQUIRED})
    if obj.city_id and image.city_id != obj.city_id:
        raise ValidationError({field: _("The image must be one of the same city.")})


class PlaceKind(models.TextChoices):
    TOWN_HALL = "town_hall", _("Town hall")
    LIBRARY = "library", _("Library")
    POOL = "pool", _("Swimming pool")
    MUSEUM = "museum", _("Museum")
    RECYCLING_CENTRE = "recycling_centre", _("Recycling centre")
    TOILETS = "toilets", _("Public toilets")
    DRINKING_WATER = "drinking_water", _("Drinking fountain")
    DEFIBRILLATOR = "defibrillator", _("Defibrillator")
    POST_OFFICE = "post_office", _("Post office")
    OTHER = "other", _("Other public service")


class Wheelchair(models.TextChoices):
    """OpenStreetMap's `wheelchair` values."""

    YES = "yes", _("Wheelchair accessible")
    LIMITED = "limited", _("Partly wheelchair accessible")
    NO = "no", _("Not wheelchair accessible")
    UNKNOWN = "", _("Wheelchair access unknown")


class Place(models.Model):
    """A public facility of one city: where it is, how to reach it, when it is open."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="places", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    wheelchair = models.CharField(_("wheelchair access"), max_length=8, choices=Wheelchair.choices, blank=True)
    accessible_toilets = models.BooleanField(_("accessible toilets"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    image = _image_field(_("image"))
    image_alt_fr = _alt_field(_("image text alternative (French)"))
    image_alt_en = _alt_field(_("image text alternative (English)"))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=500,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_('OpenStreetMap syntax, e.g. "Mo-Fr 09:00-18:00; Sa 09:00-12:00; PH off"; '
                    'empty when unknown, "24/7" for always open.'),
    )
    source = models.CharField(
        _("source"), max_length=40, blank=True, help_text=_('Where the row comes from: "osm", "csv", "demo"…')
    )
    source_id = models.CharField(
        _("source id"), max_length=120, blank=True, help_text=_('Its id there, e.g. "node/123"; imports match on it.')
    )
    provenance = models.TextField(_("provenance"), blank=True, help_text=_("Source, licence and date of the facts."))
    is_demo = models.BooleanField(_("demo data"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["city", "name"]
        indexes = [
            models.Index(fields=["city", "kind"], name="place_city_kind"),
            models.Index(fields=["city", "lat", "lon"], name="place_city_position"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="place_unique_slug"),
            models.UniqueConstraint(
                fields=["city", "source", "source_id"], condition=~Q(source_id=""), name="place_unique_source_id"
            ),
            models.CheckConstraint(condition=Q(kind__in=PlaceKind.values), name="place_kind_known"),
            models.CheckConstraint(condition=Q(wheelchair__in=Wheelchair.values), name="place_wheelchair_known"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180), name="place_on_earth"
            ),
            models.CheckConstraint(condition=Q(image__isnull=True) | ~Q(image_alt_fr=""), name="place_image_has_alt"),
        ]

    def __str__(self) -> str:
        return self.name

    def description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description_fr

    def image_alt(self, language: str) -> str:
        return self.image_alt_en if language == "en" and self.image_alt_en else self.image_alt_fr

    def clean(self) -> None:
        check_image(self, "image")


class PlaceClosure(models.Model):
    """An exceptional closure of a place, whole local days from `starts_on` to `ends_on` included."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="closures", verbose_name=_("place"))
    starts_on = models.DateField(_("closed from"))
    ends_on = models.DateField(_("closed until (included)"))
    reason_fr = models.CharField(_("reason (French)"), max_length=200, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exceptional closure")
        verbose_name_plural = _("exceptional closures")
        ordering = ["place", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="closure_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.starts_on:%Y-%m-%d} → {self.ends_on:%Y-%m-%d}"

    def reason(self, language: str) -> str:
        return self.reason_en if language == "en" and self.reason_en else self.reason_fr


def validate_rrule(value: str) -> None:
    """Refuses a recurrence rule that python-dateutil cannot read (RFC 5545 RRULE value, no "RRULE:")."""
    if value and not is_valid_rrule(value):
        raise ValidationError(_("Not a valid RRULE, e.g. \"FREQ=WEEKLY;BYDAY=SA;COUNT=8\"."))


def validate_exdates(value) -> None:
    """Excluded occurrences are a list of local times such as "2026-12-26T10:00"."""
    if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
        raise ValidationError(_('A list of local times, e.g. ["2026-12-26T10:00"].'))
    for text in value:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_('A list of local times, e.g. ["2026-12-26T10:00"].')) from None


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children")
    FAMILIES = "families", _("Families")
    TEENAGERS = "teenagers", _("Teenagers")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")
    FULL = "full", _("Full")


class EventCategory(models.Model):
    """A category of a city's agenda (concerts, exhibitions…): a filter and an iCalendar feed of its own."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="event_categories",
                             verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=60)
    name_fr = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["city", "name_fr"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="event_category_unique_slug")]

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr


class Event(models.Model):
    """An event of a city's agenda: once, or repeated by an RRULE read in the city's time zone.

    `starts_at`/`ends_at` are the first occurrence (stored in UTC, entered and shown in the city's
    time); a recurrence repeats its local wall-clock time, so a Saturday 10:00 market stays at 10:00
    when the clocks change. `series_ends_at` is the end of the last occurrence (null: endless), kept
    by the services so that a period query never expands a series that is over.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="events", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=120)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    rrule = models.CharField(_("recurrence (RRULE)"), max_length=300, blank=True, validators=[validate_rrule],
                             help_text=_('RFC 5545, e.g. "FREQ=WEEKLY;BYDAY=SA;COUNT=8"; empty when it happens once.'))
    exdates = models.JSONField(_("excluded occurrences"), default=list, blank=True, validators=[validate_exdates],
                               help_text=_('Local start times left out of the recurrence, e.g. ["2026-12-26T10:00"].'))
    series_ends_at = models.DateTimeField(_("series ends"), null=True, blank=True, editable=False)
    # The EventOccurrence rows are complete for every occurrence starting before this moment (null:
    # not materialised, the agenda expands the rule itself); see cityinfo/occurrences.py.
    occurrences_until = models.DateTimeField(_("occurrences stored until"), null=True, blank=True, editable=False)
    venue = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
                              verbose_name=_("venue"))
    location = models.CharField(_("location"), max_length=300, blank=True,
                                help_text=_("Where, when the venue is not one of the city's places."))
    categories = models.ManyToManyField(EventCategory, blank=True, related_name="events",
                                        verbose_name=_("categories"))
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    is_free = models.BooleanField(_("free"), default=False)
    price = models.CharField(_("price"), max_length=120, blank=True, help_text=_('e.g. "8 €, 5 € reduced".'))
    wheelchair = models.BooleanField(_("wheelchair access"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    sign_language = models.BooleanField(_("sign language"), default=False)
    booking_url = models.URLField(_("booking link"), max_length=500, blank=True)
    image = _image_field(_("image"))
    image_alt_fr = _alt_field(_("image text alternative (French)"))
    image_alt_en = _alt_field(_("image text alternative (English)"))
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    source = models.CharField(_("source"), max_length=40, blank=True)
    source_id = models.CharField(_("source id"), max_length=200, blank=True)
    provenance = models.TextField(_("provenance"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    # iCalendar (RFC 5545): SEQUENCE grows with each change of time, place, recurrence or status
    # (RESCHEDULING_FIELDS), so that calendar applications replace their copy; LAST-MODIFIED is `updated_at`.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["city", "starts_at"]
        indexes = [models.Index(fields=["city", "starts_at", "series_ends_at"], name="event_city_period")]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="event_unique_slug"),
            models.UniqueConstraint(
                fields=["city", "source", "source_id"], condition=~Q(source_id=""), name="event_unique_source_id"
            ),
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status_known"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="event_audience_known"),
            models.CheckConstraint(condition=Q(image__isnull=True) | ~Q(image_alt_fr=""), name="event_image_has_alt"),
        ]

    def __str__(self) -> str:
        return self.title_fr

    def save(self, *args, **kwargs) -> None:
        bump_sequence(self, EVENT_RESCHEDULING_FIELDS, kwargs)
        super().save(*args, **kwargs)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_fr

    def description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description_fr

    def image_alt(self, language: str) -> str:
        return self.image_alt_en if language == "en" and self.image_alt_en else self.image_alt_fr

    def clean(self) -> None:
        if self.venue_id and self.city_id and self.venue.city_id != self.city_id:
            raise ValidationError({"venue": _("The venue must be a place of the same city.")})
        check_image(self, "image")


# A change of any of these is a new revision of the event for calendar applications.
EVENT_RESCHEDULING_FIELDS = ("starts_at", "ends_at", "rrule", "exdates", "venue_id", "location", "status")




LONG_OCCURRENCE = timedelta(days=1)


class EventOccurrence(models.Model):
    """One occurrence of an event (UTC), materialised so that a period of the agenda is one range query.

    Kept by cityinfo/occurrences.py: rewritten when an event is saved (a signal), removed with it
    (cascade), extended each night up to the horizon (`extend_occurrences`), rebuilt by
    `citypocket rebuild_occurrences`. `Event.occurrences_until` says up to when the rows are complete.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("event"))
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Longer than LONG_OCCURRENCE (a day; a festival, an exhibition): a period reads the short ones from
    # (city, starts_at) within [start - LONG_OCCURRENCE, end), the long ones from their own index.
    is_long = models.BooleanField(_("long"), default=False)

    class Meta:
        verbose_name = _("event occurrence")
        verbose_name_plural = _("event occurrences")
        indexes = [
            models.Index(fields=["city", "starts_at"], name="occurrence_city_start"),
            models.Index(fields=["city", "ends_at"], condition=Q(is_long=True), name="occurrence_city_end"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.starts_at:%Y-%m-%d %H:%M} UTC"

class FeedFormat(models.TextChoices):
    ICAL = "ical", _("iCalendar (.ics)")
    OPENAGENDA = "openagenda", _("OpenAgenda JSON export")


class EventFeed(models.Model):
    """A feed of events a city imports on a schedule (`citypocket import_event_feeds`, then a task each)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="event_feeds",
                             verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    format = models.CharField(_("format"), max_length=12, choices=FeedFormat.choices)
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last import"), null=True, blank=True, editable=False)
    last_result = models.CharField(_("last result"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("event feed")
        verbose_name_plural = _("event feeds")
        ordering = ["city", "name"]
        constraints = [models.CheckConstraint(condition=Q(format__in=FeedFormat.values), name="event_feed_format")]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """The source name of its events: imports of this feed match on it, whatever its URL becomes."""
        return f"feed-{self.pk}"


class ArticleCategory(models.TextChoices):
    CITY_LIFE = "city_life", _("City life")
    WORKS = "works", _("Works and traffic")
    CULTURE = "culture", _("Culture and sport")
    ENVIRONMENT = "environment", _("Environment")
    SERVICES = "services", _("Public services")


class Article(models.Model):
    """A news article of a city, in French and English, shown between `publish_at` and `expires_at`.

    `body_fr`/`body_en` are HTML kept sanitised (`cityinfo.articles.sanitise_html`, nh3): the admin
    and the services clean what they save, and the pages clean again what they show. A cover image
    (an uploaded `cover`, else a `cover_url`) is only accepted with its text alternative.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="articles",
                             verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=ArticleCategory.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_fr = models.CharField(_("summary (French)"), max_length=300)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    body_fr = models.TextField(_("body (French)"), help_text=_("HTML: paragraphs, headings, lists, links."))
    body_en = models.TextField(_("body (English)"), blank=True)
    cover = _image_field(_("cover image"))
    cover_url = models.URLField(
        _("cover image URL"), max_length=500, blank=True,
        help_text=_("Only when there is no uploaded cover: a picture of this site (imported articles)."))
    cover_alt_fr = _alt_field(_("cover text alternative (French)"))
    cover_alt_en = _alt_field(_("cover text alternative (English)"))
    publish_at = models.DateTimeField(_("published from"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True, help_text=_("Untick to keep a draft."))
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["city", "-publish_at"]
        indexes = [models.Index(fields=["city", "publish_at"], name="article_city_publish")]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="article_unique_slug"),
            models.CheckConstraint(condition=Q(category__in=ArticleCategory.values), name="article_category_known"),
            models.CheckConstraint(condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")),
                                   name="article_expires_after_publication"),
            models.CheckConstraint(condition=Q(cover_url="", cover__isnull=True) | ~Q(cover_alt_fr=""),
                                   name="article_cover_has_alt"),
        ]

    def __str__(self) -> str:
        return self.title_fr

    def _text(self, name: str, language: str) -> str:
        english = getattr(self, f"{name}_en")
        return english if language == "en" and english else getattr(self, f"{name}_fr")

    def title(self, language: str) -> str:
        return self._text("title", language)

    def summary(self, language: str) -> str:
        return self._text("summary", language)

    def body(self, language: str) -> str:
        return self._text("body", language)

    def cover_alt(self, language: str) -> str:
        return self._text("cover_alt", language)

    def clean(self) -> None:
        if self.cover_url and not self.cover_alt_fr.strip():
            raise ValidationError({"cover_alt_fr": ALT_REQUIRED})
        check_image(self, "cover")


class SearchEntry(models.Model):
    """One public item of a city in the one search (`cityinfo.searchindex`): a copy of what is searched and shown.

    Rows are written only from the searchable kinds' declarations (`<app>/searchable.py`), which
    choose the public items and the text: nothing else of an item reaches the index. On PostgreSQL a
    migration adds `document`, a stored generated `tsvector` (French and English, accents ignored
    through the `french_unaccent`/`english_unaccent` text search configurations), with a GIN index,
    and a trigram GIN index on `trgm` for typos. `norm` serves the SQLite fallback.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_fr = models.CharField(_("summary (French)"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    url = models.CharField(_("address"), max_length=300)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    norm = models.TextField(_("normalised text"), blank=True, help_text=_("Lower case, without accents."))
    trgm = models.CharField(_("normalised titles"), max_length=700, blank=True)
    visible_from = models.DateTimeField(_("visible from"), null=True, blank=True)
    visible_until = models.DateTimeField(_("visible until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [models.Index(fields=["city", "kind"], name="search_city_kind")]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_unique_item")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_fr

    def summary(self, language: str) -> str:
        return self.summary_en if language == "en" and self.summary_en else self.summary_fr


# Addresses, waste collection and the sorting guide (their own module, found here by Django).
from citypocket.cityinfo.waste_models import (  # noqa: E402, F401
    Address,
    CollectionRule,
    SortingItem,
    WasteZone,
    WasteZoneStreet,
)
