"""Passwords hashed with Argon2 (older hashes upgraded at sign-in), and the person's sessions list."""

import ipaddress

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import make_password
from django.test import Client

from citypocket.accounts.models import User
from testsupport import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
PHONE = "Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 Chrome/142.0 Mobile Safari/537.36"


def sign_in(email: str, *, agent: str, address: str = "198.51.100.20") -> Client:
    client = Client(headers={"user-agent": agent}, REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def test_new_passwords_are_hashed_with_argon2():
    """A password set now is an Argon2id hash."""
    user = User.objects.create_user("anna@example.org", PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_a_pbkdf2_hash_still_signs_in_and_is_upgraded_to_argon2():
    """An account hashed before the switch signs in through allauth's view and leaves with Argon2;
    the new hash ends its other sessions once (Django ties sessions to the hash)."""
    user = UserFactory(email="old@example.org")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    elsewhere = Client()
    elsewhere.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    laptop = sign_in(user.email, agent=FIREFOX)
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert laptop.get("/accounts/my-data/").status_code == 200
    assert elsewhere.get("/accounts/my-data/").status_code == 302


@pytest.fixture
def fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_person_sees_their_two_sessions_and_ends_the_other(fast_hashes):
    """Signed in on a laptop and a phone, the person sees both browsers from the laptop; signing out
    everywhere else signs the phone out and keeps the laptop."""
    person = UserFactory(email="person@example.org")
    laptop = sign_in(person.email, agent=FIREFOX)
    phone = sign_in(person.email, agent=PHONE, address="192.0.2.44")
    other = sign_in(UserFactory(email="other@example.org").email, agent=PHONE)

    page = laptop.get("/accounts/sessions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert FIREFOX in html and PHONE in html
    assert html.count("<tr>") == 3  # the header row and two sessions: not the other person's
    assert "198.51.100.20" not in html and "192.0.2.44" not in html

    assert laptop.post("/accounts/sessions/").status_code == 302
    assert phone.get("/accounts/my-data/").status_code == 302  # sent to sign in
    assert laptop.get("/accounts/my-data/").status_code == 200
    assert other.get("/accounts/my-data/").status_code == 200
    assert UserSession.objects.filter(user=person).count() == 1


def test_sessions_keep_no_client_address(fast_hashes):
    """What usersessions stores in its address column is a pseudonym, not the address."""
    person = UserFactory(email="person@example.org")
    sign_in(person.email, agent=FIREFOX, address="198.51.100.20")
    session = UserSession.objects.get(user=person)
    assert session.ip != "198.51.100.20"
    assert ipaddress.ip_address(session.ip) in ipaddress.ip_network("2001:db8::/32")
    assert session.user_agent == FIREFOX


def test_last_seen_is_written_at_most_every_five_minutes(fast_hashes, monkeypatch):
    """Browsing keeps "last seen" without a write at every request."""
    from citypocket.accounts import middleware

    person = UserFactory(email="person@example.org")
    laptop = sign_in(person.email, agent=FIREFOX)
    laptop.get("/accounts/my-data/")
    first = UserSession.objects.get(user=person).last_seen_at
    laptop.get("/accounts/my-data/")
    assert UserSession.objects.get(user=person).last_seen_at == first
    monkeypatch.setattr(middleware, "SESSION_ACTIVITY_EVERY", 0)
    laptop.get("/accounts/my-data/")
    assert UserSession.objects.get(user=person).last_seen_at > first


def test_my_data_links_to_the_sessions(fast_hashes):
    """The account page leads to the sessions list."""
    laptop = sign_in(UserFactory(email="person@example.org").email, agent=FIREFOX)
    assert 'href="/accounts/sessions/"' in laptop.get("/accounts/my-data/").content.decode()
