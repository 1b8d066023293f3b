"""Surveys: every question kind, one response per person, anonymity, results with charts, CSV export."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.participation.models import Choice, PhaseKind, Survey, SurveyResponse, Tier
from citypocket.participation.tests.conftest import make_process
from citypocket.participation.tests.factories import QuestionFactory, SurveyFactory
from testsupport import UserFactory, assert_problem, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(rouen):
    process = make_process(rouen, slug="consultation", open_phase=PhaseKind.INFORMATION)
    survey = SurveyFactory(process=process, title="Vos priorités", is_anonymous=True)
    QuestionFactory(survey=survey, position=1, kind="single", prompt="Thème ?", choices=["Nature", "Vélo"])
    QuestionFactory(survey=survey, position=2, kind="multiple", prompt="Quartiers ?", choices=["Nord", "Sud", "Centre"])
    QuestionFactory(survey=survey, position=3, kind="ranking", prompt="Classez", choices=["Arbres", "Bancs", "Fontaines"])
    QuestionFactory(survey=survey, position=4, kind="scale", prompt="Satisfaction ?", scale_min=1, scale_max=5)
    QuestionFactory(survey=survey, position=5, kind="text", prompt="Une idée ?", required=False)
    return survey


def ids(survey):
    questions = list(survey.questions.order_by("position"))
    choices = {c.label: c.pk for c in Choice.objects.filter(question__survey=survey)}
    return questions, choices


def answers_for(survey, theme, areas, ranking, scale, text=""):
    questions, choices = ids(survey)
    return {str(questions[0].pk): choices[theme], str(questions[1].pk): [choices[a] for a in areas],
            str(questions[2].pk): [choices[r] for r in ranking], str(questions[3].pk): scale,
            str(questions[4].pk): text}


def send(client, survey, answers):
    return client.post(f"/api/v1/cities/{survey.city.slug}/surveys/{survey.pk}/responses",
                       data=json.dumps({"answers": answers}), content_type="application/json")


def test_anonymous_visitor_answers_once(client, survey):
    """Anyone may answer (tier anonymous); a second answer from the same browser is a 409."""
    answers = answers_for(survey, "Vélo", ["Nord", "Centre"], ["Bancs", "Arbres", "Fontaines"], 4, "Des bancs")
    assert send(client, survey, answers).status_code == 201
    assert_problem(send(client, survey, answers), 409)
    response = SurveyResponse.objects.get()
    assert response.user is None and len(response.respondent_key) == 64
    assert response.answers.count() == 1 + 2 + 3 + 1 + 1


def test_anonymous_survey_keeps_no_link_to_the_account(client, survey):
    """A signed-in person answering an anonymous survey is not stored with the response; still once only."""
    login(client, UserFactory(), mfa=False)
    answers = answers_for(survey, "Nature", ["Sud"], ["Arbres", "Bancs", "Fontaines"], 3)
    assert send(client, survey, answers).status_code == 201
    assert SurveyResponse.objects.get().user is None
    assert_problem(send(client, survey, answers), 409)


def test_survey_tier_account_refuses_anonymous(client, survey):
    """When the process requires an account for surveys, anonymous visitors get 401."""
    survey.process.tier_survey = Tier.ACCOUNT
    survey.process.save()
    answers = answers_for(survey, "Nature", ["Sud"], ["Arbres", "Bancs", "Fontaines"], 3)
    assert_problem(send(client, survey, answers), 401)
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("broken", ["missing", "foreign-choice", "scale", "partial-ranking"])
def test_invalid_answers_are_a_422_naming_the_question(client, survey, broken):
    """Each kind is validated; the error names the question."""
    answers = answers_for(survey, "Nature", ["Sud"], ["Arbres", "Bancs", "Fontaines"], 3)
    questions, choices = ids(survey)
    target = {"missing": 0, "foreign-choice": 1, "scale": 3, "partial-ranking": 2}[broken]
    answers[str(questions[target].pk)] = {"missing": "", "foreign-choice": [choices["Nature"]], "scale": 9,
                                          "partial-ranking": [choices["Arbres"]]}[broken]
    body = assert_problem(send(client, survey, answers), 422)
    assert body["errors"][0]["field"] == f"answers.{questions[target].pk}"
    assert not SurveyResponse.objects.exists()


def test_results_wait_for_the_close_then_show_counts_borda_and_means(survey):
    """Results are a 409 while open; once closed they give counts, Borda points and the mean."""
    clients = [Client() for _ in range(3)]
    send(clients[0], survey, answers_for(survey, "Vélo", ["Nord", "Centre"], ["Bancs", "Arbres", "Fontaines"], 4))
    send(clients[1], survey, answers_for(survey, "Vélo", ["Nord"], ["Arbres", "Bancs", "Fontaines"], 5))
    send(clients[2], survey, answers_for(survey, "Nature", ["Sud"], ["Bancs", "Fontaines", "Arbres"], 3))
    url = f"/api/v1/cities/{survey.city.slug}/surveys/{survey.pk}/results"
    assert_problem(Client().get(url), 409)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    body = Client().get(url).json()
    assert body["responses"] == 3
    theme, areas, ranking, scale, text = body["questions"]
    assert {b["label"]: b["value"] for b in theme["bars"]} == {"Nature": 1, "Vélo": 2}
    assert {b["label"]: b["value"] for b in areas["bars"]} == {"Nord": 2, "Sud": 1, "Centre": 1}
    # Borda with 3 options (2, 1, 0 points): Bancs 2+1+2 = 5, Arbres 1+2+0 = 3, Fontaines 0+0+1 = 1.
    assert [(b["label"], b["value"]) for b in ranking["bars"]] == [("Bancs", 5), ("Arbres", 3), ("Fontaines", 1)]
    assert scale["mean"] == pytest.approx(4.0)  # (4 + 5 + 3) / 3
    assert {b["label"]: b["value"] for b in scale["bars"]} == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert text["bars"] == []


def test_closed_survey_page_shows_svg_charts_and_tables(client, survey):
    """The page of a closed survey has an SVG chart with title and description, and a table."""
    send(Client(), survey, answers_for(survey, "Vélo", ["Nord"], ["Bancs", "Arbres", "Fontaines"], 4))
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    html = client.get(f"/{survey.city.slug}/participate/surveys/{survey.pk}/").content.decode()
    assert html.count("<svg") == 4 and "<title id=" in html and "<desc id=" in html
    assert "<table>" in html and "Vélo" in html


def test_survey_page_form_answers_without_javascript(client, survey):
    """Posting the HTML form stores a response and redirects with a thank-you."""
    questions, choices = ids(survey)
    q1, q2, q3, q4, _q5 = questions
    data = {f"q{q1.pk}": choices["Nature"], f"q{q2.pk}": [choices["Nord"], choices["Sud"]],
            f"q{q3.pk}_{choices['Arbres']}": "2", f"q{q3.pk}_{choices['Bancs']}": "1",
            f"q{q3.pk}_{choices['Fontaines']}": "3", f"q{q4.pk}": "5"}
    response = client.post(f"/{survey.city.slug}/participate/surveys/{survey.pk}/", data)
    assert response.status_code == 302
    ranks = dict(SurveyResponse.objects.get().answers.filter(question=q3).values_list("choice__label", "rank"))
    assert ranks == {"Bancs": 1, "Arbres": 2, "Fontaines": 3}
    again = client.get(f"/{survey.city.slug}/participate/surveys/{survey.pk}/").content.decode()
    assert "Vous avez répondu à cette enquête" in again and 'class="survey"' not in again, "no empty form again"
    other = Client().get(f"/{survey.city.slug}/participate/surveys/{survey.pk}/").content.decode()
    assert 'class="survey"' in other and "Vous avez répondu" not in other, "another visitor still gets the form"


def test_csv_export_is_for_the_city_staff_only(client, survey, aix):
    """Editors of the city download a CSV; anonymous and other cities' staff get a 404."""
    send(Client(), survey, answers_for(survey, "Vélo", ["Nord", "Sud"], ["Bancs", "Arbres", "Fontaines"], 4, "Ombre"))
    url = f"/api/v1/cities/{survey.city.slug}/surveys/{survey.pk}/responses.csv"
    assert_problem(client.get(url), 404)
    staff = login(Client(), make_staff(survey.city, Role.EDITOR))
    response = staff.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][2:] == ["Thème ?", "Quartiers ?", "Classez", "Satisfaction ?", "Une idée ?"]
    assert rows[1][2:] == ["Vélo", "Nord | Sud", "1. Bancs | 2. Arbres | 3. Fontaines", "4", "Ombre"]
    assert_tenant_isolated(city=survey.city, other_city=aix, url=url, secrets=["Ombre"])
    assert_tenant_isolated(city=survey.city, other_city=aix,
                           url=f"/api/v1/cities/{aix.slug}/surveys/{survey.pk}")
