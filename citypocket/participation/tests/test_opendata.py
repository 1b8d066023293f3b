"""The participation datasets publish what the city already made public, and only that."""

import pytest
from django.test import Client

from citypocket.opendata.services import sync_platform_datasets
from citypocket.opendata.tests.conftest import publish_participation
from citypocket.participation.models import BudgetResult
from citypocket.participation.opendata import MIN_RESPONSES
from citypocket.participation.tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def rows(slug: str) -> list[dict]:
    sync_platform_datasets()
    response = Client().get(f"/api/v1/cities/rouen/data/{slug}/rows", {"limit": 1000})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_budget_results_are_published_per_project_once_published(rouen):
    published = publish_participation(rouen)
    items = rows("participatory-budget-results")
    assert [(r["project_title"], r["votes"], r["selected"], r["rank"]) for r in items] == [
        ("Fontaines place Saint-Marc", 3, True, 1), ("Arbres rue du Gros-Horloge", 2, False, 2),
    ], "ordered by the key (budget, project); both do not fit in the 100 €"
    assert {r["ballots"] for r in items} == {4}
    BudgetResult.objects.filter(budget=published["budget"]).update(published_at=None)
    assert rows("participatory-budget-results") == [], "a counted but unpublished result stays out"


def test_survey_results_need_the_minimum_count_and_never_carry_free_text(rouen):
    publish_participation(rouen, respondents=MIN_RESPONSES)
    items = rows("survey-results")
    assert {r["kind"] for r in items} == {"single", "scale"}, "no free-text question"
    yes = next(r for r in items if r["option"] == "Oui")
    assert (yes["responses"], yes["answered"], yes["value"]) == (MIN_RESPONSES, MIN_RESPONSES, 3.0)
    assert not any("Idée" in str(value) for row in items for value in row.values())


def test_a_survey_answered_by_too_few_people_is_not_published(rouen):
    publish_participation(rouen, respondents=MIN_RESPONSES - 1)
    assert rows("survey-results") == []


def test_proposals_carry_the_answer_and_no_author(rouen):
    published = publish_participation(rouen)
    ProposalFactory(city=rouen, title="Masquée", is_hidden=True)
    items = rows("proposals")
    assert [r["title"] for r in items] == ["Des fontaines sur les quais"], "hidden proposals stay out"
    (proposal,) = items
    assert proposal["id"] == str(published["proposal"].pk)
    assert (proposal["answer_status"], proposal["answer_text"]) == ("accepted", "Deux fontaines en 2027.")
    assert "author" not in proposal and published["proposal"].author.email not in str(proposal)
