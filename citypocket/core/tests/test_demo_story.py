"""The demo tells one true story: what `citypocket load_demo` (run by `make run`) leaves behind is
consistent, and the demo accounts of the README's "Try it" can sign in."""

import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from citypocket.accounts import demo as demo_accounts
from citypocket.cities.models import City, Role, StaffMembership
from citypocket.participation.models import ActionResult, Budget, Project, ResidentVerification
from citypocket.participation.models.budgets import BudgetStatus
from citypocket.safety import hotspots


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # laptop mode, as `make run`
    settings.SIMULATOR = "off"
    call_command("load_demo")
    call_command("load_demo")  # idempotent: a second run changes nothing that matters below


@pytest.mark.django_db
def test_editions_are_consistent_and_every_followed_result_won_a_past_edition(demo):
    for slug in ("rouen", "aix-en-provence"):
        results = list(ActionResult.objects.filter(city__slug=slug).prefetch_related("projects"))
        assert results, slug
        for result in results:
            projects = list(result.projects.all())
            assert projects, result.title
            for project in projects:
                budget = project.budget
                # A followed result is a winner of a budget whose result is published, not of the open vote.
                assert budget.status == BudgetStatus.PUBLISHED, (result.title, budget.title)
                assert budget.result.rows.get(project=project).selected
                assert budget.process == result.process
                assert budget.title[-4:] in result.description
        open_budgets = Budget.objects.filter(city__slug=slug, status=BudgetStatus.VOTING)
        assert open_budgets.count() == 1
        open_titles = set(Project.objects.filter(budget__in=open_budgets).values_list("title", flat=True))
        assert not open_titles & {r.title for r in results}
        assert all(p.description for p in Project.objects.filter(city__slug=slug))


@pytest.mark.django_db
def test_hotspots_of_a_past_month_are_published_above_the_threshold_in_both_cities(demo):
    for city in City.objects.filter(slug__in=("rouen", "aix-en-provence")):
        spots = hotspots.compute_hotspots(city=city)
        assert spots, city.slug
        assert all(spot.count >= hotspots.hotspot_k() for spot in spots)
        assert all(spot.month < f"{timezone.localdate():%Y-%m}" for spot in spots)
        response = Client().get(f"/api/v1/cities/{city.slug}/safety/hotspots")
        assert response.status_code == 200 and response.json()["features"], city.slug


@pytest.mark.django_db
def test_demo_accounts_sign_in_and_are_what_the_readme_says(demo, client):
    for email in (demo_accounts.CITIZEN_EMAIL, demo_accounts.RESIDENT_EMAIL):
        response = client.post("/accounts/login/", {"login": email, "password": demo_accounts.PASSWORD})
        assert response.status_code == 302, (email, response.content[:500])
        assert client.get("/accounts/email/").status_code == 200
        client.logout()
    resident = ResidentVerification.objects.filter(user__email=demo_accounts.RESIDENT_EMAIL)
    assert [v.city.slug for v in resident] == ["rouen"]
    assert not ResidentVerification.objects.filter(user__email=demo_accounts.CITIZEN_EMAIL).exists()
    editor = StaffMembership.objects.get(user__email=demo_accounts.EDITOR_EMAIL)
    assert (editor.city.slug, editor.role) == ("rouen", Role.EDITOR)
    # The editor signs in with the password, then a code made from the secret printed in the README.
    response = client.post("/accounts/login/", {"login": demo_accounts.EDITOR_EMAIL,
                                                "password": demo_accounts.PASSWORD})
    assert response.status_code == 302 and "2fa" in response["Location"], response.get("Location")
    code = f"{hotp_value(demo_accounts.EDITOR_TOTP_SECRET, int(time.time()) // 30):06d}"
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302, response.content[:800]
    assert client.get("/accounts/email/").status_code == 200


@pytest.mark.django_db
def test_no_demo_account_without_debug(db, settings):
    settings.DEBUG = False
    assert "no demo accounts" in demo_accounts.load_demo()
    assert not StaffMembership.objects.filter(user__email=demo_accounts.EDITOR_EMAIL).exists()
