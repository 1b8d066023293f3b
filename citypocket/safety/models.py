"""Street safety: anonymous harassment reports (encrypted at rest), their audit log, safe places,
awareness articles and the video-protection register.

A report keeps in clear only coarse facts that identify nobody (city, category, role, month,
H3 cell of resolution 8, status, day received); the exact place and time, the free text and the
contact are Fernet tokens (see safety.crypto) read only through `services.read_report_details`.
No IP address, device id or account is ever stored with a report.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.core import geojson


class Category(models.TextChoices):
    VERBAL = "verbal", _("Verbal harassment")
    FOLLOWING = "following", _("Following")
    TOUCHING = "touching", _("Unwanted touching")
    EXHIBITIONISM = "exhibitionism", _("Exhibitionism")
    THREATS = "threats", _("Threats")
    DISCRIMINATORY = "discriminatory", _("Discriminatory harassment")
    UNSAFE_PLACE = "unsafe_place", _("Unsafe place (lighting, layout)")
    OTHER = "other", _("Other")


# Public figures use groups, not categories: fewer, larger counts are harder to single out.
CATEGORY_GROUPS = {
    "verbal": "verbal",
    "discriminatory": "verbal",
    "threats": "verbal",
    "following": "physical",
    "touching": "physical",
    "exhibitionism": "physical",
    "unsafe_place": "place",
    "other": "other",
}
GROUPS = ("verbal", "physical", "place", "other")


class ReporterRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")


class Status(models.TextChoices):
    NEW = "new", _("New")
    REVIEWED = "reviewed", _("Reviewed")
    FORWARDED = "forwarded", _("Forwarded to police or a partner")
    CLOSED = "closed", _("Closed")


class HarassmentReport(models.Model):
    """One anonymous report. Coarse facts in clear, everything precise encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="harassment_reports", verbose_name=_("city"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    reporter_role = models.CharField(_("reported as"), max_length=10, choices=ReporterRole.choices)
    period = models.DateField(_("month"), help_text=_("First day of the month the events happened."))
    h3_cell = models.CharField(_("H3 cell (res. 8)"), max_length=16, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    received_on = models.DateField(_("received on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    receipt_hash = models.CharField(_("receipt hash"), max_length=64, unique=True, editable=False)
    # Fernet tokens (ASCII); "" means "not given" or "erased".
    occurred_at_enc = models.TextField(blank=True, default="", editable=False)
    location_enc = models.TextField(blank=True, default="", editable=False)
    place_name_enc = models.TextField(blank=True, default="", editable=False)
    description_enc = models.TextField(blank=True, default="", editable=False)
    contact_enc = models.TextField(blank=True, default="", editable=False)
    contact_erased_on = models.DateField(_("contact erased on"), null=True, blank=True, editable=False)
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("harassment report")
        verbose_name_plural = _("harassment reports")
        ordering = ["-received_on", "id"]
        indexes = [models.Index(fields=["city", "period", "h3_cell"], name="safety_report_hotspot")]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="safety_report_category"),
            models.CheckConstraint(condition=Q(reporter_role__in=ReporterRole.values), name="safety_report_role"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="safety_report_status"),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_on__isnull=False), name="safety_report_closed_has_date"
            ),
        ]

    def __str__(self) -> str:
        # Shown in the admin and its history: nothing precise.
        return f"{self.get_category_display()} · {self.period:%Y-%m} · {str(self.id)[:8]}"


class UpdateKind(models.TextChoices):
    REPORTER = "reporter", _("Information added by the reporter")
    STAFF_NOTE = "staff_note", _("Internal staff note")
    STAFF_REPLY = "staff_reply", _("Reply to the reporter")


class ReportUpdate(models.Model):
    """Information added to a report later: by the reporter (receipt code) or by staff; text encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    report = models.ForeignKey(HarassmentReport, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=12, choices=UpdateKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_enc = models.TextField(blank=True, default="", editable=False)
    created_on = models.DateField(_("date"))
    sequence = models.PositiveIntegerField(_("order"))

    class Meta:
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")
        ordering = ["report", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sequence"], name="safety_update_sequence"),
            models.CheckConstraint(condition=Q(kind__in=UpdateKind.values), name="safety_update_kind"),
            models.CheckConstraint(
                condition=Q(kind="reporter", author__isnull=True) | ~Q(kind="reporter"),
                name="safety_update_reporter_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sequence}"


class AccessAction(models.TextChoices):
    READ_DETAILS = "read_details", _("Read exact details")
    READ_MAP = "read_map", _("Read exact map")
    ADD_NOTE = "add_note", _("Added a note")
    CHANGE_STATUS = "change_status", _("Changed the status")


class SensitiveAccessLog(models.Model):
    """Who read or changed a report's sensitive data, when, and which report. Kept after purges."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("who")
    )
    user_email = models.CharField(_("who (e-mail at the time)"), max_length=254)
    report_id = models.UUIDField(_("report"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive access log entry")
        verbose_name_plural = _("sensitive access log")
        ordering = ["-at"]
        constraints = [models.CheckConstraint(condition=Q(action__in=AccessAction.values), name="safety_log_action")]

    def __str__(self) -> str:
        return f"{self.user_email} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class SafePlaceKind(models.TextChoices):
    BAR = "bar", _("Bar or restaurant")
    PHARMACY = "pharmacy", _("Pharmacy")
    SHOP = "shop", _("Shop")
    PUBLIC_BUILDING = "public_building", _("Public building")
    OTHER = "other", _("Other")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_opening_hours(value) -> None:
    """{"mon": [["09:00", "19:00"]], …}: per weekday, a list of [open, close] in HH:MM (close may pass midnight)."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must be an object keyed by weekday."))
    for day, ranges in value.items():
        if day not in WEEKDAYS or not isinstance(ranges, list):
            raise ValidationError(_("Unknown weekday in opening hours."))
        for item in ranges:
            if not (isinstance(item, list) and len(item) == 2 and all(_is_hhmm(t) for t in item)):
                raise ValidationError(_("Each opening range is [\"HH:MM\", \"HH:MM\"]."))


def _is_hhmm(text) -> bool:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return False
    hours, minutes = text[:2], text[3:]
    return hours.isdigit() and minutes.isdigit() and int(hours) <= 24 and int(minutes) < 60


class SafePlace(models.Model):
    """A venue that welcomes people in danger ("Demandez Angela" style)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="safe_places", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=SafePlaceKind.choices)
    address = models.CharField(_("address"), max_length=250)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    opening_hours = models.JSONField(
        _("opening hours"), default=dict, blank=True, validators=[validate_opening_hours],
        help_text=_('Per weekday, e.g. {"mon": [["09:00", "19:00"]], "sat": [["10:00", "02:00"]]}.'),
    )
    charter_signed_on = models.DateField(_("charter signed on"), null=True, blank=True)
    trained_on = models.DateField(_("staff trained on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("safe place")
        verbose_name_plural = _("safe places")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SafePlaceKind.values), name="safety_place_kind"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180), name="safety_place_on_earth"
            ),
            models.UniqueConstraint(fields=["city", "name", "address"], name="safety_place_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AwarenessArticle(models.Model):
    """An awareness article of a city, in French and English."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="awareness_articles", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=80)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_fr = models.TextField(_("text (French)"), help_text=_("Paragraphs separated by a blank line."))
    body_en = models.TextField(_("text (English)"), help_text=_("Paragraphs separated by a blank line."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("awareness article")
        verbose_name_plural = _("awareness articles")
        ordering = ["order", "slug"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="safety_article_unique_slug")]

    def __str__(self) -> str:
        return self.title_fr

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_fr

    def paragraphs(self, language: str) -> list[str]:
        body = self.body_en if language == "en" else self.body_fr
        return [part.strip() for part in body.split("\n\n") if part.strip()]


class FilmedZone(models.Model):
    """An entry of the video-protection register: where cameras film, who runs them, why, how long."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="filmed_zones", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=160)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    polygon = models.JSONField(
        _("area (GeoJSON polygon)"), null=True, blank=True,
        help_text=_('A GeoJSON Polygon geometry: {"type": "Polygon", "coordinates": [[[lon, lat], …]]}.'),
    )
    operator = models.CharField(_("operator"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    retention_days = models.PositiveSmallIntegerField(_("retention (days)"))
    rights_contact = models.CharField(_("how to exercise your rights"), max_length=300)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("filmed zone")
        verbose_name_plural = _("filmed zones")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=False, lon__isnull=False, radius_m__isnull=False) | Q(polygon__isnull=False),
                name="safety_zone_has_area",
            ),
            # Video-protection images may be kept at most 30 days (Code de la sécurité intérieure, L252-5).
            models.CheckConstraint(condition=Q(retention_days__lte=30), name="safety_zone_retention_max_30"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Stored as RFC 7946 asks (exterior counter-clockwise, holes clockwise), whatever was entered.
        if isinstance(self.polygon, dict) and self.polygon.get("type") == "Polygon":
            self.polygon = geojson.right_hand_ruled(self.polygon)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.polygon is not None:
            ring = (self.polygon or {}).get("coordinates", [[]])[0] if isinstance(self.polygon, dict) else None
            is_polygon = isinstance(self.polygon, dict) and self.polygon.get("type") == "Polygon"
            if not (is_polygon and ring and len(ring) >= 4):
                raise ValidationError({"polygon": _("A GeoJSON Polygon with a closed ring is expected.")})
        elif self.lat is None or self.lon is None or self.radius_m is None:
            raise ValidationError(_("Give a point and a radius, or a polygon."))
