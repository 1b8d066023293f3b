"""Budgets as citizens and staff see them; drafts only for the city's own participation staff."""

from django.db.models import Prefetch, QuerySet

from citypocket.core.problems import NotFound
from citypocket.participation.access import is_participation_staff
from citypocket.participation.models import Ballot, Budget, BudgetResult, Phase, Project, ProjectResult
from citypocket.participation.models.budgets import BudgetStatus


def list_budgets(*, city, user=None) -> QuerySet[Budget]:
    budgets = (Budget.objects.filter(city=city, process__city=city)
               .select_related("process")
               .prefetch_related("districts", Prefetch("process__phases", queryset=Phase.objects.all())))
    if not is_participation_staff(user=user, city=city):
        budgets = budgets.exclude(status=BudgetStatus.DRAFT).filter(process__is_published=True)
    return budgets


def get_budget(*, city, budget_id: int, user=None) -> Budget:
    budget = (list_budgets(city=city, user=user)
              .prefetch_related(Prefetch("projects", queryset=Project.objects.select_related("district")))
              .filter(pk=budget_id).first())
    if budget is None:
        raise NotFound("No such budget.")
    return budget


def get_ballot_project_ids(*, budget: Budget, voter) -> list[int] | None:
    """The projects of `voter`'s current ballot, or None when they have not voted."""
    if not getattr(voter, "is_authenticated", False):
        return None
    ballot = Ballot.objects.filter(budget=budget, voter=voter).prefetch_related("items").first()
    if ballot is None:
        return None
    return sorted(item.project_id for item in ballot.items.all())


def get_published_result(*, budget: Budget, user=None) -> BudgetResult:
    """The result when published; staff of the city also see a counted but unpublished one."""
    result = (BudgetResult.objects.filter(budget=budget)
              .prefetch_related(Prefetch("rows", queryset=ProjectResult.objects.select_related("project")))
              .first())
    if result is None or (result.published_at is None and not is_participation_staff(user=user, city=budget.city)):
        raise NotFound("The results of this budget are not published.")
    return result
