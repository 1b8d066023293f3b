"""Builders for participation tests: a process with dated phases, a budget, residents."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citypocket.core.testing import UserFactory
from citypocket.participation.models import (
    Budget,
    Phase,
    PhaseKind,
    Process,
    Project,
    ResidentVerification,
    VotingRule,
)


def make_process(city, *, slug="budget-2027", open_phase=PhaseKind.VOTE, **fields) -> Process:
    """A published process whose `open_phase` runs now (the other phases are in the past or future)."""
    process = Process.objects.create(city=city, slug=slug, title=f"Process {slug}", is_published=True, **fields)
    now = timezone.now()
    order = [PhaseKind.INFORMATION, PhaseKind.PROPOSALS, PhaseKind.EVALUATION, PhaseKind.VOTE, PhaseKind.RESULTS]
    current = order.index(open_phase) if open_phase else len(order)
    for index, kind in enumerate(order):
        offset = (index - current) * 10
        start = now + timedelta(days=offset) - timedelta(days=1 if index == current else 0)
        Phase.objects.create(process=process, kind=kind, starts_at=start,
                             ends_at=now + timedelta(days=offset + 9) + timedelta(days=1 if index == current else 0))
    return process


def make_budget(city, *, process=None, amount=100, rule=VotingRule.KNAPSACK, costs=(("A", 60), ("B", 50), ("C", 30)),
                status=Budget.Status.VOTING, **params) -> tuple[Budget, dict[str, Project]]:
    process = process or make_process(city, slug=f"pb-{Budget.objects.count() + 1}")
    budget = Budget.objects.create(city=city, process=process, title="Budget citoyen", amount=amount,
                                   voting_rule=rule, status=status, **params)
    projects = {title: Project.objects.create(city=city, budget=budget, title=title, cost=cost)
                for title, cost in costs}
    return budget, projects


def make_resident(city, **kwargs):
    user = UserFactory(**kwargs)
    ResidentVerification.objects.create(city=city, user=user, method="census", verified_at=timezone.now())
    return user


@pytest.fixture
def resident(rouen):
    return make_resident(rouen)
