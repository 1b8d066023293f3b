"""Scenarios of the participation tests, built with the factories: a process, a budget, residents."""

import pytest

from citypocket.participation.models import Budget, PhaseKind, Process, Project, VotingRule
from citypocket.participation.tests.factories import (
    BudgetFactory,
    ProcessFactory,
    ProjectFactory,
    ResidentVerificationFactory,
)
from testsupport import UserFactory


def make_process(city, *, slug="budget-2027", open_phase=PhaseKind.VOTE, **fields) -> Process:
    """A published process whose `open_phase` runs now (the other phases are in the past or future)."""
    return ProcessFactory(city=city, slug=slug, open_phase=open_phase, **fields)


def make_budget(city, *, process=None, amount=100, rule=VotingRule.KNAPSACK, costs=(("A", 60), ("B", 50), ("C", 30)),
                status=Budget.Status.VOTING, **params) -> tuple[Budget, dict[str, Project]]:
    """A budget open for votes (in a process of its own unless given) and its projects by title."""
    budget = BudgetFactory(city=city, amount=amount, voting_rule=rule, status=status, **params,
                           **({"process": process} if process else {}))
    projects = {title: ProjectFactory(budget=budget, title=title, cost=cost) for title, cost in costs}
    return budget, projects


def make_resident(city, **kwargs):
    """A person (UserFactory's `kwargs`) verified as a resident of `city`."""
    return ResidentVerificationFactory(city=city, user=UserFactory(**kwargs)).user


@pytest.fixture
def resident(rouen):
    return make_resident(rouen)
