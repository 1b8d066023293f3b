"""Participatory budgets: projects with costs, optional districts, ballots, and counted results.

Amounts and costs are whole euros (a citizen budget is never voted to the cent), which keeps the
ballot arithmetic exact.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City
from citypocket.participation.models.processes import Process, same_city


class VotingRule(models.TextChoices):
    """What a valid ballot is (checked per pot: the city-wide pot and each district)."""

    KNAPSACK = "knapsack", _("Choose projects whose total cost fits the amount")
    APPROVAL = "approval", _("Choose up to a set number of projects")
    MIN_SHARE = "min_share", _("Choose projects that use at least a set share of the amount, without going over it")
    MIN_MAX_PROJECTS = "min_max_projects", _("Between a minimum and a maximum number of projects")


class CountingMethod(models.TextChoices):
    GREEDY = "greedy", _("Most voted projects first, while the money lasts")
    EQUAL_SHARES = "equal_shares", _("Equal shares: each voter's share of the money goes to the projects they chose")
    EQUAL_SHARES_RAISED = "equal_shares_raised", _(
        "Equal shares, with the shares raised as long as the outcome fits (a non-standard variant)"
    )


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (staff only)")
    OPEN = "open", _("Open (projects visible)")
    VOTING = "voting", _("Voting")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Budget(models.Model):
    """A sum of money a process puts to the vote, with the rule a ballot must follow."""

    Status = BudgetStatus

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("process"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    amount = models.PositiveBigIntegerField(_("amount (€)"))
    voting_rule = models.CharField(_("voting rule"), max_length=20, choices=VotingRule.choices,
                                   default=VotingRule.KNAPSACK)
    max_projects = models.PositiveIntegerField(_("maximum projects"), null=True, blank=True)
    min_projects = models.PositiveIntegerField(_("minimum projects"), null=True, blank=True)
    min_share_percent = models.PositiveSmallIntegerField(_("minimum share (%)"), null=True, blank=True)
    counting_method = models.CharField(_("counting method"), max_length=20, choices=CountingMethod.choices,
                                       default=CountingMethod.GREEDY)
    status = models.CharField(_("status"), max_length=12, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="participation_budget_amount_positive"),
            models.CheckConstraint(
                condition=~Q(voting_rule="approval") | Q(max_projects__gte=1),
                name="participation_approval_needs_max",
            ),
            models.CheckConstraint(
                condition=~Q(voting_rule="min_share") | Q(min_share_percent__gte=1, min_share_percent__lte=100),
                name="participation_min_share_percent",
            ),
            models.CheckConstraint(
                condition=~Q(voting_rule="min_max_projects")
                | Q(min_projects__gte=1, max_projects__gte=models.F("min_projects")),
                name="participation_min_max_projects",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        same_city(self, "process")

    @property
    def is_public(self) -> bool:
        return self.status != BudgetStatus.DRAFT


class District(models.Model):
    """A part of the city with its own share of the amount; a ballot may vote in one district."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="districts", verbose_name=_("budget"))
    name = models.CharField(_("name"), max_length=120)
    amount = models.PositiveBigIntegerField(_("amount (€)"))

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "name"], name="participation_district_name"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="participation_district_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A project citizens can choose, with its estimated cost."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="projects", verbose_name=_("budget"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="projects",
                                 verbose_name=_("district"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveBigIntegerField(_("cost (€)"))
    # A picture of the city's image library (cityinfo.Image, its responsive variants), with its text alternative.
    image = models.ForeignKey("cityinfo.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("image"))
    image_alt_fr = models.CharField(_("image text alternative (French)"), max_length=300, blank=True,
                                    help_text=_("What the picture shows, for people who cannot see it."))
    image_alt_en = models.CharField(_("image text alternative (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost__gt=0), name="participation_project_cost_positive")]

    def __str__(self) -> str:
        return self.title

    def image_alt(self, language: str) -> str:
        return (self.image_alt_en if language == "en" else "") or self.image_alt_fr


class Ballot(models.Model):
    """One voter's choice in one budget; voting again replaces it (one row per voter and budget).

    `voter` is empty for the ballot of an erased account in a closed vote: the ballot still counts,
    so that a published result and any recount stay exact (participation/privacy.py).
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["budget", "voter"], name="participation_one_ballot")]

    def __str__(self) -> str:
        return f"{self.voter} · {self.budget}"


class BallotItem(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ballot_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "project"], name="participation_ballot_item")]

    def __str__(self) -> str:
        return f"{self.ballot_id} · {self.project_id}"


class BudgetResult(models.Model):
    """The outcome of counting a budget, with the rule and method that produced it."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="result")
    voting_rule = models.CharField(max_length=20, choices=VotingRule.choices)
    counting_method = models.CharField(max_length=20, choices=CountingMethod.choices)
    ballots_count = models.PositiveIntegerField(default=0)
    spent = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("budget result")
        verbose_name_plural = _("budget results")

    def __str__(self) -> str:
        return f"{self.budget} · {self.counting_method}"


class ProjectResult(models.Model):
    result = models.ForeignKey(BudgetResult, on_delete=models.CASCADE, related_name="rows")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    votes = models.PositiveIntegerField()
    selected = models.BooleanField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["result", "project"], name="participation_project_result")]

    def __str__(self) -> str:
        return f"{self.position}. {self.project_id}"
