"""Casting ballots in participatory budgets, counting them, and publishing the results."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citypocket.participation import counting
from citypocket.participation.access import require_tier
from citypocket.participation.errors import InvalidBallot, VotingClosed
from citypocket.participation.models import (
    Ballot,
    BallotItem,
    Budget,
    BudgetResult,
    PhaseKind,
    Project,
    ProjectResult,
    VotingRule,
)
from citypocket.participation.models.budgets import BudgetStatus


@dataclass(frozen=True)
class Pot:
    """The city-wide part of a budget (district None) or one district, with its amount."""

    district_id: int | None
    name: str
    amount: int


def list_pots(budget: Budget) -> list[Pot]:
    """The city-wide pot gets what the districts do not; without districts it is the whole amount."""
    districts = list(budget.districts.all())
    city_wide = budget.amount - sum(d.amount for d in districts)
    pots = [Pot(district_id=None, name=budget.title, amount=max(city_wide, 0))]
    pots += [Pot(district_id=d.pk, name=d.name, amount=d.amount) for d in districts]
    return pots


def is_vote_open(budget: Budget, when=None) -> bool:
    return budget.status == BudgetStatus.VOTING and budget.process.is_in_phase(PhaseKind.VOTE, when)


def validate_ballot(*, budget: Budget, projects: list[Project]) -> None:
    """Raises InvalidBallot (422) with a message a voter understands when the ballot breaks the rule."""
    if not projects:
        raise InvalidBallot(_("Choose at least one project."),
                            errors=[{"field": "project_ids", "message": _("Choose at least one project.")}])
    district_ids = {p.district_id for p in projects if p.district_id is not None}
    if len(district_ids) > 1:
        message = _("You can vote in one district only.")
        raise InvalidBallot(message, errors=[{"field": "project_ids", "message": message}])
    by_pot: dict[int | None, list[Project]] = defaultdict(list)
    for project in projects:
        by_pot[project.district_id].append(project)
    for pot in list_pots(budget):
        chosen = by_pot.get(pot.district_id)
        if not chosen:
            continue
        message = _rule_violation(budget, pot, chosen)
        if message:
            raise InvalidBallot(message, errors=[{"field": "project_ids", "message": message}])


def _rule_violation(budget: Budget, pot: Pot, chosen: list[Project]) -> str:
    total, count = sum(p.cost for p in chosen), len(chosen)
    rule = budget.voting_rule
    if rule in (VotingRule.KNAPSACK, VotingRule.MIN_SHARE) and total > pot.amount:
        return _("Your choice costs %(total)s €, more than the %(amount)s € available: remove a project.") % {
            "total": total, "amount": pot.amount}
    if rule == VotingRule.MIN_SHARE:
        floor = -(-pot.amount * budget.min_share_percent // 100)
        if total < floor:
            return _("Your choice costs %(total)s €: choose projects worth at least %(floor)s € "
                     "(%(percent)s %% of the amount).") % {"total": total, "floor": floor,
                                                           "percent": budget.min_share_percent}
    if rule == VotingRule.APPROVAL and count > budget.max_projects:
        return _("You chose %(count)s projects; at most %(max)s are allowed.") % {
            "count": count, "max": budget.max_projects}
    if rule == VotingRule.MIN_MAX_PROJECTS and not budget.min_projects <= count <= budget.max_projects:
        return _("Choose between %(min)s and %(max)s projects; you chose %(count)s.") % {
            "min": budget.min_projects, "max": budget.max_projects, "count": count}
    return ""


def cast_ballot(*, budget: Budget, voter, project_ids: list[int]) -> Ballot:
    """Records `voter`'s ballot; a second call replaces the first (never adds to it).

    Concurrency: the ballot row is created once (UniqueConstraint budget+voter) and locked with
    SELECT … FOR UPDATE, so parallel requests of one voter run one after another and the last
    one wins; there is never more than one ballot per voter.
    """
    require_tier(user=voter, city=budget.city, tier=budget.process.tier_vote)
    if not is_vote_open(budget):
        raise VotingClosed(_("Voting in this budget is not open."))
    unique_ids = list(dict.fromkeys(project_ids))
    projects = list(Project.objects.filter(budget=budget, pk__in=unique_ids))
    if len(projects) != len(unique_ids):
        message = _("Some projects are not part of this budget.")
        raise InvalidBallot(message, errors=[{"field": "project_ids", "message": message}])
    validate_ballot(budget=budget, projects=projects)
    with transaction.atomic():
        ballot, _created = Ballot.objects.select_for_update().get_or_create(
            budget=budget, voter=voter, defaults={"city": budget.city}
        )
        BallotItem.objects.filter(ballot=ballot).delete()
        BallotItem.objects.bulk_create([BallotItem(ballot=ballot, project=p) for p in projects])
        ballot.save(update_fields=["updated_at"])
    return ballot


@transaction.atomic
def withdraw_ballot(*, budget: Budget, voter) -> None:
    if not is_vote_open(budget):
        raise VotingClosed(_("Voting in this budget is not open."))
    Ballot.objects.filter(budget=budget, voter=voter).delete()


def count_budget(*, budget: Budget) -> BudgetResult:
    """Counts every ballot with the budget's method, pot by pot, and stores the result (unpublished)."""
    projects = list(Project.objects.filter(budget=budget))
    items = BallotItem.objects.filter(ballot__budget=budget).values_list("ballot_id", "project_id")
    ballots: dict[int, set[int]] = defaultdict(set)
    for ballot_id, project_id in items.iterator(chunk_size=5000):
        ballots[ballot_id].add(project_id)
    counter = counting.COUNTERS[budget.counting_method]
    selected: list[int] = []
    votes: dict[int, int] = {}
    for pot in list_pots(budget):
        costs = {p.pk: p.cost for p in projects if p.district_id == pot.district_id}
        pot_ballots = [frozenset(b & costs.keys()) for b in ballots.values()]
        outcome = counter(costs, [b for b in pot_ballots if b], pot.amount)
        selected += outcome.selected
        votes.update(outcome.votes)
    costs = {p.pk: p.cost for p in projects}
    rest = sorted((p for p in costs if p not in selected), key=lambda p: (-votes.get(p, 0), costs[p], p))
    with transaction.atomic():
        BudgetResult.objects.filter(budget=budget).delete()
        result = BudgetResult.objects.create(
            city=budget.city, budget=budget, voting_rule=budget.voting_rule, counting_method=budget.counting_method,
            ballots_count=len(ballots), spent=sum(costs[p] for p in selected), computed_at=timezone.now(),
        )
        ProjectResult.objects.bulk_create(
            [ProjectResult(result=result, project_id=p, votes=votes.get(p, 0), selected=p in selected, position=i)
             for i, p in enumerate(selected + rest, start=1)]
        )
    return result


@transaction.atomic
def publish_results(*, budget: Budget) -> BudgetResult:
    """Closes the vote if needed, counts, and makes the result public."""
    result = count_budget(budget=budget)
    result.published_at = timezone.now()
    result.save(update_fields=["published_at"])
    Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.PUBLISHED)
    budget.status = BudgetStatus.PUBLISHED
    return result
