"""Proposals: submit, support once, threshold, city answer, threaded comments, flags, fast list."""

import json

import pytest
from django.test import Client

from citypocket.cities.models import Role
from citypocket.participation.models import ModerationState, PhaseKind, Proposal, Support
from citypocket.participation.services.proposals import answer_proposal, moderate_comment
from citypocket.participation.tests.conftest import make_process, make_resident
from citypocket.participation.tests.factories import CategoryFactory, CommentFactory, ProposalFactory, SupportFactory
from testsupport import UserFactory, assert_problem, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(rouen):
    return make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS, support_threshold=2, flag_threshold=2)


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_account_submits_a_proposal_with_a_place(client, rouen, process):
    """A verified account proposes; the place must be inside the city."""
    category = CategoryFactory(city=rouen, name="Eau")
    login(client, UserFactory(), mfa=False)
    url = f"/api/v1/cities/{rouen.slug}/proposals"
    data = {"process": "idees", "title": "Fontaines", "body": "Place du Vieux-Marché", "category_id": category.pk,
            "lat": 49.4432, "lon": 1.0880}
    response = post(client, url, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"] == "Eau" and body["support_count"] == 0 and body["eligible_for_answer"] is False
    assert Proposal.objects.get(pk=body["id"]).lat == 49.4432
    body = assert_problem(post(client, url, {**data, "lat": 43.5, "lon": 5.4}), 422)
    assert body["errors"][0]["field"] == "lat"


def test_anonymous_cannot_propose(client, rouen, process):
    """Proposing needs an account (401), and the proposals phase (409)."""
    url = f"/api/v1/cities/{rouen.slug}/proposals"
    assert_problem(post(client, url, {"process": "idees", "title": "T", "body": "B"}), 401)
    make_process(rouen, slug="vote-only", open_phase=PhaseKind.VOTE)
    login(client, UserFactory(), mfa=False)
    assert_problem(post(client, url, {"process": "vote-only", "title": "T", "body": "B"}), 409)


def test_support_is_counted_once_and_reaches_the_threshold(client, rouen, process):
    """Supporting twice counts once; at the threshold (2) the proposal is eligible for an answer."""
    proposal = ProposalFactory(process=process)
    url = f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}/support"
    login(client, make_resident(rouen), mfa=False)
    assert client.put(url).json() == {"proposal_id": str(proposal.pk), "supported": True, "support_count": 1}
    assert client.put(url).json()["support_count"] == 1
    login(client, make_resident(rouen), mfa=False)
    client.put(url)
    detail = client.get(f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}").json()
    assert detail["support_count"] == 2 and detail["eligible_for_answer"] is True
    assert Support.objects.filter(proposal=proposal).count() == 2
    assert client.delete(url).json()["support_count"] == 1


def test_support_needs_a_verified_resident(client, rouen, process):
    """An account that is not a resident gets 403 and no support is stored."""
    proposal = ProposalFactory(process=process)
    login(client, UserFactory(), mfa=False)
    assert_problem(client.put(f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}/support"), 403)
    assert not Support.objects.exists()


def test_rejection_needs_a_reason(process):
    """Staff answer accepted/evaluating freely; a rejection without a reason is refused."""
    from citypocket.core.problems import InvalidValues

    proposal = ProposalFactory(process=process)
    with pytest.raises(InvalidValues):
        answer_proposal(proposal=proposal, status="rejected", text=" ")
    answer_proposal(proposal=proposal, status="rejected", text="Déjà prévu au plan d'eau 2026.")
    proposal.refresh_from_db()
    assert proposal.answer_status == "rejected" and proposal.answered_at is not None


def test_comments_are_threaded(client, rouen, process):
    """A reply carries its parent; a parent from another proposal is a 404."""
    proposal, other = ProposalFactory(process=process), ProposalFactory(process=process)
    login(client, UserFactory(), mfa=False)
    url = f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}/comments"
    first = post(client, url, {"body": "Bonne idée"}).json()
    reply = post(client, url, {"body": "D'accord", "parent_id": first["id"]})
    assert reply.status_code == 201 and reply.json()["parent_id"] == first["id"]
    foreign = CommentFactory(proposal=other, body="Ailleurs")
    assert_problem(post(client, url, {"body": "x", "parent_id": str(foreign.pk)}), 404)
    listed = client.get(url).json()
    assert [c["body"] for c in listed["items"]] == ["Bonne idée", "D'accord"]


def test_flags_hide_a_comment_until_a_moderator_decides(client, rouen, process):
    """Two flags (the threshold) hide the comment; a moderator keeps it and it stays visible."""
    proposal = ProposalFactory(process=process)
    comment = CommentFactory(proposal=proposal, body="Texte limite")
    url = f"/api/v1/cities/{rouen.slug}/comments/{comment.pk}/flags"
    login(client, UserFactory(), mfa=False)
    assert post(client, url).json()["hidden"] is False
    assert post(client, url).json()["hidden"] is False  # the same person flagging twice counts once
    login(client, UserFactory(), mfa=False)
    assert post(client, url).json()["hidden"] is True
    comment.refresh_from_db()
    assert comment.state == ModerationState.PENDING
    listed = client.get(f"/api/v1/cities/{rouen.slug}/proposals/{proposal.pk}/comments").json()
    assert listed["items"][0] == {**listed["items"][0], "body": "", "hidden": True}
    moderate_comment(comment=comment, keep=True)
    login(client, UserFactory(), mfa=False)
    assert post(client, url).json()["hidden"] is False


def test_proposal_list_pages_with_a_cursor_in_constant_queries(client, rouen, process,
                                                               django_assert_max_num_queries):
    """45 proposals, 20 a page: three pages, no duplicates, same small number of queries per page."""
    supporters = [make_resident(rouen) for _ in range(3)]
    for index in range(45):
        proposal = ProposalFactory(process=process, title=f"Idée {index:02d}")
        for person in supporters[: index % 4]:
            SupportFactory(proposal=proposal, user=person)
        CommentFactory(proposal=proposal, body="ok")
    seen, url, pages = [], f"/api/v1/cities/{rouen.slug}/proposals", 0
    while url:
        with django_assert_max_num_queries(3):
            body = client.get(url).json()
        seen += [item["title"] for item in body["items"]]
        for item in body["items"]:
            index = int(item["title"].split()[-1])
            assert item["support_count"] == index % 4 and item["comment_count"] == 1
        url, pages = body["next"], pages + 1
    assert pages == 3 and len(seen) == 45 == len(set(seen))
    assert seen[0] == "Idée 44"


def test_a_bad_cursor_is_a_422(client, rouen):
    """A cursor that is not one of ours is refused."""
    assert_problem(client.get(f"/api/v1/cities/{rouen.slug}/proposals?cursor=nonsense"), 422)


def test_proposals_are_isolated_per_city(rouen, aix, process):
    """A Rouen proposal is a 404 under Aix, and the Aix staff cannot support or comment it there."""
    proposal = ProposalFactory(process=process)
    for url, method in ((f"/api/v1/cities/{aix.slug}/proposals/{proposal.pk}", "get"),
                        (f"/api/v1/cities/{aix.slug}/proposals/{proposal.pk}/support", "put"),
                        (f"/api/v1/cities/{aix.slug}/proposals/{proposal.pk}/comments", "get")):
        assert_tenant_isolated(city=rouen, other_city=aix, url=url, method=method,
                               check_unchanged=lambda: not Support.objects.exists())
    comment = CommentFactory(proposal=proposal, body="x")
    assert_tenant_isolated(city=rouen, other_city=aix, method="post", data={},
                           url=f"/api/v1/cities/{aix.slug}/comments/{comment.pk}/flags",
                           check_unchanged=lambda: not comment.flags.exists())
    listing = Client().get(f"/api/v1/cities/{aix.slug}/proposals").json()
    assert listing["items"] == []


def test_moderator_of_another_city_cannot_moderate_in_the_admin(rouen, aix, process):
    """Aix moderators do not reach Rouen comments in the back office."""
    comment = CommentFactory(proposal=ProposalFactory(process=process), body="Texte")
    url = f"/admin/participation/comment/{comment.pk}/change/"
    assert login(Client(), make_staff(rouen, Role.MODERATOR)).get(url).status_code == 200
    assert_tenant_isolated(city=rouen, other_city=aix, url=url, as_json=False, expected=(302, 403, 404),
                           secrets=["Texte"])
