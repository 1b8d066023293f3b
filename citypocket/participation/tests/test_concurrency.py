"""Integrity under concurrency: 50 parallel requests of one person count once (SQLite and PostgreSQL)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from citypocket.participation.models import Ballot, BallotItem, PhaseKind, Registration, Support
from citypocket.participation.tests.conftest import make_budget, make_process, make_resident
from citypocket.participation.tests.factories import MeetingFactory, ProposalFactory
from testsupport import login

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 50


def run_in_parallel(request_fn) -> list[int]:
    """Runs request_fn(i) in PARALLEL threads released together; returns the status codes."""
    barrier = threading.Barrier(PARALLEL)

    def worker(index):
        try:
            barrier.wait(timeout=30)
            return request_fn(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(worker, range(PARALLEL)))


def test_fifty_parallel_votes_of_one_resident_leave_one_ballot(settings, rouen):
    """50 simultaneous PUTs of different valid ballots: all succeed, one ballot remains, holding one of them."""
    settings.API_WRITE_RATE = "10000/min"
    budget, p = make_budget(rouen)
    voter = make_resident(rouen)
    choices = [[p["A"].pk], [p["B"].pk], [p["C"].pk], [p["A"].pk, p["C"].pk], [p["B"].pk, p["C"].pk]]
    clients = [login(Client(), voter, mfa=False) for _ in range(PARALLEL)]

    def vote(index):
        response = clients[index].put(f"/api/v1/cities/{rouen.slug}/budgets/{budget.pk}/ballot",
                                      data=json.dumps({"project_ids": choices[index % len(choices)]}),
                                      content_type="application/json")
        return response.status_code

    statuses = run_in_parallel(vote)
    assert statuses == [200] * PARALLEL
    assert Ballot.objects.filter(budget=budget).count() == 1
    stored = sorted(BallotItem.objects.filter(ballot__budget=budget).values_list("project_id", flat=True))
    assert stored in [sorted(choice) for choice in choices]


def test_fifty_parallel_supports_count_once(settings, rouen):
    """50 simultaneous supports of one proposal by one resident make one support."""
    settings.API_WRITE_RATE = "10000/min"
    process = make_process(rouen, slug="ideas", open_phase=PhaseKind.PROPOSALS)
    supporter = make_resident(rouen)
    proposal = ProposalFactory(process=process)
    clients = [login(Client(), supporter, mfa=False) for _ in range(PARALLEL)]

    def support(index):
        return clients[index].put(f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}/support").status_code

    assert run_in_parallel(support) == [200] * PARALLEL
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_parallel_registrations_never_exceed_capacity(settings, rouen):
    """50 people register at once for 10 places: exactly 10 get in, the others get a 409."""
    from testsupport import UserFactory

    settings.API_WRITE_RATE = "10000/min"
    meeting = MeetingFactory(city=rouen, capacity=10)
    clients = [login(Client(), UserFactory(), mfa=False) for _ in range(PARALLEL)]

    def register(index):
        return clients[index].put(f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}/registration").status_code

    statuses = run_in_parallel(register)
    assert statuses.count(200) == 10 and statuses.count(409) == PARALLEL - 10
    assert Registration.objects.filter(meeting=meeting).count() == 10
