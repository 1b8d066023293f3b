"""The canary: harassment reports carry unique markers (place, text, contact, id); no catalog output,
row page or export of any dataset ever shows one — the hotspots dataset shows only its published cell."""

import pytest
from django.test import Client

from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.services import sync_platform_datasets
from citypocket.safety.models import HarassmentReport
from citypocket.safety.tests.conftest import distant_cells, file_report, points_in_cell

pytestmark = pytest.mark.django_db

CANARY = "CANARY-opendata-{}-Zq7"


def every_output(client: Client, city: str) -> list[bytes]:
    """Every public output of the open-data API for a city: catalogs, dataset list, rows and exports."""
    outputs = []
    for url in ("/api/v1/catalog", f"/api/v1/cities/{city}/catalog"):
        for code in ("ttl", "jsonld", "rdf"):
            outputs.append(client.get(url, {"format": code}).content)
    outputs.append(client.get(f"/api/v1/cities/{city}/data").content)
    for dataset in list_platform_datasets():
        base = f"/api/v1/cities/{city}/data/{dataset.slug}"
        outputs.append(client.get(base).content)
        outputs.append(client.get(base + "/rows", {"limit": 1000}).content)
        for code in ("csv", "geojson", "jsonl", "parquet"):
            response = client.get(base + "/rows", {"format": code})
            outputs.append(b"".join(response.streaming_content) if response.streaming else response.content)
    return outputs


def test_no_catalog_output_or_export_reveals_a_harassment_report(published, rouen):
    (cell,) = distant_cells(rouen, 1)
    secrets = []
    for index, (lat, lon) in enumerate(points_in_cell(cell, 12)):
        place, text, contact = (CANARY.format(f"{kind}{index}") for kind in ("place", "text", "contact"))
        file_report(rouen, lat=lat, lon=lon, place_name=place, description=text, contact=contact + "@example.org",
                    category="touching" if index % 2 else "threats")
        secrets += [place, text, contact]
    ids = [str(pk) for pk in HarassmentReport.objects.values_list("pk", flat=True)]
    secrets += ids + [pk.replace("-", "") for pk in ids]
    sync_platform_datasets(city=rouen)

    outputs = every_output(Client(), "rouen")

    hotspots = Client().get("/api/v1/cities/rouen/data/safety-hotspots/rows").json()["items"]
    assert [(spot["h3"], spot["count"]) for spot in hotspots] == [(cell, 12)], "the published cell is there"
    leaks = [secret for secret in secrets for output in outputs if secret.encode() in output]
    assert leaks == []
    assert all(b"CANARY" not in output for output in outputs)


def test_no_output_reveals_who_took_part(published, rouen):
    """Participation datasets publish the proposals, results and survey aggregates, never a person: the
    e-mail addresses of authors, supporters, commenters, voters and respondents, a comment, a free-text
    answer or a census digest carry canaries that no output shows."""
    from citypocket.participation.tests.factories import (
        AnswerFactory,
        BallotFactory,
        CensusRecordFactory,
        CommentFactory,
        ProposalFactory,
        ResidentVerificationFactory,
        SupportFactory,
        SurveyResponseFactory,
    )
    from testsupport import UserFactory

    def account(kind: str):
        return UserFactory(email=CANARY.format(kind).lower() + "@example.org", password=None)

    author = account("author")
    proposal = ProposalFactory(city=rouen, author=author, title="Un banc place du Vieux-Marché",
                               body="Pour s'asseoir.")
    SupportFactory(proposal=proposal, user=account("supporter"))
    CommentFactory(proposal=proposal, author=account("commenter"), body=CANARY.format("comment"))
    ResidentVerificationFactory(city=rouen, user=author)
    digest = CensusRecordFactory(city=rouen, used_by=author).digest
    respondent = account("respondent")
    text_question = published.survey_text_question
    response = SurveyResponseFactory(city=rouen, survey=text_question.survey, user=respondent)
    AnswerFactory(response=response, question=text_question, text=CANARY.format("free-text"))
    BallotFactory(budget=published.budget, voter=account("voter"))
    secrets = [CANARY.format(kind).lower() for kind in ("author", "supporter", "commenter", "respondent", "voter")]
    secrets += [CANARY.format("comment"), CANARY.format("free-text"), digest]
    sync_platform_datasets(city=rouen)

    outputs = every_output(Client(), "rouen")

    proposals = Client().get("/api/v1/cities/rouen/data/proposals/rows").json()["items"]
    assert {p["title"] for p in proposals} >= {"Un banc place du Vieux-Marché"}, "the proposal is published"
    surveys = Client().get("/api/v1/cities/rouen/data/survey-results/rows").json()["items"]
    assert surveys, "the survey aggregates are published"
    leaks = [secret for secret in secrets for output in outputs if secret.encode() in output]
    assert leaks == []
    assert all(b"canary" not in output.lower() for output in outputs)
