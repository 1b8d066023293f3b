"""Participatory processes and their dated phases; each process sets the identity tier per action."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.participation.models.identity import Tier


def same_city(obj, *relations: str) -> None:
    """Model clean(): the related objects named belong to `obj`'s city (no cross-city links)."""
    from django.core.exceptions import ValidationError

    for relation in relations:
        related = getattr(obj, relation, None)
        if related is not None and obj.city_id is not None and related.city_id != obj.city_id:
            raise ValidationError({relation: _("This belongs to another city.")})


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    PROPOSALS = "proposals", _("Proposals")
    EVALUATION = "evaluation", _("Evaluation")
    VOTE = "vote", _("Vote")
    RESULTS = "results", _("Results")


class Action(models.TextChoices):
    """What a participant can do; each process requires a tier for each."""

    SURVEY = "survey", _("answer a survey")
    COMMENT = "comment", _("comment")
    PROPOSE = "propose", _("propose")
    SUPPORT = "support", _("support a proposal")
    VOTE = "vote", _("vote in a budget")


def tier_field(default: str, label):
    return models.CharField(label, max_length=12, choices=Tier.choices, default=default)


class Process(models.Model):
    """A participatory process of a city (a consultation, a citizen budget…), run by its staff."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    tier_survey = tier_field(Tier.ANONYMOUS, _("answer surveys"))
    tier_comment = tier_field(Tier.ACCOUNT, _("comment"))
    tier_propose = tier_field(Tier.ACCOUNT, _("propose"))
    tier_support = tier_field(Tier.RESIDENT, _("support proposals"))
    tier_vote = tier_field(Tier.RESIDENT, _("vote in budgets"))
    support_threshold = models.PositiveIntegerField(
        _("support threshold"), default=50,
        help_text=_("Supports a proposal needs to be eligible for an answer from the city."),
    )
    flag_threshold = models.PositiveIntegerField(
        _("flag threshold"), default=3, help_text=_("Flags that hide a comment until a moderator decides."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="participation_process_slug"),
            models.CheckConstraint(condition=Q(flag_threshold__gte=1), name="participation_flag_threshold_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def tier_for(self, action: str) -> str:
        return getattr(self, f"tier_{action}")

    def phase_at(self, when=None):
        """The phase running at `when` (now by default), using the prefetched phases when present."""
        when = when or timezone.now()
        for phase in self.phases.all():
            if phase.starts_at <= when < phase.ends_at:
                return phase
        return None

    def is_in_phase(self, kind: str, when=None) -> bool:
        """True when a phase of `kind` runs at `when` (phases may overlap, e.g. proposals and vote)."""
        when = when or timezone.now()
        return any(p.kind == kind and p.starts_at <= when < p.ends_at for p in self.phases.all())


class Phase(models.Model):
    """One dated step of a process; phases of a process do not repeat a kind."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases", verbose_name=_("process"))
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="participation_phase_kind"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="participation_phase_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.process} · {self.get_kind_display()}"
