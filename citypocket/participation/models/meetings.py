"""Council and public meetings: agenda, registration within a capacity, minutes and decisions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.core.ical import bump_sequence
from citypocket.participation.models.processes import Process, same_city


class MeetingKind(models.TextChoices):
    COUNCIL = "council", _("Council meeting")
    PUBLIC = "public", _("Public meeting")


class Meeting(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    process = models.ForeignKey(Process, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="meetings", verbose_name=_("process"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.PUBLIC)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Empty: no registration needed."))
    minutes = models.TextField(_("minutes"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False,
                                       help_text=_("Kept in the calendars, marked cancelled."))
    # iCalendar (RFC 5545): SEQUENCE grows with each change of time, place or cancellation, so that
    # calendar applications replace their copy; LAST-MODIFIED is `updated_at`.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="participation_meeting_dates"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="participation_meeting_where"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        bump_sequence(self, RESCHEDULING_FIELDS, kwargs)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        same_city(self, "process")


# A change of any of these is a new revision of the meeting for calendar applications.
RESCHEDULING_FIELDS = ("starts_at", "ends_at", "place", "online_url", "is_cancelled")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


def meeting_document_path(instance, filename: str) -> str:
    return f"participation/meetings/{instance.meeting_id}/{filename}"


class MeetingDocument(models.Model):
    """A document of a meeting (agenda, report, deliberation): an uploaded file or a link to the city's site."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=meeting_document_path, blank=True)
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="participation_document_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="participation_one_registration")]

    def __str__(self) -> str:
        return f"{self.user} · {self.meeting}"
