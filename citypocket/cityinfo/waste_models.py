"""Addresses and waste collection: the address base, collection zones and rules, the sorting guide.

Imported by `cityinfo.models` (Django finds these models there); kept apart so that the waste
part reads on its own.

* `Address` — one numbered address of the national address base (BAN), loaded from its CSV export
  by `citypocket load_addresses`; the embedded address search reads it. Public data, nobody's.
* `WasteZone` — a collection round of one city; `WasteZoneStreet` says which streets (a whole
  street, or a range of numbers, odd or even) belong to it.
* `CollectionRule` — when one stream is collected in a zone: an RFC 5545 RRULE from a first date
  (`FREQ=WEEKLY;INTERVAL=2;BYDAY=WE` is "every other Wednesday") and what happens when a date
  falls on a public holiday (moved to the next working day, cancelled, or kept).
* `SortingItem` — an entry of the city's sorting guide ("which bin?"), in French and English.

No table here holds a resident's address: the chosen address stays on the device.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cityinfo.recurrence import is_valid_rrule
from citypocket.cityinfo.textnorm import normalise, search_text


class Stream(models.TextChoices):
    """What is collected at the door, and where the sorting guide may send an item."""

    HOUSEHOLD = "household", _("Household waste")
    RECYCLING = "recycling", _("Recycling")
    GLASS = "glass", _("Glass")
    GREEN = "green", _("Green waste")
    BULKY = "bulky", _("Bulky items")
    # Only for the sorting guide: not collected at the door.
    RECYCLING_CENTRE = "recycling_centre", _("Recycling centre")
    TAKE_BACK = "take_back", _("Take back to a shop")


COLLECTED_STREAMS = [Stream.HOUSEHOLD, Stream.RECYCLING, Stream.GLASS, Stream.GREEN, Stream.BULKY]


class HolidayShift(models.TextChoices):
    NEXT_DAY = "next_day", _("Moved to the next working day")
    SKIP = "skip", _("Not collected")
    KEEP = "keep", _("Collected as usual")


class Parity(models.TextChoices):
    ALL = "all", _("All numbers")
    ODD = "odd", _("Odd numbers")
    EVEN = "even", _("Even numbers")


def validate_rrule_field(value: str) -> None:
    if value and not is_valid_rrule(value):
        raise ValidationError(_("Not a valid RRULE."))


class Address(models.Model):
    """A numbered address of the national address base (BAN), for the embedded address search."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="addresses",
                             verbose_name=_("city"))
    ban_id = models.CharField(_("BAN id"), max_length=60, help_text=_('The row\'s "id", e.g. 76540_1234_00012.'))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    suffix = models.CharField(_("repetition"), max_length=10, blank=True, help_text=_("bis, ter, A…"))
    street = models.CharField(_("street"), max_length=200)
    street_key = models.CharField(_("street key"), max_length=200, help_text=_("The street, normalised."))
    postcode = models.CharField(_("postcode"), max_length=5)
    citycode = models.CharField(_("INSEE code"), max_length=5)
    commune = models.CharField(_("commune"), max_length=100)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    search_text = models.CharField(_("search text"), max_length=400,
                                   help_text=_("Normalised words, each preceded by a space, for prefix search."))
    source = models.CharField(_("source"), max_length=40, default="ban")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["city", "street_key", "number", "suffix"]
        indexes = [models.Index(fields=["city", "street_key", "number"], name="address_city_street")]
        constraints = [
            models.UniqueConstraint(fields=["city", "ban_id"], name="address_unique_ban_id"),
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                                   name="address_on_earth"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        number = f"{self.number}{(' ' + self.suffix) if self.suffix else ''} " if self.number is not None else ""
        return f"{number}{self.street}, {self.postcode} {self.commune}"


class WasteZone(models.Model):
    """A collection round of one city: the streets it covers and the rules of each stream."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="waste_zones",
                             verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=60)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    bulky_url = models.URLField(_("bulky items: booking page"), max_length=500, blank=True)
    bulky_phone = models.CharField(_("bulky items: phone"), max_length=40, blank=True)
    provenance = models.TextField(_("provenance"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("waste collection zone")
        verbose_name_plural = _("waste collection zones")
        ordering = ["city", "slug"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="wastezone_unique_slug")]

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr


class WasteZoneStreet(models.Model):
    """A street (or the numbers `number_from` to `number_to` of it, odd, even or all) in a zone."""

    zone = models.ForeignKey(WasteZone, on_delete=models.CASCADE, related_name="streets", verbose_name=_("zone"))
    street = models.CharField(_("street"), max_length=200, help_text=_("As the address base writes it."))
    street_key = models.CharField(_("street key"), max_length=200, editable=False)
    number_from = models.PositiveIntegerField(_("from number"), null=True, blank=True)
    number_to = models.PositiveIntegerField(_("to number"), null=True, blank=True)
    parity = models.CharField(_("numbers"), max_length=4, choices=Parity.choices, default=Parity.ALL)

    class Meta:
        verbose_name = _("street of a zone")
        verbose_name_plural = _("streets of a zone")
        ordering = ["zone", "street_key", "number_from"]
        indexes = [models.Index(fields=["street_key"], name="wastestreet_key")]
        constraints = [
            models.CheckConstraint(condition=Q(parity__in=Parity.values), name="wastestreet_parity_known"),
            models.CheckConstraint(
                condition=Q(number_from__isnull=True) | Q(number_to__isnull=True)
                | Q(number_from__lte=models.F("number_to")), name="wastestreet_range_ordered"),
        ]

    def __str__(self) -> str:
        return self.street

    def save(self, *args, **kwargs):
        self.street_key = normalise(self.street)
        super().save(*args, **kwargs)

    def covers(self, number: int | None) -> bool:
        if number is None:
            return self.number_from is None and self.number_to is None and self.parity == Parity.ALL
        if self.number_from is not None and number < self.number_from:
            return False
        if self.number_to is not None and number > self.number_to:
            return False
        return self.parity == Parity.ALL or (number % 2 == 1) == (self.parity == Parity.ODD)


class CollectionRule(models.Model):
    """When one stream is collected in one zone, and what a public holiday does to it."""

    zone = models.ForeignKey(WasteZone, on_delete=models.CASCADE, related_name="rules", verbose_name=_("zone"))
    stream = models.CharField(_("stream"), max_length=20, choices=Stream.choices)
    starts_on = models.DateField(_("first collection"), help_text=_("Anchors \"every other week\"."))
    ends_on = models.DateField(_("last collection"), null=True, blank=True)
    rrule = models.CharField(
        _("recurrence (RRULE)"), max_length=300, blank=True, validators=[validate_rrule_field],
        help_text=_('RFC 5545, e.g. "FREQ=WEEKLY;BYDAY=MO,TH" or "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"; '
                    'empty for bulky items on appointment.'),
    )
    on_appointment = models.BooleanField(_("on appointment"), default=False)
    holiday_shift = models.CharField(_("on a public holiday"), max_length=10, choices=HolidayShift.choices,
                                     default=HolidayShift.NEXT_DAY)
    put_out_fr = models.CharField(_("when to put the bin out (French)"), max_length=200, blank=True)
    put_out_en = models.CharField(_("when to put the bin out (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("collection rule")
        verbose_name_plural = _("collection rules")
        ordering = ["zone", "stream"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "stream"], name="collectionrule_one_per_stream"),
            models.CheckConstraint(condition=Q(stream__in=[s.value for s in COLLECTED_STREAMS]),
                                   name="collectionrule_stream_collected"),
            models.CheckConstraint(condition=Q(holiday_shift__in=HolidayShift.values),
                                   name="collectionrule_shift_known"),
            models.CheckConstraint(condition=Q(on_appointment=True) | ~Q(rrule=""),
                                   name="collectionrule_has_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} · {self.get_stream_display()}"

    def clean(self) -> None:
        if not self.on_appointment and not self.rrule:
            raise ValidationError({"rrule": _("Give the recurrence, or tick \"on appointment\".")})

    def put_out(self, language: str) -> str:
        return self.put_out_en if language == "en" and self.put_out_en else self.put_out_fr


class SortingItem(models.Model):
    """An entry of a city's sorting guide: an object, its synonyms, where it goes and how."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="sorting_items",
                             verbose_name=_("city"))
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    synonyms_fr = models.CharField(_("synonyms (French)"), max_length=300, blank=True,
                                   help_text=_("Comma-separated."))
    synonyms_en = models.CharField(_("synonyms (English)"), max_length=300, blank=True,
                                   help_text=_("Comma-separated."))
    stream = models.CharField(_("where it goes"), max_length=20, choices=Stream.choices)
    advice_fr = models.CharField(_("advice (French)"), max_length=300, blank=True)
    advice_en = models.CharField(_("advice (English)"), max_length=300, blank=True)
    search_text = models.CharField(_("search text"), max_length=900, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("sorting guide item")
        verbose_name_plural = _("sorting guide items")
        ordering = ["city", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name_fr"], name="sortingitem_unique_name"),
            models.CheckConstraint(condition=Q(stream__in=Stream.values), name="sortingitem_stream_known"),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def save(self, *args, **kwargs):
        self.search_text = search_text(self.name_fr, self.name_en, self.synonyms_fr.replace(",", " "),
                                       self.synonyms_en.replace(",", " "))[:900]
        super().save(*args, **kwargs)

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr

    def advice(self, language: str) -> str:
        return self.advice_en if language == "en" and self.advice_en else self.advice_fr
