"""Answering surveys (one response per person), and the results and CSV export once closed."""

import csv
import hashlib
import hmac
import io

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citypocket.core.problems import Conflict, InvalidValues
from citypocket.participation.access import is_authenticated, require_tier
from citypocket.participation.errors import PhaseClosed
from citypocket.participation.models import Action, Answer, QuestionKind, Survey, SurveyResponse


def respondent_key(*, survey: Survey, user=None, session_key: str = "") -> str:
    """A keyed digest of who answers: enough to refuse a second answer, useless to find the person."""
    who = f"user:{user.pk}" if is_authenticated(user) else f"session:{session_key}"
    key = f"{settings.SECRET_KEY}:survey:{survey.pk}".encode()
    return hmac.new(key, who.encode(), hashlib.sha256).hexdigest()


def _clean_answers(survey: Survey, raw: dict) -> tuple[list[Answer], list[dict]]:
    """Validates raw values keyed by question id: an int (single, scale), a list (multiple; ranking
    in order of preference) or a string (text)."""
    answers, errors = [], []
    for question in survey.questions.all():
        value = raw.get(str(question.pk), raw.get(question.pk))
        field = f"answers.{question.pk}"
        empty = value in (None, "", [])
        if empty:
            if question.required:
                errors.append({"field": field, "message": _("This question needs an answer.")})
            continue
        choice_ids = {c.pk for c in question.choices.all()}
        if question.kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
            try:
                number = int(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                errors.append({"field": field, "message": _("Choose one answer.")})
                continue
            if question.kind == QuestionKind.SINGLE:
                if number not in choice_ids:
                    errors.append({"field": field, "message": _("Choose one of the options.")})
                    continue
                answers.append(Answer(question=question, choice_id=number))
            else:
                if not question.scale_min <= number <= question.scale_max:
                    errors.append({"field": field, "message": _("Choose a value on the scale.")})
                    continue
                answers.append(Answer(question=question, value=number))
        elif question.kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
            values = value if isinstance(value, list) else [value]
            try:
                ids = [int(v) for v in values]
            except (TypeError, ValueError):
                errors.append({"field": field, "message": _("Choose among the options.")})
                continue
            if len(set(ids)) != len(ids) or not set(ids) <= choice_ids:
                errors.append({"field": field, "message": _("Choose among the options, each once.")})
                continue
            if question.kind == QuestionKind.RANKING and set(ids) != choice_ids:
                errors.append({"field": field, "message": _("Rank every option.")})
                continue
            for rank, choice_id in enumerate(ids, start=1):
                answers.append(Answer(question=question, choice_id=choice_id,
                                      rank=rank if question.kind == QuestionKind.RANKING else None))
        else:
            text = str(value).strip()[:2000]
            if text:
                answers.append(Answer(question=question, text=text))
    return answers, errors


def submit_response(*, survey: Survey, user=None, session_key: str = "", answers: dict) -> SurveyResponse:
    """Stores one response; a second one from the same person is a 409 conflict."""
    require_tier(user=user, city=survey.city, tier=survey.process.tier_for(Action.SURVEY))
    if not survey.is_open():
        raise PhaseClosed(_("This survey is not open."))
    cleaned, errors = _clean_answers(survey, answers)
    if errors:
        raise InvalidValues(_("Some answers are missing or invalid."), errors=errors)
    key = respondent_key(survey=survey, user=user, session_key=session_key)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                city=survey.city, survey=survey, respondent_key=key,
                user=None if survey.is_anonymous or not is_authenticated(user) else user,
            )
            for answer in cleaned:
                answer.response = response
            Answer.objects.bulk_create(cleaned)
    except IntegrityError as error:
        raise Conflict(_("You have already answered this survey.")) from error
    return response


def export_responses_csv(*, survey: Survey) -> str:
    """One row per response, one column per question; ranking as '1. A | 2. B'. No personal data."""
    questions = list(survey.questions.prefetch_related("choices"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["response", "submitted_at", *[q.prompt for q in questions]])
    responses = survey.responses.order_by("submitted_at", "pk").prefetch_related("answers__choice")
    for number, response in enumerate(responses, start=1):
        by_question: dict[int, list[Answer]] = {}
        for answer in response.answers.all():
            by_question.setdefault(answer.question_id, []).append(answer)
        cells = []
        for question in questions:
            given = sorted(by_question.get(question.pk, []), key=lambda a: (a.rank or 0, a.pk))
            if question.kind == QuestionKind.SCALE:
                cells.append(given[0].value if given else "")
            elif question.kind == QuestionKind.TEXT:
                cells.append(given[0].text if given else "")
            elif question.kind == QuestionKind.RANKING:
                cells.append(" | ".join(f"{a.rank}. {a.choice.label}" for a in given))
            else:
                cells.append(" | ".join(a.choice.label for a in given))
        writer.writerow([number, response.submitted_at.isoformat(), *cells])
    return out.getvalue()
