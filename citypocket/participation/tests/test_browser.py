"""The main participation journeys in real Chromium, with axe-core: survey, support, budget vote."""

import pytest
from django.conf import settings
from django.test import Client

from citypocket.participation.models import Ballot, BallotItem, PhaseKind, Support, SurveyResponse
from citypocket.participation.tests.conftest import make_budget, make_process, make_resident
from citypocket.participation.tests.factories import ProposalFactory, QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """Puts a signed-in session cookie in the browser (the sign-in form has its own tests)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_resident_votes_in_a_knapsack_budget_with_the_live_bar(page, live_server, rouen, axe):
    """Ticking projects updates "budget left" live; over budget it warns; the vote is stored once."""
    budget, _p = make_budget(rouen, amount=100)
    resident = make_resident(rouen)
    sign_in(page, live_server, resident)
    page.goto(f"/{rouen.slug}/participate/")
    assert axe(page) == []
    page.get_by_role("link", name=budget.title).first.click()
    page.wait_for_url(f"**/participate/budgets/{budget.pk}/")
    left = page.locator(".left-text")
    assert "100" in left.inner_text()
    page.get_by_label("A 60 €").check()
    page.wait_for_function("document.querySelector('.left-text').textContent.includes('40')")
    page.get_by_label("B 50 €").check()
    page.wait_for_function("document.querySelector('.budget-left').classList.contains('over')")
    assert "Dépassement" in left.inner_text()
    assert axe(page) == []
    page.get_by_label("B 50 €").uncheck()
    page.get_by_label("C 30 €").check()
    page.wait_for_function("document.querySelector('.left-text').textContent.includes('10')")
    page.get_by_role("button", name="Voter").click()
    page.wait_for_url(f"**/participate/budgets/{budget.pk}/")
    assert "Votre vote est enregistré" in page.locator(".messages").inner_text()
    assert axe(page) == []
    assert Ballot.objects.filter(budget=budget, voter=resident).count() == 1
    assert sorted(BallotItem.objects.values_list("project__title", flat=True)) == ["A", "C"]
    # Changing the vote replaces it.
    page.get_by_label("A 60 €").uncheck()
    page.get_by_role("button", name="Modifier mon vote").click()
    page.wait_for_url(f"**/participate/budgets/{budget.pk}/")
    assert list(BallotItem.objects.values_list("project__title", flat=True)) == ["C"]
    assert page.errors == []


def test_resident_supports_a_proposal(page, live_server, rouen, axe):
    """A resident opens a proposal, supports it, and sees the count go up; then comments."""
    process = make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    proposal = ProposalFactory(process=process, title="Des fontaines", body="Des fontaines à eau sur les places.")
    resident = make_resident(rouen)
    sign_in(page, live_server, resident)
    page.goto(f"/{rouen.slug}/participate/proposals/")
    assert axe(page) == []
    page.get_by_role("link", name="Des fontaines").click()
    page.wait_for_url(f"**/proposals/{proposal.pk}/")
    assert "0 soutien" in page.locator("#support-count").inner_text()
    assert axe(page) == []
    page.get_by_role("button", name="Soutenir cette proposition").click()
    page.wait_for_url(f"**/proposals/{proposal.pk}/")
    assert "1 soutien" in page.locator("#support-count").inner_text()
    assert Support.objects.filter(proposal=proposal, user=resident).count() == 1
    page.get_by_label("Votre commentaire").fill("Surtout près des écoles.")
    page.get_by_role("button", name="Commenter").click()
    page.wait_for_url(f"**/proposals/{proposal.pk}/")
    assert "Surtout près des écoles." in page.locator(".comments").inner_text()
    assert axe(page) == []
    assert page.errors == []


def test_visitor_answers_a_survey_with_the_keyboard(page, live_server, rouen, axe):
    """A resident answers single choice, scale and free text; the answer is stored once."""
    process = make_process(rouen, slug="consultation", open_phase=PhaseKind.INFORMATION)
    survey = SurveyFactory(process=process, title="Vos priorités")
    QuestionFactory(survey=survey, position=1, kind="single", prompt="Quel thème ?",
                    choices=["Nature en ville", "Mobilités douces"])
    QuestionFactory(survey=survey, position=2, kind="scale", prompt="Satisfaction ?")
    QuestionFactory(survey=survey, position=3, kind="text", prompt="Une idée ?", required=False)
    sign_in(page, live_server, make_resident(rouen))
    page.goto(f"/{rouen.slug}/participate/surveys/{survey.pk}/")
    assert axe(page) == []
    page.get_by_label("Mobilités douces").check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Une idée ?").fill("Plus de pistes cyclables")
    page.get_by_label("Une idée ?").press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/surveys/{survey.pk}/")
    assert "Merci, vos réponses sont enregistrées" in page.locator(".messages").inner_text()
    assert axe(page) == []
    response = SurveyResponse.objects.get()
    assert sorted(filter(None, response.answers.values_list("text", flat=True))) == ["Plus de pistes cyclables"]
    assert response.answers.get(question__kind="scale").value == 4
    assert page.errors == []


def test_other_participation_pages_have_no_axe_violation(page, live_server, rouen, axe):
    """Process, result, meeting, residency, notifications and results pages pass axe-core."""
    from citypocket.participation.demo import load_demo
    from citypocket.participation.models import ActionResult, Budget, Meeting, Process
    from citypocket.participation.services.budgets import publish_results
    from testsupport import UserFactory

    load_demo()
    process = Process.objects.get(city=rouen, slug="budget-citoyen-2027")
    budget = Budget.objects.get(city=rouen, process=process)
    publish_results(budget=budget)
    sign_in(page, live_server, UserFactory())
    for url in (f"/{rouen.slug}/participate/processes/{process.slug}/",
                f"/{rouen.slug}/participate/results/{ActionResult.objects.filter(city=rouen).first().pk}/",
                f"/{rouen.slug}/participate/processes/budget-citoyen-2026/",
                f"/{rouen.slug}/participate/",
                f"/{rouen.slug}/participate/budgets/{Budget.objects.get(city=rouen, process__slug='budget-citoyen-2026').pk}/",
                f"/{rouen.slug}/participate/meetings/{Meeting.objects.get(city=rouen).pk}/",
                f"/{rouen.slug}/participate/budgets/{budget.pk}/results/",
                f"/{rouen.slug}/participate/residency/",
                f"/{rouen.slug}/participate/notifications/",
                f"/{rouen.slug}/participate/proposals/new/"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        violations = axe(page)
        assert violations == [], (url, [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations])
    assert page.errors == []
