"""GDPR self-service: download my data, delete my account; and e-mail sign-up with verification."""

import json

import pytest
from django.core import mail
from django.test import Client

from citypocket.accounts.models import User
from citypocket.cities.models import Role, StaffMembership
from testsupport import PASSWORD, UserFactory, login, make_staff, rows_of

pytestmark = pytest.mark.django_db


def test_export_gives_the_account_and_staff_roles(rouen):
    """The JSON download holds the e-mail, language and the roles held, and is never cached."""
    user = make_staff(rouen, Role.EDITOR, user=UserFactory(email="alice@example.org"))
    client = login(Client(), user, mfa=False)
    response = client.get("/accounts/my-data/export.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    [account] = rows_of(data, "accounts.user")
    assert account["email"] == "alice@example.org" and account["language"] == "fr"
    [role] = rows_of(data, "cities.staffmembership")
    assert (role["city__slug"], role["role"]) == ("rouen", "editor")


def test_delete_account_needs_the_password_and_removes_everything(rouen):
    """A wrong password changes nothing; the right one deletes the account and its roles."""
    user = make_staff(rouen, Role.MODERATOR)
    client = login(Client(), user, mfa=False)
    wrong = client.post("/accounts/my-data/", {"password": "nope"})
    assert wrong.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    right = client.post("/accounts/my-data/", {"password": PASSWORD})
    assert right.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not StaffMembership.objects.filter(user_id=user.pk).exists()


def test_my_data_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get("/accounts/my-data/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sign_up_sends_a_verification_email_and_keeps_only_the_email(client):
    """Signing up asks for an e-mail and a password only, and mails a verification link."""
    response = client.post(
        "/accounts/signup/",
        {"email": "new.person@example.org", "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_unverified_account_cannot_sign_in_until_it_confirms(client):
    """With mandatory verification, signing in before confirming sends to the verification page."""
    UserFactory(email="pending@example.org", verified=False)
    response = client.post("/accounts/login/", {"login": "pending@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]


def test_password_reset_mails_a_link(client):
    """Password reset sends a reset link to a known address."""
    UserFactory(email="forgot@example.org")
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
