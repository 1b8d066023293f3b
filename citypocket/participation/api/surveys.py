"""Surveys: questions, one response per person, results once closed, CSV export for staff."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.params import CitySlug, Id
from citypocket.core.problems import Conflict, NotFound, responses
from citypocket.core.throttling import write_throttle
from citypocket.participation.access import is_participation_staff
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.schemas import SurveyOut, SurveyResponseIn, SurveyResponseOut, SurveyResultsOut
from citypocket.participation.selectors.surveys import compute_survey_results, get_survey
from citypocket.participation.services.surveys import export_responses_csv, submit_response

router = Router(tags=["participation"])


@router.get("/cities/{city}/surveys/{survey_id}", response=responses({200: SurveyOut}, 404),
            operation_id="get_survey", summary="Get a survey with its questions")
@cache_public(max_age=60)
def get_one(request, city: CitySlug, survey_id: Id):
    survey = get_survey(city=get_city(slug=city), survey_id=survey_id)
    return {
        "id": survey.pk, "process": survey.process.slug, "title": survey.title, "description": survey.description,
        "opens_at": survey.opens_at, "closes_at": survey.closes_at, "is_anonymous": survey.is_anonymous,
        "is_open": survey.is_open(),
        "questions": [{"id": q.pk, "kind": q.kind, "prompt": q.prompt, "required": q.required,
                       "scale_min": q.scale_min if q.kind == "scale" else None,
                       "scale_max": q.scale_max if q.kind == "scale" else None,
                       "choices": list(q.choices.all())} for q in survey.questions.all()],
    }


@router.post("/cities/{city}/surveys/{survey_id}/responses",
             response=responses({201: SurveyResponseOut}, 401, 403, 404, 409, 422, 429),
             operation_id="answer_survey", summary="Answer a survey (once per person)", throttle=write_throttle())
def answer(request, city: CitySlug, survey_id: Id, payload: SurveyResponseIn):
    enforce_csrf(request)
    survey = get_survey(city=get_city(slug=city), survey_id=survey_id)
    if not request.session.session_key:
        request.session.save()
    response = submit_response(survey=survey, user=request.user, session_key=request.session.session_key,
                               answers=payload.answers)
    return 201, {"survey_id": survey.pk, "submitted_at": response.submitted_at}


@router.get("/cities/{city}/surveys/{survey_id}/results", response=responses({200: SurveyResultsOut}, 404, 409),
            operation_id="get_survey_results", summary="Results of a survey once it has closed")
@cache_public(max_age=300)
def results(request, city: CitySlug, survey_id: Id):
    survey = get_survey(city=get_city(slug=city), survey_id=survey_id)
    if not survey.is_closed():
        raise Conflict(_("Results are published when the survey closes."))
    total, rows = compute_survey_results(survey=survey)
    return {"survey_id": survey.pk, "responses": total, "questions": [
        {"question_id": r.question.pk, "prompt": r.question.prompt, "kind": r.question.kind, "answered": r.answered,
         "measure": r.measure, "mean": r.mean, "bars": [{"label": b.label, "value": b.value} for b in r.bars]}
        for r in rows]}


@router.get("/cities/{city}/surveys/{survey_id}/responses.csv", response=responses({200: None}, 404),
            operation_id="export_survey_responses", summary="All responses as CSV (city staff only)",
            openapi_extra={"responses": {200: {"description": "CSV",
                                               "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def export_csv(request, city: CitySlug, survey_id: Id):
    city_obj = get_city(slug=city)
    if not is_participation_staff(user=request.user, city=city_obj):
        raise NotFound("No such survey.")
    survey = get_survey(city=city_obj, survey_id=survey_id)
    response = HttpResponse(export_responses_csv(survey=survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
