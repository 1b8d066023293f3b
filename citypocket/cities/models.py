"""Cities (the tenants) and the staff who work for them."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from citypocket.cities.language import of_city

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("A colour such as #A1002B."))


class City(models.Model):
    """A city or metropolis served by this install; every city-owned row points to one."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("display name"), max_length=120)
    official_name = models.CharField(_("official name"), max_length=200)
    insee_codes = models.JSONField(_("INSEE codes"), default=list, help_text=_("Commune codes, e.g. [\"76540\"]."))
    centre_lat = models.FloatField(_("centre latitude"))
    centre_lon = models.FloatField(_("centre longitude"))
    bbox_south = models.FloatField(_("south"))
    bbox_west = models.FloatField(_("west"))
    bbox_north = models.FloatField(_("north"))
    bbox_east = models.FloatField(_("east"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    default_language = models.CharField(_("default language"), max_length=8, default="fr")
    languages = models.JSONField(_("languages"), default=list)
    tile_url = models.CharField(
        _("map tile URL template"), max_length=300, default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    tile_attribution = models.CharField(
        _("map attribution"), max_length=300, default="© OpenStreetMap contributors"
    )
    brand_colour = models.CharField(_("brand colour"), max_length=7, default="#1F4E79", validators=[hex_colour])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(centre_lat__gte=-90, centre_lat__lte=90, centre_lon__gte=-180, centre_lon__lte=180),
                name="city_centre_on_earth",
            ),
            models.CheckConstraint(
                condition=Q(bbox_south__lt=models.F("bbox_north"), bbox_west__lt=models.F("bbox_east")),
                name="city_bbox_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name_of(self) -> str:
        """The name after "of" in the active language: "d'Aix-en-Provence" in French (cities/language.py)."""
        return of_city(self.name)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north), the GeoJSON order."""
        return (self.bbox_west, self.bbox_south, self.bbox_east, self.bbox_north)

    def contains(self, lat: float, lon: float) -> bool:
        return self.bbox_south <= lat <= self.bbox_north and self.bbox_west <= lon <= self.bbox_east

    # --- City time: every "today", "this morning" and opening hour is the city's, not the server's.

    @property
    def zone(self) -> ZoneInfo:
        """The city's time zone.

        Cached by `ZoneInfo` itself (one instance per zone name), so it costs a dictionary look-up
        and never goes stale when `timezone` is edited on this instance.
        """
        return ZoneInfo(self.timezone)

    def local_today(self, moment: datetime | None = None) -> date:
        """The city's calendar date at `moment` (an aware datetime; now by default)."""
        return localdate(moment, timezone=self.zone)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The instants [start, end) of the local calendar day `day`, in UTC.

        Computed from the two local midnights, so a day is 23 or 25 hours long when the clocks
        change. UTC rather than local datetimes because Python subtracts two datetimes of the same
        zone by their wall clocks (the DST day would come out as 24 hours); when a midnight does not
        exist (a zone that changes at 00:00), the day starts at the first instant after the gap.
        """
        start = datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)
        return start, end


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
    DATA_PUBLISHER = "data_publisher", _("Data publisher")


class StaffMembership(models.Model):
    """One role of one person in one city. A person may hold several roles, in several cities."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [models.UniqueConstraint(fields=["city", "user", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.city}"
