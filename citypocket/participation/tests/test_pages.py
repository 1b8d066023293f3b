"""Citizen pages without JavaScript, the city-home tile, and the demo data."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citypocket.core.demo import list_demo_loaders
from citypocket.participation.models import (
    Ballot,
    BallotItem,
    Budget,
    Comment,
    Meeting,
    PhaseKind,
    Process,
    Proposal,
    Registration,
    Support,
    Survey,
)
from citypocket.participation.tests.conftest import make_budget, make_process, make_resident
from citypocket.participation.tests.factories import MeetingFactory
from testsupport import UserFactory, login

pytestmark = pytest.mark.django_db


def test_participate_page_lists_what_is_open(client, rouen):
    """/<city>/participate/ shows the open process and the budget in its vote."""
    budget, _p = make_budget(rouen)
    response = client.get(reverse("participation:page", kwargs={"city": rouen.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and budget.process.title in html and budget.title in html


def test_city_home_tile_shows_the_open_phase(client, rouen):
    """The city home's participation tile names the process and its running phase."""
    process = make_process(rouen, slug="pb", open_phase=PhaseKind.PROPOSALS)
    html = client.get(f"/{rouen.slug}/").content.decode()
    assert process.title in html and "Propositions" in html


def test_ballot_form_without_javascript_validates_on_the_server(client, rouen):
    """Posting an over-budget form shows the error and keeps the choice; a valid one is recorded."""
    budget, p = make_budget(rouen)
    login(client, make_resident(rouen), mfa=False)
    url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
    page = client.get(url).content.decode()
    assert 'role="alert"' not in page and "<progress" in page
    response = client.post(url, {"project": [p["A"].pk, p["B"].pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "110" in html
    assert not Ballot.objects.exists()
    response = client.post(url, {"project": [p["A"].pk, p["C"].pk]})
    assert response.status_code == 302
    assert sorted(BallotItem.objects.values_list("project__title", flat=True)) == ["A", "C"]


def test_ballot_page_asks_an_account_to_verify_residency(client, rouen):
    """An account that is not a resident is told how to verify, and its POST changes nothing."""
    budget, p = make_budget(rouen)
    login(client, UserFactory(), mfa=False)
    url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
    assert reverse("participation:verify", kwargs={"city": rouen.slug}) in client.get(url).content.decode()
    assert client.post(url, {"project": [p["A"].pk]}).status_code == 200
    assert not Ballot.objects.exists()


def test_anonymous_vote_goes_to_sign_in(client, rouen):
    """An anonymous POST redirects to the sign-in page."""
    budget, p = make_budget(rouen)
    url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
    response = client.post(url, {"project": [p["A"].pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_draft_budget_page_is_a_404_for_the_public(client, rouen):
    """Drafts are not public pages."""
    budget, _p = make_budget(rouen, status=Budget.Status.DRAFT)
    assert client.get(reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
                      ).status_code == 404


def test_proposal_pages_submit_support_comment_and_flag(client, rouen):
    """The proposal journey works with plain forms."""
    make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    resident = make_resident(rouen)
    login(client, resident, mfa=False)
    response = client.post(reverse("participation:proposal_new", kwargs={"city": rouen.slug}),
                           {"process": "idees", "title": "Bancs", "body": "Des bancs à l'ombre"})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    kwargs = {"city": rouen.slug, "proposal_id": proposal.pk}
    client.post(reverse("participation:proposal_support", kwargs=kwargs))
    assert Support.objects.filter(proposal=proposal, user=resident).exists()
    client.post(reverse("participation:proposal_comment", kwargs=kwargs), {"body": "Oui !"})
    comment = Comment.objects.get()
    client.post(reverse("participation:comment_flag", kwargs={"city": rouen.slug, "comment_id": comment.pk}))
    assert comment.flags.count() == 1
    html = client.get(reverse("participation:proposal", kwargs=kwargs)).content.decode()
    assert "Oui !" in html and "Retirer mon soutien" in html
    listing = client.get(reverse("participation:proposals", kwargs={"city": rouen.slug})).content.decode()
    assert "Bancs" in listing


def test_form_posts_share_the_write_limit_and_write_nothing_over_it(client, rouen, settings):
    """The HTML forms have the API's write limit: over it, a 429 page that says nothing was recorded."""
    settings.API_WRITE_RATE = "2/min"
    make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    login(client, make_resident(rouen), mfa=False)
    new = reverse("participation:proposal_new", kwargs={"city": rouen.slug})
    proposal = None
    for title in ("Bancs", "Arbres"):
        assert client.post(new, {"process": "idees", "title": title, "body": "À l'ombre"}).status_code == 302
        proposal = proposal or Proposal.objects.get()
    comment = reverse("participation:proposal_comment", kwargs={"city": rouen.slug, "proposal_id": proposal.pk})
    refused = client.post(comment, {"body": "Oui !"}, HTTP_REFERER="https://evil.example/")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    html = refused.content.decode()
    assert "Trop de requêtes" in html and "Rien n\u2019a été enregistré" in html
    assert 'href="https://evil.example/' not in html and 'href="/rouen/"' in html
    assert Proposal.objects.count() == 2 and not Comment.objects.exists()
    assert client.get(new).status_code == 200  # reading is not limited by it
    # The limit is per account: a neighbour on the same network (same address) can still take part.
    login(client, make_resident(rouen), mfa=False)
    assert client.post(comment, {"body": "Moi aussi"}).status_code == 302
    assert Comment.objects.count() == 1


def test_meeting_page_registers(client, rouen):
    """The register button records a registration."""
    meeting = MeetingFactory(city=rouen, title="Réunion publique", place="", online_url="https://example.org/visio",
                             capacity=20)
    login(client, UserFactory(), mfa=False)
    url = reverse("participation:meeting", kwargs={"city": rouen.slug, "meeting_id": meeting.pk})
    assert client.post(url).status_code == 302
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_verify_page_uses_a_letter_code(client, rouen):
    """A code typed on the residency page makes the account a resident."""
    from citypocket.participation.models import ResidentVerification
    from citypocket.participation.services.identity import generate_letter_codes

    [code] = generate_letter_codes(city=rouen, count=1)
    user = UserFactory()
    login(client, user, mfa=False)
    response = client.post(reverse("participation:verify", kwargs={"city": rouen.slug}),
                           {"method": "postal_code", "code": code})
    assert response.status_code == 302
    assert ResidentVerification.objects.filter(user=user, city=rouen).exists()


def test_other_city_pages_do_not_show_rouen_objects(rouen, aix):
    """Rouen's budget, proposal and meeting are 404 pages under Aix."""
    budget, _p = make_budget(rouen)
    client = Client()
    assert client.get(f"/{aix.slug}/participate/budgets/{budget.pk}/").status_code == 404


def test_demo_loader_is_idempotent_and_sets_each_city_up(rouen, aix):
    """Running the demo twice: one process each, Rouen knapsack, Aix approval, open survey, supports, meeting."""
    loader = next(item for item in list_demo_loaders() if item.name == "participation")
    loader.load()
    summary = loader.load()
    assert "rouen" in summary
    # Two editions each: the 2026 one over and published, the 2027 one open.
    assert Process.objects.filter(city=rouen).count() == 2 and Process.objects.filter(city=aix).count() == 2
    assert Budget.objects.get(city=rouen, status="voting").voting_rule == "knapsack"
    assert Budget.objects.get(city=aix, status="voting").voting_rule == "approval"
    from citypocket.participation.services.budgets import is_vote_open

    assert all(is_vote_open(b) for b in Budget.objects.filter(status="voting"))
    assert not any(is_vote_open(b) for b in Budget.objects.filter(status="published"))
    assert Budget.objects.filter(status="published").count() == 2
    assert all(s.is_open() for s in Survey.objects.all())
    assert Support.objects.filter(city=rouen).count() > 0 and Comment.objects.filter(city=aix).count() > 0
    meeting = Meeting.objects.get(city=rouen)
    assert meeting.starts_at > timezone.now() and meeting.agenda.count() == 3


def test_a_ballot_ticked_while_signed_out_survives_signing_in(client, rouen):
    """The ticked projects are kept through the sign-in page and shown ticked, once, to confirm."""
    budget, p = make_budget(rouen)
    url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
    response = client.post(url, {"project": [p["A"].pk, p["C"].pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"] and "next=" in response["Location"]
    login(client, make_resident(rouen), mfa=False)
    html = client.get(url).content.decode()
    assert f'value="{p["A"].pk}" id="project-{p["A"].pk}" data-cost="{p["A"].cost}" checked' in html
    assert f'value="{p["C"].pk}" id="project-{p["C"].pk}" data-cost="{p["C"].cost}" checked' in html
    assert f'value="{p["B"].pk}" id="project-{p["B"].pk}" data-cost="{p["B"].cost}" checked' not in html
    assert "confirm" in html.lower() or "confirmez" in html.lower()
    assert not Ballot.objects.exists(), "nothing is cast until the person confirms"
    again = client.get(url).content.decode()
    assert f'id="project-{p["A"].pk}" data-cost="{p["A"].cost}" checked' not in again, "given back once"


def test_a_ballot_kept_for_one_budget_is_not_shown_on_another(client, rouen):
    budget, p = make_budget(rouen)
    other, _q = make_budget(rouen)
    url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": budget.pk})
    client.post(url, {"project": [p["A"].pk]})
    login(client, make_resident(rouen), mfa=False)
    other_url = reverse("participation:budget", kwargs={"city": rouen.slug, "budget_id": other.pk})
    assert '" checked' not in client.get(other_url).content.decode()
    assert f'id="project-{p["A"].pk}" data-cost="{p["A"].cost}" checked' in client.get(url).content.decode()


def test_a_support_asked_while_signed_out_is_given_after_signing_in(client, rouen):
    make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    author = make_resident(rouen)
    login(client, author, mfa=False)
    client.post(reverse("participation:proposal_new", kwargs={"city": rouen.slug}),
                {"process": "idees", "title": "Bancs", "body": "Des bancs à l'ombre"})
    client.logout()
    proposal = Proposal.objects.get()
    kwargs = {"city": rouen.slug, "proposal_id": proposal.pk}
    response = client.post(reverse("participation:proposal_support", kwargs=kwargs))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Support.objects.exists()
    supporter = make_resident(rouen)
    login(client, supporter, mfa=False)
    html = client.get(reverse("participation:proposal", kwargs=kwargs)).content.decode()
    assert Support.objects.filter(proposal=proposal, user=supporter).count() == 1
    assert "Retirer mon soutien" in html
    client.get(reverse("participation:proposal", kwargs=kwargs))
    assert Support.objects.filter(proposal=proposal).count() == 1
