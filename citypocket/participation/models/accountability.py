"""Accountability: what the city does with what citizens chose, with progress and milestones,
and the people who follow it (or a proposal) and are told of every change."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.participation.models.budgets import Project
from citypocket.participation.models.processes import Process, same_city
from citypocket.participation.models.proposals import Proposal


class ResultStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionResult(models.Model):
    """One commitment of the city (a funded project, an accepted proposal) and how far it has got."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="results", verbose_name=_("process"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ResultStatus.choices, default=ResultStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    proposals = models.ManyToManyField(Proposal, blank=True, related_name="results", verbose_name=_("proposals"))
    projects = models.ManyToManyField(Project, blank=True, related_name="results", verbose_name=_("projects"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["title"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="participation_progress_max")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        same_city(self, "process")


class Milestone(models.Model):
    result = models.ForeignKey(ActionResult, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.title


class Follow(models.Model):
    """`user` wants to hear about changes to a result or a proposal (exactly one of them), in `language`.

    The language is the one the person used when they followed: notifications are written in it.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(ActionResult, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    language = models.CharField(_("language"), max_length=8, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(result__isnull=True) ^ Q(proposal__isnull=True),
                                   name="participation_follow_one_target"),
            models.UniqueConstraint(fields=["user", "result"], condition=Q(result__isnull=False),
                                    name="participation_follow_result_once"),
            models.UniqueConstraint(fields=["user", "proposal"], condition=Q(proposal__isnull=False),
                                    name="participation_follow_proposal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.result or self.proposal}"


class Notification(models.Model):
    """An in-app notice written in `language`; `emailed_at` is set once it was handed to the notification
    centre (which sends it by e-mail, alone or in the person's digest, and by push)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    language = models.CharField(_("language"), max_length=8, default="fr")
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="participation_notif_user")]

    def __str__(self) -> str:
        return self.message
