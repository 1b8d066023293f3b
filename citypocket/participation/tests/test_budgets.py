"""Participatory budgets through the API: listing, voting (replace, rules, tiers), results, isolation."""

import json

import pytest
from django.test import Client

from citypocket.cities.models import Role
from citypocket.participation.models import Ballot, BallotItem, Budget, PhaseKind, VotingRule
from citypocket.participation.services.budgets import count_budget, publish_results
from citypocket.participation.tests.conftest import make_budget, make_process, make_resident
from citypocket.participation.tests.factories import BallotFactory, DistrictFactory, ProjectFactory
from testsupport import UserFactory, assert_problem, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db


def put_ballot(client, city, budget, ids):
    return client.put(f"/api/v1/cities/{city.slug}/budgets/{budget.pk}/ballot",
                      data=json.dumps({"project_ids": ids}), content_type="application/json")


def test_list_budgets_gives_each_voting_rule(client, rouen):
    """GET …/budgets lists public budgets with their voting rule; drafts stay hidden."""
    budget, _projects = make_budget(rouen)
    make_budget(rouen, rule=VotingRule.APPROVAL, max_projects=2, status=Budget.Status.DRAFT)
    response = client.get(f"/api/v1/cities/{rouen.slug}/budgets")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == budget.pk and item["voting_rule"] == "knapsack" and item["amount"] == 100
    assert item["vote_open"] is True and item["counting_method"] == "greedy"


def test_get_budget_lists_its_projects(client, rouen):
    """GET …/budgets/{id} returns the projects with their costs."""
    budget, _projects = make_budget(rouen)
    body = client.get(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}").json()
    assert sorted((p["title"], p["cost"]) for p in body["projects"]) == [("A", 60), ("B", 50), ("C", 30)]


def test_resident_votes_once_and_a_second_vote_replaces_the_ballot(client, rouen, resident):
    """Two PUTs leave one ballot holding the second choice only."""
    budget, p = make_budget(rouen)
    login(client, resident, mfa=False)
    first = put_ballot(client, rouen, budget, [p["A"].pk, p["C"].pk])
    assert first.status_code == 200, first.content
    assert first.json()["total_cost"] == 90
    second = put_ballot(client, rouen, budget, [p["B"].pk])
    assert second.status_code == 200
    assert second.json()["project_ids"] == [p["B"].pk]
    assert Ballot.objects.filter(budget=budget).count() == 1
    assert list(BallotItem.objects.filter(ballot__budget=budget).values_list("project_id", flat=True)) == [p["B"].pk]
    mine = client.get(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/ballot").json()
    assert mine["project_ids"] == [p["B"].pk] and mine["total_cost"] == 50


def test_over_budget_ballot_is_refused_with_a_clear_message(client, rouen, resident):
    """A 110 € choice in a 100 € knapsack budget is a 422 problem naming both sums; nothing stored."""
    budget, p = make_budget(rouen)
    login(client, resident, mfa=False)
    body = assert_problem(put_ballot(client, rouen, budget, [p["A"].pk, p["B"].pk]), 422)
    assert "110" in body["detail"] and "100" in body["detail"]
    assert body["type"].endswith("/invalid-ballot")
    assert body["errors"][0]["field"] == "project_ids"
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(("rule", "params", "choice", "ok"), [
    # knapsack, amount 100: A+C = 90 fits; A+B = 110 does not.
    (VotingRule.KNAPSACK, {}, "AC", True),
    (VotingRule.KNAPSACK, {}, "AB", False),
    # approval, at most 2 projects, cost ignored: A+B (110 €) is fine; A+B+C is 3 projects.
    (VotingRule.APPROVAL, {"max_projects": 2}, "AB", True),
    (VotingRule.APPROVAL, {"max_projects": 2}, "ABC", False),
    # minimum share 50 %: at least 50 € and at most 100 €: C = 30 too little, B = 50 fine, A+B = 110 too much.
    (VotingRule.MIN_SHARE, {"min_share_percent": 50}, "C", False),
    (VotingRule.MIN_SHARE, {"min_share_percent": 50}, "B", True),
    (VotingRule.MIN_SHARE, {"min_share_percent": 50}, "AB", False),
    # between 2 and 3 projects, cost ignored: A alone too few, A+B+C (140 €) fine.
    (VotingRule.MIN_MAX_PROJECTS, {"min_projects": 2, "max_projects": 3}, "A", False),
    (VotingRule.MIN_MAX_PROJECTS, {"min_projects": 2, "max_projects": 3}, "ABC", True),
])
def test_each_voting_rule_accepts_and_refuses_ballots(client, rouen, resident, rule, params, choice, ok):
    """Each rule accepts the ballots it allows and answers 422 otherwise."""
    budget, p = make_budget(rouen, rule=rule, **params)
    login(client, resident, mfa=False)
    response = put_ballot(client, rouen, budget, [p[letter].pk for letter in choice])
    if ok:
        assert response.status_code == 200, response.content
        assert Ballot.objects.filter(budget=budget, voter=resident).exists()
    else:
        assert_problem(response, 422)
        assert not Ballot.objects.exists()


def test_unverified_account_gets_403_and_anonymous_gets_401(client, rouen):
    """Voting needs a verified resident: an account alone is 403, no account 401."""
    budget, p = make_budget(rouen)
    assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 401)
    login(client, UserFactory(), mfa=False)
    body = assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 403)
    assert body["type"].endswith("/resident-required")
    assert not Ballot.objects.exists()


def test_unverified_email_gets_403(client, rouen):
    """A resident whose e-mail is not confirmed may not vote."""
    budget, p = make_budget(rouen)
    login(client, make_resident(rouen, verified=False), mfa=False)
    body = assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 403)
    assert body["type"].endswith("/email-not-verified")


def test_resident_of_another_city_cannot_vote(client, rouen, aix):
    """Residency is per city: an Aix resident is refused in Rouen."""
    budget, p = make_budget(rouen)
    login(client, make_resident(aix), mfa=False)
    assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 403)


def test_vote_outside_the_vote_phase_is_a_409(client, rouen, resident):
    """During the proposals phase the ballot is closed (409) even if the budget is marked voting."""
    process = make_process(rouen, slug="early", open_phase=PhaseKind.PROPOSALS)
    budget, p = make_budget(rouen, process=process)
    login(client, resident, mfa=False)
    body = assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 409)
    assert body["type"].endswith("/voting-closed")


def test_closed_budget_refuses_votes(client, rouen, resident):
    """A closed budget answers 409."""
    budget, p = make_budget(rouen, status=Budget.Status.CLOSED)
    login(client, resident, mfa=False)
    assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 409)


def test_project_of_another_budget_is_refused(client, rouen, resident):
    """A ballot naming a foreign project is a 422."""
    budget, _p = make_budget(rouen)
    _other, q = make_budget(rouen)
    login(client, resident, mfa=False)
    assert_problem(put_ballot(client, rouen, budget, [q["A"].pk]), 422)


def test_csrf_is_enforced_for_session_votes(rouen, resident):
    """Without the CSRF token a session vote is refused (403) and nothing is stored."""
    budget, p = make_budget(rouen)
    client = Client(enforce_csrf_checks=True)
    login(client, resident, mfa=False)
    assert_problem(put_ballot(client, rouen, budget, [p["A"].pk]), 403)
    assert not Ballot.objects.exists()
    client.get(f"/{rouen.slug}/participate/budgets/{budget.pk}/")
    token = client.cookies["csrftoken"].value
    response = client.put(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/ballot",
                          data=json.dumps({"project_ids": [p["A"].pk]}), content_type="application/json",
                          headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert Ballot.objects.count() == 1


def test_withdrawing_a_ballot_deletes_it(client, rouen, resident):
    """DELETE …/ballot while open removes the ballot."""
    budget, p = make_budget(rouen)
    login(client, resident, mfa=False)
    put_ballot(client, rouen, budget, [p["A"].pk])
    assert client.delete(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/ballot").status_code == 204
    assert not Ballot.objects.exists()


def test_districts_split_the_amount_and_a_ballot_votes_in_one_district(client, rouen, resident):
    """City-wide pot = amount minus districts; each pot is checked alone; two districts is a 422."""
    budget, p = make_budget(rouen, amount=100, costs=(("X", 50),))
    north = DistrictFactory(budget=budget, name="Nord", amount=40)
    south = DistrictFactory(budget=budget, name="Sud", amount=40)
    y = ProjectFactory(budget=budget, district=north, title="Y", cost=30)
    z = ProjectFactory(budget=budget, district=south, title="Z", cost=30)
    login(client, resident, mfa=False)
    # City-wide pot is 100 - 80 = 20 €: X (50) alone is over budget.
    assert_problem(put_ballot(client, rouen, budget, [p["X"].pk]), 422)
    assert_problem(put_ballot(client, rouen, budget, [y.pk, z.pk]), 422)
    assert put_ballot(client, rouen, budget, [y.pk]).status_code == 200


def test_results_are_published_with_rule_and_method(client, rouen):
    """Counting stores the winners; GET …/results shows them with the rule and method used."""
    budget, p = make_budget(rouen, costs=(("A", 60), ("B", 50), ("C", 30), ("D", 20)))
    votes = [("A", "B", "C")] * 3 + [("A", "B")] + [("A", "D")]  # A=5, B=4, C=3, D=1
    for choice in votes:
        BallotFactory(budget=budget, voter=make_resident(rouen), projects=[p[x] for x in choice])
    url = f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/results"
    assert_problem(client.get(url), 404)
    count_budget(budget=budget)
    assert_problem(client.get(url), 404)  # counted but not yet published
    publish_results(budget=budget)
    body = client.get(url).json()
    assert body["voting_rule"] == "knapsack" and body["counting_method"] == "greedy"
    assert body["ballots_count"] == 5
    # Greedy, 100 €: A (60), B (50) > 40 skipped, C (30), D (20) > 10 skipped.
    assert [r["title"] for r in body["projects"] if r["selected"]] == ["A", "C"]
    assert body["spent"] == 90
    assert {r["title"]: r["votes"] for r in body["projects"]} == {"A": 5, "B": 4, "C": 3, "D": 1}
    budget.refresh_from_db()
    assert budget.status == Budget.Status.PUBLISHED


def test_results_with_equal_shares(client, rouen):
    """Equal Shares funds the minority's project (see test_counting for the arithmetic)."""
    budget, p = make_budget(rouen, amount=120, costs=(("A", 60), ("B", 60), ("C", 30)),
                            counting_method="equal_shares")
    for choice in [("A", "B")] * 3 + [("C",)]:
        BallotFactory(budget=budget, voter=make_resident(rouen), projects=[p[x] for x in choice])
    publish_results(budget=budget)
    body = client.get(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/results").json()
    assert body["counting_method"] == "equal_shares"
    assert sorted(r["title"] for r in body["projects"] if r["selected"]) == ["A", "C"]


def test_staff_of_another_city_cannot_see_a_draft_budget(rouen, aix):
    """A draft budget is visible to Rouen's editors only; every Aix role gets a 404."""
    budget, _p = make_budget(rouen, status=Budget.Status.DRAFT)
    client = login(Client(), make_staff(rouen, Role.EDITOR))
    assert client.get(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}").status_code == 200
    for url in (f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}",
                f"/api/v1/cities/{aix.slug}/budgets/{budget.pk}",
                f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/results"):
        assert_tenant_isolated(city=rouen, other_city=aix, url=url, secrets=["Budget citoyen"])


def test_a_budget_is_not_reachable_through_another_city(rouen, aix):
    """A public Rouen budget under /cities/aix-en-provence/ is a 404 for everyone, and cannot be voted."""
    budget, p = make_budget(rouen)
    assert_tenant_isolated(city=rouen, other_city=aix, url=f"/api/v1/cities/{aix.slug}/budgets/{budget.pk}")
    assert_tenant_isolated(
        city=rouen, other_city=aix, method="put", url=f"/api/v1/cities/{aix.slug}/budgets/{budget.pk}/ballot",
        data={"project_ids": [p["A"].pk]}, check_unchanged=lambda: not Ballot.objects.exists(),
    )


def test_staff_of_another_city_cannot_edit_the_budget_in_the_admin(rouen, aix):
    """Aix editors get no Rouen budget in the back office; a POST leaves it unchanged."""
    budget, _p = make_budget(rouen)
    url = f"/admin/participation/budget/{budget.pk}/change/"
    own = login(Client(), make_staff(rouen, Role.EDITOR))
    assert own.get(url).status_code == 200
    assert_tenant_isolated(city=rouen, other_city=aix, url=url, expected=(302, 403, 404), as_json=False,
                           secrets=["Budget citoyen"])
    assert_tenant_isolated(
        city=rouen, other_city=aix, url=url, method="post", as_json=False, expected=(302, 403, 404),
        data={"title": "Hacked", "amount": 1, "voting_rule": "knapsack", "counting_method": "greedy",
              "status": "voting", "process": budget.process_id, "city": aix.pk},
        check_unchanged=lambda: Budget.objects.get(pk=budget.pk).title == "Budget citoyen",
    )


def test_absurdly_large_project_ids_are_invalid_values_not_errors(client, rouen, resident):
    """Ids beyond the database's integer range answer 422 problem+json and store nothing."""
    budget, _p = make_budget(rouen)
    login(client, resident, mfa=False)
    assert_problem(put_ballot(client, rouen, budget, [2**63]), 422)
    assert_problem(put_ballot(client, rouen, budget, [1e30]), 422)
    too_big = client.post(f"/{rouen.slug}/participate/budgets/{budget.pk}/", {"project": "9" * 30})
    assert too_big.status_code in (200, 400)
    assert not Ballot.objects.exists()
    assert client.get(f"/api/v1/cities/{rouen.slug}/proposals?category_id={'9' * 25}").status_code == 422


def test_verification_never_redirects_off_site(client, rouen):
    """After a successful residency check, a `next` pointing to another site is ignored."""
    from citypocket.participation.models import ResidentVerification
    from citypocket.participation.models.identity import VerificationMethod
    from citypocket.participation.services.identity import generate_letter_codes

    code = generate_letter_codes(city=rouen, count=1)[0]
    user = UserFactory()
    login(client, user, mfa=False)
    response = client.post(f"/{rouen.slug}/participate/residency/",
                           {"next": "https://evil.example/", "method": VerificationMethod.POSTAL_CODE, "code": code})
    assert response.status_code == 302
    assert ResidentVerification.objects.filter(city=rouen, user=user).exists()
    assert response["Location"] == f"/{rouen.slug}/participate/"
