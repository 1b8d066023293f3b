"""In real Chromium: a person's pages never stay on the device for whoever opens the app offline next."""

import pytest
from django.conf import settings
from django.test import Client

from citypocket.core.tests.browser import WORKER_IN_CONTROL, wait_until
from citypocket.participation.models import Ballot
from citypocket.participation.tests.conftest import make_budget, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """Puts a signed-in session cookie in the browser (the sign-in form has its own tests)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def vote(page, budget) -> None:
    """On the budget page (kept by the service worker), ticks A and C and votes."""
    page.goto(f"/rouen/participate/budgets/{budget.pk}/")
    page.wait_for_function(WORKER_IN_CONTROL)
    page.get_by_label("A 60 €").check()
    page.get_by_label("C 30 €").check()
    page.get_by_role("button", name="Voter").click()
    page.wait_for_url(f"**/participate/budgets/{budget.pk}/")
    assert "Vous avez voté" in page.content()
    assert page.locator("input[name=project]:checked").count() == 2
    assert Ballot.objects.filter(budget=budget).count() == 1


def assert_nothing_personal(page) -> None:
    html = page.content()
    assert "Vous avez voté" not in html
    assert "Se déconnecter" not in html and "Mon compte" not in html
    assert page.locator("input[name=project]:checked").count() == 0


def test_after_signing_out_the_budget_page_offline_shows_no_ballot_and_no_account(page, live_server, rouen):
    """A resident votes and signs out; offline, the budget page shows neither the ballot nor the account."""
    budget, _projects = make_budget(rouen, amount=100)
    sign_in(page, live_server, make_resident(rouen))
    vote(page, budget)
    page.get_by_role("link", name="Se déconnecter").click()
    page.wait_for_url("**/accounts/logout/")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_function("() => !document.location.pathname.startsWith('/accounts/')")
    assert "Se connecter" in page.content()
    page.wait_for_function(WORKER_IN_CONTROL)  # the app's worker, registered again after Clear-Site-Data
    assert page.errors == []
    page.context.set_offline(True)
    try:
        page.goto(f"/rouen/participate/budgets/{budget.pk}/")
        assert_nothing_personal(page)
        assert page.locator("h1").inner_text() == "Vous êtes hors ligne"  # nothing of that page was kept
    finally:
        page.context.set_offline(False)


def test_signed_in_the_offline_copies_are_the_public_pages(page, live_server, rouen, aix):
    """While signed in, the copies kept for offline use (the page, the offline page) are what any visitor sees."""
    budget, _projects = make_budget(rouen, amount=100)
    sign_in(page, live_server, make_resident(rouen))
    vote(page, budget)
    wait_until(page, "() => caches.open('pages-v4').then((cache) => cache.match(location.pathname)).then(Boolean)")
    assert page.errors == []
    page.context.set_offline(True)  # (the page's own script and style are not kept: they fail to load)
    try:
        page.reload()
        assert page.locator("h1").inner_text() == "Budget citoyen"  # the public copy, not the offline page
        assert_nothing_personal(page)
        assert "Se connecter" in page.content()
        page.goto("/aix-en-provence/")  # never visited: the offline page, kept when the worker started
        assert page.locator("h1").inner_text() == "Vous êtes hors ligne"
        assert_nothing_personal(page)
    finally:
        page.context.set_offline(False)


def test_copies_kept_by_the_previous_worker_are_dropped(page, live_server, rouen):
    """A copy the v1 worker kept (it could be personal) is deleted when the new worker starts."""
    budget, _projects = make_budget(rouen, amount=100)
    url = f"/rouen/participate/budgets/{budget.pk}/"
    page.goto("/static/core/app.css")  # same origin, no worker yet
    page.evaluate("""(url) => caches.open('pages-v1').then((cache) => cache.put(url,
        new Response('<h1>Budget citoyen</h1><p>Vous avez voté</p>', {headers: {'Content-Type': 'text/html'}})))""",
                  url)
    page.goto("/rouen/")
    page.wait_for_function(WORKER_IN_CONTROL)
    wait_until(page, "() => caches.has('pages-v1').then((has) => !has)")
    page.context.set_offline(True)
    try:
        page.goto(url)
        assert "Vous avez voté" not in page.content()
    finally:
        page.context.set_offline(False)
