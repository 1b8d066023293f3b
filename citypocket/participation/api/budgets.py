"""Participatory budgets: list, detail with projects, my ballot (PUT replaces it), results."""

from ninja import Router
from ninja.pagination import paginate

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.pagination import Presented
from citypocket.core.params import CitySlug, Id
from citypocket.core.problems import NotFound, responses
from citypocket.core.throttling import write_throttle
from citypocket.participation.access import require_tier
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.models import Ballot, Tier
from citypocket.participation.schemas import BallotIn, BallotOut, BudgetOut, BudgetResultOut, BudgetSummaryOut
from citypocket.participation.selectors.budgets import (
    get_ballot_project_ids,
    get_budget,
    get_published_result,
    list_budgets,
)
from citypocket.participation.services.budgets import cast_ballot, is_vote_open, withdraw_ballot

router = Router(tags=["participation"])


def budget_out(budget, *, with_projects: bool = False) -> dict:
    data = {
        "id": budget.pk, "process": budget.process.slug, "title": budget.title, "description": budget.description,
        "amount": budget.amount, "voting_rule": budget.voting_rule, "max_projects": budget.max_projects,
        "min_projects": budget.min_projects, "min_share_percent": budget.min_share_percent,
        "counting_method": budget.counting_method, "status": budget.status, "vote_open": is_vote_open(budget),
        "districts": list(budget.districts.all()),
    }
    if with_projects:
        data["projects"] = list(budget.projects.all())
    return data


@router.get("/cities/{city}/budgets", response=responses({200: list[BudgetSummaryOut]}, 404, 422),
            operation_id="list_budgets", summary="List the participatory budgets of a city, with their voting rule")
@paginate
def list_budgets_endpoint(request, city: CitySlug):
    return Presented(list_budgets(city=get_city(slug=city), user=request.user), budget_out)


@router.get("/cities/{city}/budgets/{budget_id}", response=responses({200: BudgetOut}, 404),
            operation_id="get_budget", summary="Get a participatory budget with its projects")
def get_budget_endpoint(request, city: CitySlug, budget_id: Id):
    return budget_out(get_budget(city=get_city(slug=city), budget_id=budget_id, user=request.user),
                      with_projects=True)


def ballot_out(budget, voter) -> dict:
    ids = get_ballot_project_ids(budget=budget, voter=voter)
    if ids is None:
        raise NotFound("You have not voted in this budget.")
    ballot = Ballot.objects.get(budget=budget, voter=voter)
    costs = {p.pk: p.cost for p in budget.projects.all()}
    return {"budget_id": budget.pk, "project_ids": ids, "total_cost": sum(costs[i] for i in ids),
            "updated_at": ballot.updated_at}


@router.get("/cities/{city}/budgets/{budget_id}/ballot", response=responses({200: BallotOut}, 401, 403, 404),
            operation_id="get_my_ballot", summary="My ballot in a budget")
def get_ballot(request, city: CitySlug, budget_id: Id):
    city_obj = get_city(slug=city)
    budget = get_budget(city=city_obj, budget_id=budget_id, user=request.user)
    require_tier(user=request.user, city=city_obj, tier=Tier.ACCOUNT)
    return ballot_out(budget, request.user)


@router.put("/cities/{city}/budgets/{budget_id}/ballot",
            response=responses({200: BallotOut}, 401, 403, 404, 409, 422, 429),
            operation_id="put_my_ballot", summary="Vote (a second vote replaces the first)",
            throttle=write_throttle())
def put_ballot(request, city: CitySlug, budget_id: Id, payload: BallotIn):
    enforce_csrf(request)
    budget = get_budget(city=get_city(slug=city), budget_id=budget_id, user=request.user)
    cast_ballot(budget=budget, voter=request.user, project_ids=payload.project_ids)
    return ballot_out(budget, request.user)


@router.delete("/cities/{city}/budgets/{budget_id}/ballot", response=responses({204: None}, 401, 403, 404, 409, 429),
               operation_id="delete_my_ballot", summary="Withdraw my ballot while the vote is open",
               throttle=write_throttle())
def delete_ballot(request, city: CitySlug, budget_id: Id):
    enforce_csrf(request)
    city_obj = get_city(slug=city)
    budget = get_budget(city=city_obj, budget_id=budget_id, user=request.user)
    require_tier(user=request.user, city=city_obj, tier=Tier.ACCOUNT)
    withdraw_ballot(budget=budget, voter=request.user)
    return 204, None


@router.get("/cities/{city}/budgets/{budget_id}/results", response=responses({200: BudgetResultOut}, 404),
            operation_id="get_budget_results", summary="Results of a budget, with the rule and method used")
@cache_public(max_age=300)
def get_results(request, city: CitySlug, budget_id: Id):
    # Public cache only for the published result: staff previews are fetched with a session.
    budget = get_budget(city=get_city(slug=city), budget_id=budget_id)
    result = get_published_result(budget=budget)
    return result_out(budget, result)


def result_out(budget, result) -> dict:
    return {
        "budget_id": budget.pk, "voting_rule": result.voting_rule, "counting_method": result.counting_method,
        "ballots_count": result.ballots_count, "amount": budget.amount, "spent": result.spent,
        "computed_at": result.computed_at, "published_at": result.published_at,
        "projects": [{"project_id": row.project_id, "title": row.project.title, "cost": row.project.cost,
                      "votes": row.votes, "selected": row.selected, "position": row.position}
                     for row in result.rows.all()],
    }
