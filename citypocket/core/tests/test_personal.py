"""Personal answers are never cached (`private, no-store`), public ones keep their caching, and
signing out tells the device to forget what it holds (`Clear-Site-Data`)."""

import pytest
from django.test import Client

from citypocket.core.middleware import CLEAR_ON_SIGN_OUT, SIGNED_OUT_COOKIE
from citypocket.participation.models import Ballot
from citypocket.participation.tests.conftest import make_budget, make_resident
from testsupport import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def voted(rouen):
    """A resident who voted in a budget, signed in."""
    budget, projects = make_budget(rouen)
    resident = make_resident(rouen)
    client = Client()
    client.force_login(resident, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/rouen/participate/budgets/{budget.pk}/", {"project": [projects["A"].pk]})
    assert response.status_code == 302 and Ballot.objects.filter(voter=resident).count() == 1
    return client, budget


def test_every_answer_to_a_signed_in_person_is_private_and_not_stored(voted):
    """Ballot page, notifications, my data, city home, and public API reads too: `private, no-store`, never public."""
    client, budget = voted
    ballot_page = client.get(f"/rouen/participate/budgets/{budget.pk}/")
    assert "Vous avez voté" in ballot_page.content.decode()
    for response in (ballot_page, client.get("/rouen/participate/notifications/"), client.get("/accounts/my-data/"),
                     client.get("/rouen/"), client.get("/api/v1/cities/rouen"),
                     client.get(f"/api/v1/cities/rouen/budgets/{budget.pk}/ballot")):
        assert response.status_code == 200
        assert {"private", "no-store"} <= directives(response), response["Cache-Control"]
        assert "public" not in directives(response) and not response.has_header("Expires")


def test_public_answers_to_anonymous_visitors_keep_their_caching(client, rouen):
    """Anonymous reads are unchanged: the API stays public for an hour and does not start to vary on cookies."""
    api = client.get("/api/v1/cities/rouen")
    assert {"public", "max-age"} <= directives(api) and "private" not in directives(api)
    assert "cookie" not in api.get("Vary", "").lower()
    page = client.get("/rouen/")
    assert not {"private", "no-store"} & directives(page)


def test_a_page_showing_a_flash_message_is_private(rouen):
    """A message meant for one person ("Votre vote est enregistré", "Vous êtes déconnecté") is never cached."""
    client = Client()
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    client.post("/accounts/logout/")
    after = client.get("/rouen/")
    assert "messages" in after.content.decode()  # allauth's "you have signed out"
    assert {"private", "no-store"} <= directives(after)
    assert not {"private", "no-store"} & directives(client.get("/rouen/"))  # once shown, the page is public again


def test_signing_out_tells_the_device_to_forget_its_copies(voted):
    """The sign-out answer (and only it) carries Clear-Site-Data: "cache", "storage"."""
    client, budget = voted
    assert not client.get(f"/rouen/participate/budgets/{budget.pk}/").has_header("Clear-Site-Data")
    assert not client.get("/accounts/logout/").has_header("Clear-Site-Data")  # the confirmation page
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_ON_SIGN_OUT == '"cache", "storage"'
    assert {"private", "no-store"} <= directives(response)
    signal = response.cookies[SIGNED_OUT_COOKIE]  # for app.js where Clear-Site-Data is ignored
    assert signal.value == "1" and not signal["httponly"] and signal["samesite"] == "Lax"
    assert not Client().get("/rouen/").has_header("Clear-Site-Data")


def test_deleting_ones_account_also_clears_the_device(rouen):
    """Account deletion signs the person out: the answer carries Clear-Site-Data too."""
    user = UserFactory()
    user.set_password("correct horse battery")
    user.save()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/accounts/my-data/", {"password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_ON_SIGN_OUT


def test_the_service_worker_keeps_only_public_answers(client):
    """The worker obeys private/no-store, fetches the pages it keeps without cookies, and drops v1 copies."""
    script = client.get("/sw.js").content.decode()
    assert "no-store|private" in script and 'credentials: "omit"' in script
    assert 'PAGES_CACHE = "pages-v4"' in script and 'k.startsWith("pages-") && k !== PAGES_CACHE' in script
