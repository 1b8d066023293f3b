"""Daily air-quality indices, per station and city-wide, computed here or published by an Atmo association.

The stations themselves are `sensors.Sensor` rows of kind "air": the air app owns no copy of them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    ATMO_2021 = "atmo-2021", _("ATMO index (2021)")
    EAQI_2024 = "eaqi-2024", _("European Air Quality Index (2024)")


class Source(models.TextChoices):
    COMPUTED = "computed", _("Computed from measurements")
    OFFICIAL = "official", _("Published by the Atmo association")


class AirIndexDaily(models.Model):
    """The index of one day for one station, or for the whole city when `station` is empty.

    Every row records its scale and the version of that scale. Level 0 means "unavailable"
    (too little data), never "good".
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="air_indices",
                             verbose_name=_("city"))
    station = models.ForeignKey(
        "sensors.Sensor", on_delete=models.CASCADE, null=True, blank=True, related_name="air_indices",
        verbose_name=_("station"), help_text=_("Empty for the city-wide value."),
    )
    date = models.DateField(_("date"), help_text=_("The local day the index is for."))
    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, default=Scale.ATMO_2021)
    version = models.CharField(_("scale version"), max_length=80)
    level = models.PositiveSmallIntegerField(
        _("level"), help_text=_("1 (good) to 6 (extremely poor); 0 = unavailable; 7 = event (official feeds).")
    )
    sub_indices = models.JSONField(_("sub-indices"), default=dict, blank=True)
    dominant = models.JSONField(_("dominant pollutants"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.COMPUTED)
    forecast = models.BooleanField(_("forecast"), default=False)
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Computed on a day still in progress.")
    )
    zone_code = models.CharField(_("zone code"), max_length=20, blank=True,
                                 help_text=_("Commune (INSEE) or zone of an official index."))
    zone_name = models.CharField(_("zone name"), max_length=200, blank=True)
    data_until = models.DateTimeField(_("data until"), null=True, blank=True,
                                      help_text=_("Time of the latest measurement used."))
    computed_at = models.DateTimeField(_("computed or received at"))

    class Meta:
        verbose_name = _("daily air index")
        verbose_name_plural = _("daily air indices")
        ordering = ["city", "-date", "station"]
        indexes = [models.Index(fields=["city", "date", "scale"], name="air_index_city_date")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=7), name="air_index_level_range"),
            models.UniqueConstraint(
                fields=["station", "date", "scale", "source"],
                condition=Q(station__isnull=False),
                name="air_index_unique_station_day",
            ),
            models.UniqueConstraint(
                fields=["city", "date", "scale", "source", "zone_code"],
                condition=Q(station__isnull=True),
                name="air_index_unique_city_day",
            ),
        ]

    def __str__(self) -> str:
        where = self.station.external_id if self.station_id else (self.zone_name or self.city.slug)
        return f"{self.scale} {self.date} {where}: {self.level} ({self.source})"


class AirAlert(models.Model):
    """One pollution episode alert of a city for one day: sent once, whatever the number of triggers."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="air_alerts",
                             verbose_name=_("city"))
    date = models.DateField(_("date"))
    level = models.PositiveSmallIntegerField(_("level"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    forecast = models.BooleanField(_("forecast"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("air alert")
        verbose_name_plural = _("air alerts")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["city", "date"], name="air_alert_one_per_day"),
            models.CheckConstraint(condition=Q(level__gte=4, level__lte=7), name="air_alert_level_is_an_episode"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.date}: {self.level}"


class AirNowState(models.Model):
    """A city's "air now" generation: moved on by every change to what "air now" reads (readings, stations,
    stored indices, the city), so that an answer built before the change is never given after it."""

    city = models.OneToOneField("cities.City", on_delete=models.CASCADE, primary_key=True, related_name="+",
                                verbose_name=_("city"))
    generation = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("air now state")
        verbose_name_plural = _("air now states")

    def __str__(self) -> str:
        return f"{self.city_id}: {self.generation}"


class AirNowAnswer(models.Model):
    """ "Air now" in one language as the worker built it (`services.store_air_now`): its ETag and body,
    the generation it was built at, and the moment it stops being true without any new data (a station
    turning stale, the local day ending). A GET gives it only while it is current, else builds the answer."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    language = models.CharField(_("language"), max_length=8)
    generation = models.BigIntegerField(_("generation"))
    valid_until = models.DateTimeField(_("valid until"))
    etag = models.CharField(_("ETag"), max_length=80)
    body = models.BinaryField(_("body"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("air now answer")
        verbose_name_plural = _("air now answers")
        constraints = [models.UniqueConstraint(fields=["city", "language"], name="air_now_answer_city_language")]

    def __str__(self) -> str:
        return f"{self.city_id} {self.language} @{self.generation}"
