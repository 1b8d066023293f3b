"""The last known state of the official feeds a city follows, and the history of their level changes.

One row per commune (water-use restrictions, VigiEau) and per département (weather warning,
Météo-France); a failed fetch leaves the row as it was, so pages keep the last known state with
its time. `LevelChange` keeps every change, for people and for the alerts it raises.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WaterLevel(models.TextChoices):
    NONE = "none", _("No restriction")
    VIGILANCE = "vigilance", _("Vigilance")
    ALERTE = "alerte", _("Alert")
    ALERTE_RENFORCEE = "alerte_renforcee", _("Heightened alert")
    CRISE = "crise", _("Crisis")


class WarningLevel(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class Kind(models.TextChoices):
    WATER_RESTRICTION = "water_restriction", _("Water-use restriction")
    WEATHER_WARNING = "weather_warning", _("Weather warning")


class FeedState(models.Model):
    """What every stored state carries: whether it is demo data, when it was read, since when its level holds."""

    is_demo = models.BooleanField(_("demo data"), default=False)
    fetched_at = models.DateTimeField(_("last read"))
    changed_at = models.DateTimeField(_("level since"))

    class Meta:
        abstract = True


class WaterRestriction(FeedState):
    """What the drought order says for private people of one commune, as last read."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="water_restrictions")
    commune_code = models.CharField(_("commune INSEE code"), max_length=5)
    commune_name = models.CharField(_("commune"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=WaterLevel.choices)
    zone_name = models.CharField(_("alert zone"), max_length=200, blank=True)
    zone_type = models.CharField(_("zone type"), max_length=3, blank=True)
    order_start = models.DateField(_("order in force from"), null=True, blank=True)
    order_end = models.DateField(_("order in force until"), null=True, blank=True)
    order_url = models.URLField(_("order"), max_length=500, blank=True)
    frame_order_url = models.URLField(_("framework order"), max_length=500, blank=True)
    rules = models.JSONField(_("rules"), default=list, blank=True)  # [{"theme", "name", "description"}]

    class Meta:
        verbose_name = _("water-use restriction")
        verbose_name_plural = _("water-use restrictions")
        ordering = ["city", "commune_code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "commune_code"], name="water_restriction_one_per_commune"),
            models.CheckConstraint(condition=Q(level__in=WaterLevel.values), name="water_restriction_level_known"),
        ]

    def __str__(self) -> str:
        return f"{self.commune_code} {self.level}"


class WeatherWarning(FeedState):
    """Today's Météo-France warning colour of the city's département, with each phenomenon's colour."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="weather_warnings")
    department = models.CharField(_("département"), max_length=3)
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    phenomena = models.JSONField(_("phenomena"), default=dict, blank=True)  # {"wind": "yellow", ...}
    updated_at = models.DateTimeField(_("bulletin time"), null=True, blank=True)

    class Meta:
        verbose_name = _("weather warning")
        verbose_name_plural = _("weather warnings")
        ordering = ["city", "department"]
        constraints = [
            models.UniqueConstraint(fields=["city", "department"], name="weather_warning_one_per_department"),
            models.CheckConstraint(condition=Q(level__in=WarningLevel.values), name="weather_warning_level_known"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.level}"


class LevelChange(models.Model):
    """One change of level of an official feed (the first reading counts, from no level)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="official_level_changes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.CharField(_("area"), max_length=5, help_text=_("Commune INSEE code or département."))
    old_level = models.CharField(_("previous level"), max_length=20, blank=True)
    new_level = models.CharField(_("new level"), max_length=20)
    is_demo = models.BooleanField(_("demo data"), default=False)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["city", "kind", "area", "-changed_at"], name="level_change_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.area}: {self.old_level or '-'} -> {self.new_level}"
