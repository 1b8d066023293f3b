"""Notifications: who wants to hear what (Subscription), what was sent (Notification) and each sending
(Delivery); city alerts published by staff (CityAlert) and each city's alert settings.

A Subscription is one address of one channel: a signed-in person's e-mail, or one browser's push
subscription (with or without an account). Its preferences (themes, communes, language, quiet
hours, digest) travel with it, so that a person may want air episodes on the phone and only a weekly
digest by e-mail. `token` is the subscription's secret: it unsubscribes, and it names an anonymous
device's preferences.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    CITY_ALERTS = "city_alerts", _("City alerts")
    AIR = "air", _("Air pollution episodes")
    WATER = "water", _("Water restrictions")
    WASTE = "waste", _("Waste collection reminders")
    EVENTS = "events", _("Events")
    PARTICIPATION = "participation", _("Participation items I follow")


class Severity(models.TextChoices):
    """The CAP 1.2 severities (`<severity>`), from the most to the least serious."""

    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


URGENT = {Severity.EXTREME, Severity.SEVERE}  # what quiet hours and digests let through at once

# The key prefix of a water-restriction notification whose change also sent a city alert
# (official.py): it skips the subscriptions that hear city alerts, so that nobody hears it twice.
WATER_WITH_ALERT = "water+alert:"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBPUSH = "webpush", _("Web push")


class Digest(models.TextChoices):
    NONE = "none", _("Each notification as it comes")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


def default_themes() -> list[str]:
    return [Theme.CITY_ALERTS.value]


class Subscription(models.Model):
    """One channel address in one city and what its owner wants to receive there."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    token = models.UUIDField(_("token"), unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    endpoint = models.URLField(_("push endpoint"), max_length=1000, blank=True)
    p256dh = models.CharField(_("push public key"), max_length=200, blank=True)
    auth = models.CharField(_("push auth secret"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    themes = models.JSONField(_("themes"), default=default_themes)
    event_categories = models.JSONField(_("event categories"), default=list, blank=True)
    communes = models.JSONField(_("communes"), default=list, blank=True,
                                help_text=_("INSEE codes; empty means the whole city."))
    # Slugs of the city's waste collection zones (cityinfo `WasteZone.slug`) to be reminded of the
    # evening before a collection. A zone is shared by many addresses: no address is kept here.
    waste_zones = models.JSONField(_("waste collection zones"), default=list, blank=True,
                                   help_text=_("Collection zones (slugs) for the waste reminders."))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.CharField(_("digest"), max_length=8, choices=Digest.choices, default=Digest.NONE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification subscription")
        verbose_name_plural = _("notification subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="email", user__isnull=False) | Q(channel="webpush") & ~Q(endpoint="")),
                name="notification_subscription_has_address",
            ),
            models.UniqueConstraint(fields=["city", "user"], condition=Q(channel="email"),
                                    name="notification_subscription_unique_email"),
            models.UniqueConstraint(fields=["city", "endpoint"], condition=Q(channel="webpush"),
                                    name="notification_subscription_unique_endpoint"),
        ]
        indexes = [models.Index(fields=["city", "is_active"], name="notification_sub_city_active")]

    def __str__(self) -> str:
        return f"{self.city_id} · {self.channel} · {self.pk}"


class Notification(models.Model):
    """One message to send: to every subscription of a theme in a city (and area), or to one person.

    `messages` holds, per language code, the `title`, `body` and `url` (and any extra keys a push
    handler uses). `key` makes sending idempotent: notifying twice with the same key sends once.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    key = models.CharField(_("key"), max_length=120)
    messages = models.JSONField(_("messages"))
    communes = models.JSONField(_("communes"), default=list, blank=True)
    # Event categories (slugs, comma-separated): a subscription with categories hears it if one matches.
    # For the `waste` theme: the collection zone's slug (only the subscriptions of that zone hear it).
    category = models.CharField(_("category"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("only to"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    fanned_out_at = models.DateTimeField(_("fanned out"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["city", "key"], name="notification_key_once")]

    def __str__(self) -> str:
        return f"{self.city_id} · {self.theme} · {self.key}"

    def message(self, language: str) -> dict:
        return self.messages.get(language) or self.messages.get("fr") or next(iter(self.messages.values()))


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Being sent")
    HELD = "held", _("Held (quiet hours)")
    DIGEST = "digest", _("Waiting for the digest")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (channel not configured)")
    EXPIRED = "expired", _("Expired subscription removed")


class Delivery(models.Model):
    """The sending of one notification to one subscription: at most once (a database constraint)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("notification"))
    subscription = models.ForeignKey(Subscription, on_delete=models.SET_NULL, null=True, related_name="deliveries",
                                     verbose_name=_("subscription"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "subscription"], name="notification_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_delivery_due")]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.subscription_id}: {self.status}"


# --- City alerts ---------------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    """Each kind with its CAP `<category>` (see cap.py)."""

    ACCIDENT = "accident", _("Industrial or technological accident")
    FLOOD = "flood", _("Flood")
    HEATWAVE = "heatwave", _("Heatwave")
    STORM = "storm", _("Storm")
    WATER = "water", _("Water restriction")
    ROAD = "road", _("Road closure")
    HEALTH = "health", _("Public-health notice")


class AlertState(models.TextChoices):
    DRAFT = "draft", _("Waiting for a second confirmation")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class CityAlert(models.Model):
    """An alert a city's staff publish: what, where, until when, what to do, in French and English."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    identifier = models.UUIDField(_("identifier"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    headline_fr = models.CharField(_("headline (French)"), max_length=160)
    headline_en = models.CharField(_("headline (English)"), max_length=160)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_fr = models.TextField(_("instructions (French)"), blank=True)
    instruction_en = models.TextField(_("instructions (English)"), blank=True)
    communes = models.JSONField(_("communes"), default=list, blank=True,
                                help_text=_("INSEE codes of the communes concerned; empty means the whole city."))
    area_name = models.CharField(_("area name"), max_length=200, blank=True)
    polygon = models.JSONField(_("drawn area (GeoJSON Polygon)"), null=True, blank=True)
    onset = models.DateTimeField(_("onset"))
    expires = models.DateTimeField(_("expires"))
    state = models.CharField(_("state"), max_length=10, choices=AlertState.choices, default=AlertState.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    change_note_fr = models.CharField(_("what changed (French)"), max_length=300, blank=True)
    change_note_en = models.CharField(_("what changed (English)"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when an official feed raised the alert (notifications/official.py): "<feed kind>:<area>".
    source = models.CharField(_("official source"), max_length=80, blank=True, db_index=True,
                              help_text=_("The official feed and area that raised this alert, if any."))

    class Meta:
        verbose_name = _("city alert")
        verbose_name_plural = _("city alerts")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(expires__gt=models.F("onset")),
                                              name="city_alert_expires_after_onset")]

    def __str__(self) -> str:
        return f"{self.city_id} · {self.kind} · {self.headline_fr}"

    def text(self, field: str, language: str) -> str:
        value = getattr(self, f"{field}_{'en' if language == 'en' else 'fr'}")
        return value or getattr(self, f"{field}_fr")


class AlertConfirmation(models.Model):
    """The second staff member who confirmed a severe alert before it was sent (never its author)."""

    alert = models.OneToOneField(CityAlert, on_delete=models.CASCADE, related_name="confirmation",
                                 verbose_name=_("alert"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                             verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert confirmation")
        verbose_name_plural = _("alert confirmations")

    def __str__(self) -> str:
        return str(self.alert_id)


class AlertSettings(models.Model):
    """A city's alert settings (one row per city, made on first use)."""

    city = models.OneToOneField("cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    severe_needs_confirmation = models.BooleanField(
        _("severe alerts need a second staff member's confirmation"), default=True)

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return str(self.city_id)
