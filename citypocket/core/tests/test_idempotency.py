"""Idempotency keys: a form post sent twice with the same key writes once and answers the same."""

import re
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.core import idempotency
from citypocket.core.models import IdempotentAnswer
from citypocket.participation.models import Comment, PhaseKind, Proposal
from citypocket.participation.tests.conftest import make_process, make_resident
from citypocket.safety import crypto
from citypocket.safety.models import HarassmentReport
from testsupport import login

pytestmark = pytest.mark.django_db

REPORT = {"category": "following", "role": "victim", "occurred_on": "2026-11-01", "occurred_time": "22:10",
          "place_name": "quai de Paris", "description": "followed", "contact": ""}


def _receipt(response) -> str:
    return re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)


def test_replayed_report_gets_the_same_receipt_and_writes_one_row(client, rouen):
    """The same harassment report posted twice with one key: one report, the same receipt page twice."""
    key = str(uuid.uuid4())
    first = client.post("/rouen/safety/report/", REPORT | {"idempotency_key": key})
    again = client.post("/rouen/safety/report/", REPORT | {"idempotency_key": key})
    assert first.status_code == again.status_code == 201
    assert _receipt(first) == _receipt(again)
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    report = HarassmentReport.objects.get()
    assert report.receipt_hash == crypto.hash_receipt(_receipt(again))
    assert IdempotentAnswer.objects.filter(scope="safety.report").count() == 1


def test_the_idempotency_header_works_like_the_form_field(client, rouen):
    """`Idempotency-Key` as a header is read as well as the form field."""
    key = str(uuid.uuid4())
    first = client.post("/rouen/safety/report/", REPORT, headers={"Idempotency-Key": key})
    again = client.post("/rouen/safety/report/", REPORT | {"idempotency_key": key})
    assert _receipt(first) == _receipt(again) and HarassmentReport.objects.count() == 1


def test_different_keys_and_no_key_are_different_reports(client, rouen):
    """Only the same key replays: another key, or none (a form without JavaScript), writes again."""
    client.post("/rouen/safety/report/", REPORT | {"idempotency_key": str(uuid.uuid4())})
    client.post("/rouen/safety/report/", REPORT | {"idempotency_key": str(uuid.uuid4())})
    client.post("/rouen/safety/report/", REPORT)
    client.post("/rouen/safety/report/", REPORT | {"idempotency_key": "not-a-uuid"})
    assert HarassmentReport.objects.count() == 4
    assert IdempotentAnswer.objects.count() == 2


def test_the_kept_answer_reveals_neither_key_nor_receipt(client, rouen):
    """A database dump shows neither the device's key nor the receipt code shown once."""
    key = str(uuid.uuid4())
    code = _receipt(client.post("/rouen/safety/report/", REPORT | {"idempotency_key": key}))
    kept = IdempotentAnswer.objects.get()
    assert key not in kept.key_digest and key not in kept.sealed_answer
    assert code not in kept.sealed_answer and b"<code>" not in kept.sealed_answer.encode()


def test_a_refused_form_is_not_kept_so_the_draft_can_be_sent_again(client, rouen):
    """A 422 (form errors) keeps nothing: the same key, corrected, files the report."""
    key = str(uuid.uuid4())
    assert client.post("/rouen/safety/report/", {"idempotency_key": key}).status_code == 422
    assert not IdempotentAnswer.objects.exists()
    assert client.post("/rouen/safety/report/", REPORT | {"idempotency_key": key}).status_code == 201
    assert HarassmentReport.objects.count() == 1


def test_replayed_comment_and_proposal_write_once(client, rouen):
    """Participation: a proposal and a comment replayed with their keys are written once."""
    make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    login(client, make_resident(rouen), mfa=False)
    new = reverse("participation:proposal_new", kwargs={"city": rouen.slug})
    data = {"process": "idees", "title": "Bancs", "body": "Des bancs à l'ombre", "idempotency_key": str(uuid.uuid4())}
    first, again = client.post(new, data), client.post(new, data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    proposal = Proposal.objects.get()
    comment_url = reverse("participation:proposal_comment", kwargs={"city": rouen.slug, "proposal_id": proposal.pk})
    comment = {"body": "Oui !", "idempotency_key": str(uuid.uuid4())}
    assert client.post(comment_url, comment).status_code == client.post(comment_url, comment).status_code == 302
    assert Comment.objects.count() == 1


def test_a_key_replays_only_for_the_person_who_sent_it(client, rouen):
    """The same key from another account is another post (the key is not a way into someone's answer)."""
    make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    new = reverse("participation:proposal_new", kwargs={"city": rouen.slug})
    data = {"process": "idees", "title": "Bancs", "body": "Des bancs à l'ombre", "idempotency_key": str(uuid.uuid4())}
    login(client, make_resident(rouen), mfa=False)
    client.post(new, data)
    login(client, make_resident(rouen), mfa=False)
    client.post(new, data | {"title": "Fontaines"})
    assert sorted(Proposal.objects.values_list("title", flat=True)) == ["Bancs", "Fontaines"]


def test_a_post_that_loses_a_race_is_rolled_back_and_answers_like_the_winner(rouen):
    """Two posts with one key at once: the unique constraint stops the second, whose writes are undone."""
    key = str(uuid.uuid4())
    digest = idempotency._digest(scope="test.race", owner="", key=key)
    winner = HttpResponseRedirect("/rouen/winner/")
    IdempotentAnswer.objects.create(scope="test.race", key_digest=digest, sealed_answer=idempotency._seal(key, winner))

    @idempotency.idempotent_post("test.race")
    def view(request):
        City.objects.filter(pk=rouen.pk).update(name="Written by the loser")
        return HttpResponse("loser", status=201)

    request = RequestFactory().post("/", {"idempotency_key": key})
    request.user = AnonymousUser()
    real_filter = IdempotentAnswer.objects.filter
    calls = []

    def filter_missing_first(*args, **kwargs):
        # The first look-up runs before the winner commits: it finds nothing.
        calls.append(1)
        return real_filter(pk=None) if len(calls) == 1 else real_filter(*args, **kwargs)

    with mock.patch.object(IdempotentAnswer.objects, "filter", side_effect=filter_missing_first):
        response = view(request)
    assert response.status_code == 302 and response["Location"] == "/rouen/winner/"
    rouen.refresh_from_db()
    assert rouen.name != "Written by the loser"
    assert IdempotentAnswer.objects.count() == 1


def test_old_answers_are_purged(rouen, client):
    """Answers older than the retention are forgotten by the nightly job; recent ones stay."""
    client.post("/rouen/safety/report/", REPORT | {"idempotency_key": str(uuid.uuid4())})
    client.post("/rouen/safety/report/", REPORT | {"idempotency_key": str(uuid.uuid4())})
    old = IdempotentAnswer.objects.first()
    IdempotentAnswer.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert idempotency.purge_idempotent_answers() == 1
    assert IdempotentAnswer.objects.count() == 1
