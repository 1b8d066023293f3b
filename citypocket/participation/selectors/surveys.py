"""Surveys and their results (counts per option, Borda scores for rankings, scale distributions)."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, QuerySet, Sum

from citypocket.core.problems import NotFound
from citypocket.participation.models import Answer, Choice, Question, QuestionKind, Survey


def list_surveys(*, city) -> QuerySet[Survey]:
    return Survey.objects.filter(city=city, process__is_published=True).select_related("process")


def get_survey(*, city, survey_id: int) -> Survey:
    survey = (list_surveys(city=city)
              .prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related("choices")))
              .filter(pk=survey_id).first())
    if survey is None:
        raise NotFound("No such survey.")
    return survey


@dataclass
class Bar:
    label: str
    value: float
    note: str = ""


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    measure: str = "responses"  # "responses", "borda points"


def compute_survey_results(*, survey: Survey) -> tuple[int, list[QuestionResult]]:
    """Total responses and one result per question, computed in the database (a few queries)."""
    total = survey.responses.count()
    results = []
    for question in survey.questions.all():
        answers = Answer.objects.filter(question=question)
        answered = answers.values("response").distinct().count()
        result = QuestionResult(question=question, answered=answered)
        choices: list[Choice] = list(question.choices.all())
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = dict(answers.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n"))
            result.bars = [Bar(c.label, counts.get(c.pk, 0)) for c in choices]
        elif question.kind == QuestionKind.RANKING:
            # Borda count: with n options, rank 1 earns n-1 points, the last rank 0.
            n = len(choices)
            stats = {row["choice"]: row for row in answers.values("choice").annotate(
                ranks=Sum("rank"), times=Count("pk"), mean=Avg("rank"))}
            result.measure = "borda points"
            for choice in choices:
                row = stats.get(choice.pk, {"ranks": 0, "times": 0, "mean": None})
                points = row["times"] * n - (row["ranks"] or 0)
                note = f"{row['mean']:.2f}" if row["mean"] is not None else ""
                result.bars.append(Bar(choice.label, points, note))
            result.bars.sort(key=lambda bar: -bar.value)
        elif question.kind == QuestionKind.SCALE:
            counts = dict(answers.values_list("value").annotate(n=Count("pk")).values_list("value", "n"))
            result.bars = [Bar(str(v), counts.get(v, 0)) for v in range(question.scale_min, question.scale_max + 1)]
            result.mean = answers.aggregate(mean=Avg("value"))["mean"]
        results.append(result)
    return total, results


def has_answered(*, survey: Survey, user=None, session_key: str = "") -> bool:
    """Whether this account (or, signed out, this browser session) has already answered the survey."""
    # The services module imports these selectors: the respondent's key is read here, when asked.
    from citypocket.participation.models import SurveyResponse
    from citypocket.participation.services.surveys import respondent_key

    if not session_key and not getattr(user, "is_authenticated", False):
        return False
    key = respondent_key(survey=survey, user=user, session_key=session_key)
    return SurveyResponse.objects.filter(survey=survey, respondent_key=key).exists()
