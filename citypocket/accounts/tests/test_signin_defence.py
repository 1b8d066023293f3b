"""Sign-in defence through allauth's real sign-in view: axes' budgets per account, per trusted client
address and per known device; staff alerts; no address stored."""

import ipaddress
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from citypocket.accounts.defence import address_key, client_address, is_device_key
from citypocket.accounts.devices import DEVICE_COOKIE
from citypocket.cities.models import Role
from testsupport import PASSWORD, UserFactory, make_staff

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
PERSON = "198.51.100.20"
PSEUDONYMS = ipaddress.ip_network("2001:db8::/32")


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    """The documented production set-up: one TLS proxy that appends the client to X-Forwarded-For.
    MD5 keeps the many failed attempts quick (the Argon2 tests set their own hashers)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client: Client, email: str, password: str = PASSWORD, *, address: str = PERSON):
    """One POST to allauth's sign-in view through the proxy (REMOTE_ADDR is the proxy's, 127.0.0.1)."""
    return client.post("/accounts/login/", {"login": email, "password": password},
                       headers={"x-forwarded-for": address})


def signed_in(client: Client) -> bool:
    return client.get("/accounts/my-data/").status_code == 200


def fail(times: int, email: str, *, address: str = ATTACKER, client: Client | None = None) -> None:
    client = client or Client()
    for _ in range(times):
        response = sign_in(client, email, "wrong password", address=address)
        assert response.status_code in (200, 429)


def test_failures_from_one_forwarded_address_do_not_block_a_sign_in_from_another():
    """Replay of the attack: 12 failed sign-ins from one client behind the proxy (on other accounts)
    used to lock everybody out, the proxy's address being counted; the person signs in."""
    person = UserFactory(email="person@example.org")
    for index in range(12):
        fail(1, f"guess{index}@example.org" if index % 2 else "someone@example.org")
    response = sign_in(Client(), person.email)
    assert response.status_code == 302
    client = Client()
    sign_in(client, person.email)
    assert signed_in(client)


def test_an_address_is_locked_after_fifty_failures_but_not_the_others(settings):
    """Per client address: the 50 failures of one client (any accounts) lock that client only; an
    address written by the client to the left of the proxy's entry is ignored."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "100/m/ip"}  # allauth's own: 30/m
    person = UserFactory(email="person@example.org")
    for index in range(50):
        fail(1, f"spray{index}@example.org")
    spoofing = sign_in(Client(), person.email, address=f"{PERSON}, {ATTACKER}")
    assert spoofing.status_code == 429
    assert spoofing["Retry-After"] == "900"
    assert sign_in(Client(), person.email, address=PERSON).status_code == 302


def test_an_account_is_locked_after_ten_failures_from_anywhere():
    """Per account: ten failures from ten addresses lock the account for new devices, whatever the
    case of the e-mail typed; the right password is then refused with the lockout page."""
    person = UserFactory(email="person@example.org")
    for index in range(10):
        fail(1, "Person@Example.org" if index % 2 else "person@example.org", address=f"192.0.2.{index + 1}")
    response = sign_in(Client(), person.email)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode() or "Trop" in response.content.decode()
    client = Client()
    sign_in(client, person.email)
    assert not signed_in(client)


def test_lockout_page_does_not_tell_whether_the_account_exists():
    """An account that does not exist is locked the same way and shows the same page."""
    UserFactory(email="person@example.org")
    fail(10, "person@example.org")
    fail(10, "nobody@example.org")
    known = sign_in(Client(), "person@example.org", address="192.0.2.50")
    unknown = sign_in(Client(), "nobody@example.org", address="192.0.2.50")
    assert known.status_code == unknown.status_code == 429

    def page(response):  # without the per-request nonce and CSRF token
        return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())

    assert page(known) == page(unknown)


def test_a_locked_account_still_signs_in_from_a_known_device():
    """Replay: a device that signed in before (valid device cookie) signs in with the right password
    while an attacker keeps the account locked; without the cookie the same sign-in is refused."""
    person = UserFactory(email="person@example.org")
    known = Client()
    assert sign_in(known, person.email).status_code == 302
    cookie = known.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 180 * 24 * 3600
    known.post("/accounts/logout/")
    assert not signed_in(known)

    fail(12, person.email)
    new_device = Client()
    assert sign_in(new_device, person.email).status_code == 429
    assert not signed_in(new_device)

    assert sign_in(known, person.email).status_code == 302
    assert signed_in(known)


def test_a_known_device_has_its_own_smaller_budget():
    """Five failures from a known device lock that device (even with the right password next) without
    locking the account for its owner elsewhere."""
    person = UserFactory(email="person@example.org")
    known = Client()
    sign_in(known, person.email)
    known.post("/accounts/logout/")
    fail(5, person.email, client=known, address=PERSON)
    assert sign_in(known, person.email).status_code == 429
    assert not signed_in(known)
    elsewhere = Client()
    assert sign_in(elsewhere, person.email, address="192.0.2.99").status_code == 302


def test_a_device_cookie_works_only_for_its_account_and_password(settings):
    """The cookie of one account gives nothing to another; a tampered cookie or one from before a
    password change is ignored; in production it is Secure."""
    settings.SESSION_COOKIE_SECURE = True
    person, other = UserFactory(email="person@example.org"), UserFactory(email="other@example.org")
    known = Client()
    sign_in(known, person.email)
    assert known.cookies[DEVICE_COOKIE]["secure"]
    known.post("/accounts/logout/")
    fail(10, other.email)
    assert sign_in(known, other.email).status_code == 429

    value = known.cookies[DEVICE_COOKIE].value
    fail(10, person.email)
    known.cookies[DEVICE_COOKIE] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert sign_in(known, person.email).status_code == 429

    known.cookies[DEVICE_COOKIE] = value
    person.set_password("a new long passphrase")
    person.save()
    assert sign_in(known, person.email, "a new long passphrase").status_code == 429
    assert not signed_in(known)


def test_no_client_address_or_typed_secret_is_stored():
    """axes keeps pseudonyms in 2001:db8::/32, never the address; the typed e-mail and password are
    masked in the recorded form data."""
    UserFactory(email="person@example.org")
    fail(3, "person@example.org")
    rows = list(AccessAttempt.objects.all())
    assert rows
    for row in rows:
        assert ipaddress.ip_address(row.ip_address) in PSEUDONYMS and not is_device_key(row.ip_address)
        assert ATTACKER not in row.post_data + row.get_data
        assert "wrong password" not in row.post_data and "person@example.org" not in row.post_data


def test_staff_account_is_emailed_on_a_burst_of_failures_and_when_locked(rouen, caplog,
                                                                        django_capture_on_commit_callbacks):
    """A city editor gets one e-mail at five failures and one when locked; no more while locked; the
    WARNING log line names the account by id, not the address."""
    editor = make_staff(rouen, Role.EDITOR, user=UserFactory(email="editor@example.org"))
    with caplog.at_level(logging.WARNING):
        for times, emails in ((4, 0), (1, 1), (5, 2), (3, 2)):
            with django_capture_on_commit_callbacks(execute=True):
                fail(times, editor.email)
            assert len(mail.outbox) == emails
    assert [message.to for message in mail.outbox] == [[editor.email], [editor.email]]
    assert "5" in mail.outbox[0].body
    assert "/accounts/password/change/" in mail.outbox[1].body
    alerts = [record for record in caplog.records if record.name == "citypocket.accounts.defence"]
    assert [record.levelname for record in alerts] == ["WARNING", "WARNING"]
    assert [record.account for record in alerts] == [editor.pk, editor.pk]
    for record in caplog.records:
        assert ATTACKER not in record.getMessage() and ATTACKER not in str(record.__dict__)


def test_superuser_is_alerted_and_a_resident_is_not(django_capture_on_commit_callbacks):
    """The superuser is staff too; an ordinary account gets no e-mail."""
    admin = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    resident = UserFactory(email="resident@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        fail(5, resident.email)
        fail(5, admin.email)
    assert [message.to for message in mail.outbox] == [[admin.email]]


def test_client_address_follows_the_declared_proxies(settings, rf):
    """Without a declared proxy X-Forwarded-For is ignored; with N proxies the Nth entry from the
    right counts; a header shorter than N is the peer's address."""
    request = rf.get("/", headers={"x-forwarded-for": f"{ATTACKER}, {PERSON}, 192.0.2.1"}, REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "192.0.2.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == PERSON
    settings.TRUSTED_PROXY_COUNT = 4
    assert client_address(request) == "10.0.0.2"


def test_address_key_is_a_pseudonym_per_ipv6_network(rf, settings):
    """The key names no address; two addresses of one IPv6 /64 share it, another /64 does not."""
    settings.TRUSTED_PROXY_COUNT = 0

    def key(address):
        return address_key(rf.get("/", REMOTE_ADDR=address))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9") != key("2001:db8:1:3::1")
    assert key(ATTACKER) == key(ATTACKER) != key(PERSON)
    assert ipaddress.ip_address(key(ATTACKER)) in PSEUDONYMS and ATTACKER not in key(ATTACKER)
    assert key("::ffff:203.0.113.7") == key(ATTACKER)
