"""Car parks of a city, after the national schema "Lieux de stationnement" (etalab, v0.1.5).

Live numbers are not stored here: a car park points to its `parking` sensor in the sensor engine
and its free spaces are that sensor's `available_spots` datastream.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NATIONAL_ID = re.compile(r"^(?P<insee>([013-9]\d|2[AB1-9])\d{3})-P-(?P<number>\d{3})$")
LA_POSTE_SIREN = "356000000"
# The demo's stand-in when no public source gives an operator's SIRET: all zeros, a value no company has.
SIMULATED_SIRET = "00000000000000"


def siret_is_valid(value: str) -> bool:
    """The national schema's `french-siret-value` check: 14 digits passing the Luhn algorithm, except
    La Poste's establishments (SIREN 356000000), whose digits sum to a multiple of 5 instead."""
    if not re.fullmatch(r"\d{14}", value or ""):
        return False
    if value.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in value) % 5 == 0
    total = 0
    for index, digit in enumerate(int(c) for c in reversed(value)):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def validate_siret(value: str) -> None:
    if value and not siret_is_valid(value):
        raise ValidationError(_("Not a valid SIRET (14 digits with a correct check digit)."), code="invalid_siret")


class StructureType(models.TextChoices):
    """The `type_ouvrage` vocabulary of the national schema."""

    UNDERGROUND = "ouvrage", _("Multi-storey or underground")
    SURFACE = "enclos_en_surface", _("Enclosed surface car park")


class CarPark(models.Model):
    """An off-street car park of one city."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="car_parks", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    sensor = models.ForeignKey(
        "sensors.Sensor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="car_parks",
        verbose_name=_("sensor"),
        help_text=_("The parking sensor whose available_spots readings give the live free spaces."),
    )
    national_id = models.CharField(
        _("national id"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^([013-9]\d|2[AB1-9])\d{3}-P-\d{3}$")],
        help_text=_(
            "INSEE-P-xxx, given by the national access point. Left empty, the next number never issued in "
            "the city is given when the car park is saved; a number once issued is never given again."
        ),
    )
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    operator_siret = models.CharField(
        _("operator SIRET"), max_length=14, blank=True, validators=[validate_siret]
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    disabled_places = models.PositiveIntegerField(_("disabled-badge places"), null=True, blank=True)
    ev_places = models.PositiveIntegerField(_("EV charging places"), null=True, blank=True)
    park_and_ride_places = models.PositiveIntegerField(_("park-and-ride places"), null=True, blank=True)
    max_height_cm = models.PositiveIntegerField(
        _("maximum height (cm)"),
        null=True,
        blank=True,
        help_text=_("Empty when there is no height limit or it is unknown."),
    )
    price_1h = models.DecimalField(_("price 1 h (€)"), max_digits=7, decimal_places=2, null=True, blank=True)
    price_2h = models.DecimalField(_("price 2 h (€)"), max_digits=7, decimal_places=2, null=True, blank=True)
    price_24h = models.DecimalField(_("price 24 h (€)"), max_digits=7, decimal_places=2, null=True, blank=True)
    is_free = models.BooleanField(_("free of charge"), default=False)
    structure_type = models.CharField(_("type"), max_length=20, choices=StructureType.choices, blank=True)
    park_and_ride = models.BooleanField(_("park-and-ride"), default=False)
    transit_line = models.CharField(
        _("transit line to the centre"), max_length=120, blank=True, help_text=_("For a park-and-ride, e.g. TEOR T1.")
    )
    transit_minutes = models.PositiveIntegerField(_("typical transit time to the centre (min)"), null=True, blank=True)
    transit_stop_lat = models.FloatField(_("centre stop latitude"), null=True, blank=True)
    transit_stop_lon = models.FloatField(_("centre stop longitude"), null=True, blank=True)
    opening_hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_('Local times per weekday, e.g. {"mo": [["07:00", "21:00"]]}; empty means open at all times.'),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    approximate_location = models.BooleanField(
        _("approximate location"), default=False, help_text=_("The coordinates are an estimate to be verified.")
    )
    provenance = models.TextField(_("provenance"), blank=True)
    info = models.CharField(_("information"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("car park")
        verbose_name_plural = _("car parks")
        ordering = ["city", "name"]
        indexes = [
            models.Index(fields=["city", "lat", "lon"], name="carpark_city_position"),
            models.Index(fields=["city"], condition=Q(park_and_ride=True), name="carpark_city_park_and_ride"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="carpark_unique_slug"),
            models.UniqueConstraint(
                fields=["city", "national_id"], condition=~Q(national_id=""), name="carpark_unique_national_id",
                violation_error_message=_("Another car park of this city already has this national id."),
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180), name="carpark_on_earth"
            ),
            models.CheckConstraint(
                condition=Q(price_1h__isnull=True) | Q(price_1h__gte=0), name="carpark_price_1h_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_2h__isnull=True) | Q(price_2h__gte=0), name="carpark_price_2h_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_24h__isnull=True) | Q(price_24h__gte=0), name="carpark_price_24h_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if not self.national_id and self.city_id and self.city.insee_codes:
                self.national_id = allocate_national_id(self.city)
            super().save(*args, **kwargs)
            if self.national_id:
                IssuedNationalId.objects.update_or_create(
                    city_id=self.city_id, national_id=self.national_id, defaults={"car_park": self}
                )

    def clean(self) -> None:
        super().clean()
        if not self.national_id or not self.city_id:
            return
        match = NATIONAL_ID.match(self.national_id)
        if match and self.city.insee_codes and match["insee"] not in self.city.insee_codes:
            raise ValidationError({"national_id": _("The national id must start with one of the city's INSEE codes.")})
        issued = IssuedNationalId.objects.filter(city_id=self.city_id, national_id=self.national_id).first()
        if issued and (issued.car_park_id is None or issued.car_park_id != self.pk):
            raise ValidationError({"national_id": _("This national id was already issued to another car park.")})


class IssuedNationalId(models.Model):
    """Every national id a city's car parks have held: kept when the car park is deleted, so that an id
    is never given to another car park."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    national_id = models.CharField(max_length=20)
    car_park = models.ForeignKey(CarPark, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "national_id"], name="issued_national_id_unique")]

    def __str__(self) -> str:
        return self.national_id


def allocate_national_id(city) -> str:
    """`INSEE-P-xxx` with the smallest number never issued in the city (the city row is locked meanwhile)."""
    type(city).objects.select_for_update().filter(pk=city.pk).exists()
    insee = city.insee_codes[0]
    taken = {
        int(match["number"])
        for value in [
            *IssuedNationalId.objects.filter(city=city).values_list("national_id", flat=True),
            *CarPark.objects.filter(city=city).exclude(national_id="").values_list("national_id", flat=True),
        ]
        if (match := NATIONAL_ID.match(value)) and match["insee"] == insee
    }
    number = next((n for n in range(1, 1000) if n not in taken), None)
    if number is None:
        raise ValidationError(_("All 999 national ids of this city have been issued."))
    return f"{insee}-P-{number:03d}"


class FreeSpaceProfile(models.Model):
    """The usual free spaces of a car park around one quarter-hour of the week, kept by the worker.

    `slot` is the quarter-hour of the week in UTC (0 = Monday 00:00 UTC, 671 = Sunday 23:45 UTC);
    `free` the mean over the past HISTORY_WEEKS weeks of each week's mean reading within ±20 minutes
    of that quarter-hour, the newest week's quarter-hour being `through`; `weeks` the weeks that had
    readings. The search reads these rows instead of the readings (`mobility/profiles.py`).
    """

    car_park = models.ForeignKey(CarPark, on_delete=models.CASCADE, related_name="free_profiles")
    slot = models.PositiveSmallIntegerField()
    free = models.FloatField(null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(default=0)
    through = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["car_park", "slot"], name="free_profile_unique_slot"),
            models.CheckConstraint(condition=Q(slot__lt=672), name="free_profile_slot_in_week"),
        ]

    def __str__(self) -> str:
        return f"{self.car_park_id}@{self.slot}"
