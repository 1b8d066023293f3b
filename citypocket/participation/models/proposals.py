"""Citizen proposals, their supports, and threaded comments with community flagging."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.participation.models.processes import Process


class AnswerStatus(models.TextChoices):
    NONE = "", _("Not answered")
    EVALUATING = "evaluating", _("Being evaluated")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Category(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="participation_category_name")]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """An idea a citizen puts to the city; enough supports make it eligible for an official answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="proposals",
                                verbose_name=_("process"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=5000)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                 verbose_name=_("category"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    answer_status = models.CharField(_("answer"), max_length=12, choices=AnswerStatus.choices, blank=True,
                                     default=AnswerStatus.NONE)
    answer_text = models.TextField(_("answer text"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["city", "-created_at", "-id"], name="participation_proposal_page")]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True) | Q(lat__gte=-90, lat__lte=90, lon__gte=-180,
                                                                    lon__lte=180),
                name="participation_proposal_place",
            ),
            models.CheckConstraint(
                condition=~Q(answer_status="rejected") | ~Q(answer_text=""),
                name="participation_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.answer_status == AnswerStatus.REJECTED and not self.answer_text.strip():
            raise ValidationError({"answer_text": _("A rejection needs a reason.")})


class Support(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="participation_one_support")]

    def __str__(self) -> str:
        return f"{self.user} · {self.proposal}"


class ModerationState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Hidden, awaiting a moderator")
    REMOVED = "removed", _("Removed by a moderator")
    KEPT = "kept", _("Kept by a moderator")


class Comment(models.Model):
    """A comment on a proposal, possibly answering another; flags hide it until a moderator decides."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("moderation"), max_length=10, choices=ModerationState.choices,
                             default=ModerationState.VISIBLE)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_visible(self) -> bool:
        return self.state in (ModerationState.VISIBLE, ModerationState.KEPT)


class CommentFlag(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="participation_one_flag")]

    def __str__(self) -> str:
        return f"{self.user} · {self.comment_id}"
