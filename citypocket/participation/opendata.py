"""The participation app's open datasets: what the city has already made public, and nothing about a person.

- `participatory-budget-results`: one row per project of each budget whose result is published
  (votes, selected, rank, cost), from the stored `BudgetResult` — never a ballot or a voter;
- `survey-results`: the aggregates of each closed survey of a published process (counts per
  option, Borda points, scale distributions), only when at least `MIN_RESPONSES` people answered
  the survey and the question; free-text answers are never published;
- `proposals`: the proposals shown on the public pages (published process, not hidden by a
  moderator) with the city's official answer — never the author, a supporter or a commenter.
"""

from citypocket.opendata.registry import Field, PlatformDataset, register
from citypocket.participation.models import ProjectResult, Proposal, QuestionKind, Survey
from citypocket.participation.selectors.proposals import with_counts
from citypocket.participation.selectors.surveys import compute_survey_results
from citypocket.safety.hotspots import K_MINIMUM

# The project's minimum count for publishing an aggregate about people: the k of the k-anonymous
# safety hotspots (`safety.hotspots.K_MINIMUM`). A survey (and a question) answered by fewer people
# stays on the city's own result page, out of the open data.
MIN_RESPONSES = K_MINIMUM

COMMON = {
    "themes": ("GOVE", "SOCI"),
    "keywords_fr": ("participation citoyenne", "démocratie participative"),
    "keywords_en": ("citizen participation", "participatory democracy"),
}


register(PlatformDataset(
    slug="participatory-budget-results",
    title_fr="Résultats des budgets participatifs",
    title_en="Participatory budget results",
    description_fr=("Pour chaque budget participatif dont les résultats sont publiés : chaque projet, son coût, "
                    "ses voix, son rang et s'il est retenu, avec la règle de vote et la méthode de décompte."),
    description_en=("For each participatory budget whose results are published: each project, its cost, its "
                    "votes, its rank and whether it was selected, with the voting rule and the counting method."),
    fields=(
        Field("budget_id", "integer", "Identifiant du budget", "Budget identifier", source="result__budget_id"),
        Field("project_id", "integer", "Identifiant du projet", "Project identifier"),
        Field("budget_title", "string", "Budget", "Budget", source="result__budget__title", sortable=True),
        Field("process", "string", "Démarche participative", "Participatory process",
              source="result__budget__process__slug"),
        Field("budget_amount", "integer", "Montant du budget (€)", "Budget amount (€)",
              source="result__budget__amount"),
        Field("voting_rule", "string", "Règle de vote", "Voting rule", source="result__voting_rule"),
        Field("counting_method", "string", "Méthode de décompte", "Counting method",
              source="result__counting_method"),
        Field("ballots", "integer", "Bulletins décomptés", "Ballots counted", source="result__ballots_count"),
        Field("project_title", "string", "Projet", "Project", source="project__title"),
        Field("district", "string", "Quartier (vide : toute la ville)", "District (empty: city-wide)",
              source="project__district__name"),
        Field("cost", "integer", "Coût (€)", "Cost (€)", source="project__cost"),
        Field("votes", "integer", "Voix", "Votes"),
        Field("selected", "boolean", "Retenu", "Selected"),
        Field("rank", "integer", "Rang (1 = premier)", "Rank (1 = first)", source="position"),
        Field("published_at", "datetime", "Résultats publiés le (UTC)", "Results published at (UTC)",
              source="result__published_at", sortable=True),
    ),
    key=("budget_id", "project_id"),
    queryset=lambda city: ProjectResult.objects.filter(
        result__city=city, result__budget__city=city, result__published_at__isnull=False,
        result__budget__process__is_published=True,
    ),
    time_field="published_at",
    accrual_periodicity="IRREG",
    provenance_fr="Décompte des bulletins par CityPocket (méthode gloutonne ou des parts égales), publié par la ville.",
    provenance_en="Ballots counted by CityPocket (greedy or Method of Equal Shares), published by the city.",
    **COMMON,
))


def survey_result_rows(city) -> list[dict]:
    """One row per option (or scale value) of each question of each closed, public survey answered by
    at least MIN_RESPONSES people; free-text questions are left out."""
    rows = []
    surveys = Survey.objects.filter(city=city, process__city=city, process__is_published=True).select_related(
        "process").prefetch_related("questions__choices").order_by("pk")
    for survey in surveys:
        if not survey.is_closed():
            continue
        total, results = compute_survey_results(survey=survey)
        if total < MIN_RESPONSES:
            continue
        for result in results:
            question = result.question
            if question.kind == QuestionKind.TEXT or result.answered < MIN_RESPONSES:
                continue
            for position, bar in enumerate(result.bars):
                rows.append({
                    "id": f"{survey.pk}/{question.pk}/{position}",
                    "survey": survey.pk, "survey_title": survey.title, "process": survey.process.slug,
                    "closed_at": survey.closes_at, "responses": total,
                    "question": question.pk, "prompt": question.prompt, "kind": question.kind,
                    "answered": result.answered, "measure": result.measure,
                    "option": bar.label, "value": float(bar.value),
                    "mean": None if result.mean is None else round(float(result.mean), 4),
                })
    return rows


register(PlatformDataset(
    slug="survey-results",
    title_fr="Résultats des questionnaires",
    title_en="Survey results",
    description_fr=("Les résultats agrégés des questionnaires clos : nombre de réponses par option, points Borda "
                    f"des classements, répartition des échelles ; seulement quand au moins {MIN_RESPONSES} "
                    "personnes ont répondu. Les réponses libres ne sont jamais publiées."),
    description_en=("The aggregated results of closed surveys: answers per option, Borda points of rankings, "
                    f"distribution of scales; only when at least {MIN_RESPONSES} people answered. Free-text "
                    "answers are never published."),
    fields=(
        Field("id", "string", "Identifiant (questionnaire/question/option)", "Identifier (survey/question/option)"),
        Field("survey", "integer", "Identifiant du questionnaire", "Survey identifier", sortable=True),
        Field("survey_title", "string", "Questionnaire", "Survey"),
        Field("process", "string", "Démarche participative", "Participatory process"),
        Field("closed_at", "datetime", "Clos le (UTC)", "Closed at (UTC)", sortable=True),
        Field("responses", "integer", "Réponses au questionnaire", "Responses to the survey"),
        Field("question", "integer", "Identifiant de la question", "Question identifier"),
        Field("prompt", "string", "Question", "Question"),
        Field("kind", "string", "Type (single, multiple, ranking, scale)", "Kind (single, multiple, ranking, scale)"),
        Field("answered", "integer", "Personnes ayant répondu à la question", "People who answered the question"),
        Field("measure", "string", "Mesure (responses, borda points)", "Measure (responses, borda points)"),
        Field("option", "string", "Option ou valeur de l'échelle", "Option or scale value"),
        Field("value", "number", "Réponses ou points", "Answers or points"),
        Field("mean", "number", "Moyenne (échelles)", "Mean (scales)"),
    ),
    key=("id",),
    rows=survey_result_rows,
    time_field="closed_at",
    accrual_periodicity="IRREG",
    provenance_fr=f"Agrégats calculés par CityPocket à partir des réponses (au moins {MIN_RESPONSES} répondants).",
    provenance_en=f"Aggregates computed by CityPocket from the responses (at least {MIN_RESPONSES} respondents).",
    **COMMON,
))


def proposal_rows(city) -> list[dict]:
    """The proposals the public pages show, with their counts and the city's answer: no author, ever."""
    proposals = with_counts(Proposal.objects.filter(
        city=city, process__city=city, process__is_published=True, is_hidden=False,
    )).order_by("created_at", "pk").values(
        "id", "process__slug", "title", "body", "category__name", "lat", "lon", "created_at", "support_count",
        "comment_count", "answer_status", "answer_text", "answered_at",
    )
    return [{
        "id": str(row["id"]), "process": row["process__slug"], "title": row["title"], "body": row["body"],
        "category": row["category__name"], "lat": row["lat"], "lon": row["lon"], "created_at": row["created_at"],
        "supports": row["support_count"], "comments": row["comment_count"],
        "answer_status": row["answer_status"] or None, "answer_text": row["answer_text"] or None,
        "answered_at": row["answered_at"],
    } for row in proposals]


register(PlatformDataset(
    slug="proposals",
    title_fr="Propositions citoyennes et réponses de la ville",
    title_en="Citizen proposals and the city's answers",
    description_fr=("Les propositions publiées par les habitants (titre, texte, thème, lieu éventuel), leurs "
                    "soutiens et la réponse officielle de la ville (acceptée, à l'étude, refusée, et pourquoi). "
                    "Sans l'identité de leurs auteurs."),
    description_en=("The proposals residents published (title, text, category, optional place), their supports "
                    "and the city's official answer (accepted, being evaluated, rejected, and why). Without "
                    "their authors' identity."),
    fields=(
        Field("id", "string", "Identifiant", "Identifier"),
        Field("process", "string", "Démarche participative", "Participatory process"),
        Field("title", "string", "Titre", "Title", sortable=True),
        Field("body", "string", "Texte", "Text"),
        Field("category", "string", "Thème", "Category"),
        Field("lat", "number", "Latitude (facultative)", "Latitude (optional)"),
        Field("lon", "number", "Longitude (facultative)", "Longitude (optional)"),
        Field("created_at", "datetime", "Déposée le (UTC)", "Submitted at (UTC)", sortable=True),
        Field("supports", "integer", "Soutiens", "Supports"),
        Field("comments", "integer", "Commentaires visibles", "Visible comments"),
        Field("answer_status", "string", "Réponse (accepted, evaluating, rejected ; vide : sans réponse)",
              "Answer (accepted, evaluating, rejected; empty: not answered)"),
        Field("answer_text", "string", "Réponse de la ville", "The city's answer"),
        Field("answered_at", "datetime", "Répondue le (UTC)", "Answered at (UTC)"),
    ),
    key=("id",),
    rows=proposal_rows,
    lon_field="lon",
    lat_field="lat",
    time_field="created_at",
    accrual_periodicity="CONT",
    provenance_fr="Propositions déposées sur CityPocket et réponses saisies par la ville.",
    provenance_en="Proposals submitted on CityPocket and answers entered by the city.",
    **COMMON,
))
