"""The one limiter: windows, atomic counts shared by every process, one-time codes used once across
processes, and the client address taken from a proxy only when the proxy is declared."""

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client, RequestFactory

from citypocket.core import throttling
from citypocket.environment import Rate
from testsupport import PASSWORD, UserFactory, database_url, demo_city, enrol_totp, pin_now

ROOT = Path(__file__).resolve().parents[3]




def start_process(script: str, *args: str, **variables: str) -> subprocess.Popen:
    """A separate Python process with the platform's own settings, on the test database."""
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "citypocket.settings", "DATABASE_URL": database_url(),
           "SIMULATOR": "off", "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "ERROR", **variables}
    env.pop("REDIS_URL", None)  # the laptop's configuration: no Redis, the database cache
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def outputs(*processes: subprocess.Popen) -> list[str]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        results.append(out.strip())
    return results


# --- Windows ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_window_accepts_the_count_then_refuses_until_it_closes():
    """5/h: five requests pass, the sixth is refused with the time left in the window; an hour after
    the first request a new window opens."""
    rate, start = Rate(5, 3600), 1_800_000_000.0
    decisions = [throttling.consume("t:a", rate, now=start + i) for i in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[-1].retry_after == 3600 - 5
    assert throttling.consume("t:b", rate, now=start + 6).allowed  # another client has its own window
    # Stand in for the clock: the opened window's entry expires an hour after it opened.
    cache.delete("limit:t:a")
    assert throttling.consume("t:a", rate, now=start + 3600).allowed


@pytest.mark.django_db
def test_refused_requests_do_not_extend_the_wait():
    """Hammering a closed window does not push its end further away."""
    rate, start = Rate(2, 60), 1_800_000_000.0
    for i in range(2):
        assert throttling.consume("t:c", rate, now=start + i).allowed
    waits = [throttling.consume("t:c", rate, now=start + 10 + i).retry_after for i in range(20)]
    assert waits[0] == 50 and waits[-1] == 31


@pytest.mark.django_db
def test_form_limit_counts_per_account_and_api_limit_per_client(rouen, settings):
    """The same address: two accounts have two form windows; the anonymous API client has one."""
    settings.API_WRITE_RATE = "1/h"
    factory = RequestFactory(REMOTE_ADDR="192.0.2.10")
    first, second = factory.post("/"), factory.post("/")
    first.user, second.user = UserFactory(), UserFactory()
    assert throttling.FORM_WRITE.check(first).allowed and throttling.FORM_WRITE.check(second).allowed
    assert not throttling.FORM_WRITE.check(first).allowed
    assert throttling.API_WRITE.check(factory.post("/")).allowed
    assert not throttling.API_WRITE.check(factory.post("/")).allowed


# --- Atomic counts ------------------------------------------------------------------------------


def in_threads(work, count: int) -> None:
    """Runs `work` in `count` threads at once, each with its own database connection."""
    from django.db import connections

    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_counts_add_up_exactly():
    """8 threads x 25 counts on one key give 200: the database cache's increment is atomic."""
    assert throttling.count("t:concurrent", timeout=60) == 1

    def work():
        for _ in range(25):
            throttling.count("t:concurrent", timeout=60)

    in_threads(work, 8)
    assert throttling.count("t:concurrent", timeout=60) == 202


def test_a_client_pseudonym_changes_with_the_utc_day_and_the_limit(monkeypatch):
    """Keys of one address cannot be linked across days (UTC) or across limits, and never hold it."""
    request = RequestFactory(REMOTE_ADDR="192.0.2.44").get("/")
    paris = timezone(timedelta(hours=1))
    pin_now(monkeypatch, datetime(2026, 12, 2, 0, 30, tzinfo=paris))  # 1 December, 23:30 UTC
    late = throttling.client_fingerprint(request, purpose="read")
    pin_now(monkeypatch, datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC))
    assert throttling.client_fingerprint(request, purpose="read") == late  # the same UTC day
    assert throttling.client_fingerprint(request, purpose="write") != late
    pin_now(monkeypatch, datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    assert throttling.client_fingerprint(request, purpose="read") != late
    assert "192.0.2.44" not in late and len(late) == 32


def test_the_local_counts_keep_a_window_like_the_shared_cache():
    """The read limit's counters in the process (no Redis): the same windows as the shared cache's, a
    window's end opening the next one, and exact counts from threads."""
    rate, start = Rate(5, 3600), 1_800_000_000.0
    clock = [start]
    local = throttling.LocalCounts(max_entries=100, clock=lambda: clock[0])
    decisions = [throttling.consume("t:a", rate, now=start + i, store=local) for i in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[-1].retry_after == 3600 - 5
    assert throttling.consume("t:b", rate, now=start + 6, store=local).allowed
    clock[0] = start + 3600  # the window's entry has expired
    assert throttling.consume("t:a", rate, now=start + 3600, store=local).allowed
    assert [throttling.consume("t:a", rate, now=start + 3601, store=local).allowed for _ in range(5)] == [
        True] * 4 + [False]

    clock[0] = start
    assert local.add("t:n", 0, timeout=60) and not local.add("t:n", 5, timeout=60)  # a live key stays
    in_threads(lambda: [local.incr("t:n") for _ in range(500)], 8)
    assert local.get("t:n") == 4000
    clock[0] = start + 61
    assert local.get("t:n") is None
    with pytest.raises(ValueError):
        local.incr("t:n")


def test_full_local_counts_forget_expired_windows_first():
    """At the limit of entries the expired ones make room; when all are live, the oldest third goes."""
    clock = [1_000.0]
    local = throttling.LocalCounts(max_entries=6, clock=lambda: clock[0])
    for name in "abc":
        local.add(name, 1, timeout=10)
    clock[0] += 5
    for name in "def":
        local.add(name, 1, timeout=10)
    clock[0] += 6  # a, b and c have expired
    local.add("g", 1, timeout=10)
    assert sorted(local._cache) == ["d", "e", "f", "g"]
    local.add("h", 1, timeout=10)
    local.add("i", 1, timeout=10)
    local.add("j", 1, timeout=10)  # six live keys: d and e, the oldest, make room
    assert sorted(local._cache) == ["f", "g", "h", "i", "j"]


@pytest.mark.django_db
def test_the_database_cache_increment_keeps_the_expiry():
    """Counting does not stretch the life of an entry (Django's own incr resets it to the default)."""
    from citypocket.core.cache import DatabaseCache

    cache = caches["default"]
    assert isinstance(cache, DatabaseCache)
    cache.add("t:expiry", 0, timeout=3600)
    table = connection.ops.quote_name(cache.table_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s", [cache.make_key("t:expiry")])
        before = cursor.fetchone()[0]
        assert cache.incr("t:expiry") == 1 and cache.incr("t:expiry", 4) == 5 and cache.decr("t:expiry") == 4
        cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s", [cache.make_key("t:expiry")])
        assert cursor.fetchone()[0] == before
    with pytest.raises(ValueError):
        cache.incr("t:missing")


# --- Shared between processes -------------------------------------------------------------------

REPORTS = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR="203.0.113.5")
body = {"category": "verbal", "occurred_at": "2026-10-03T21:40:00+02:00", "place_name": "rue Jeanne-d'Arc"}
accepted = 0
for _ in range(int(sys.argv[1])):
    response = client.post("/api/v1/cities/rouen/safety/reports", data=json.dumps(body),
                           content_type="application/json")
    assert response.status_code in (201, 429), response.content
    accepted += response.status_code == 201
print(accepted)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_limit():
    """SAFETY_REPORT_RATE=5/h, no Redis: 30 reports from one address through two separate processes
    (two web workers) give exactly 5 reports, not 5 per process."""
    from citypocket.safety.models import HarassmentReport

    demo_city("rouen")
    processes = [start_process(REPORTS, "15", SAFETY_REPORT_RATE="5/h") for _ in range(2)]
    accepted = [int(out) for out in outputs(*processes)]
    assert sum(accepted) == 5, accepted
    assert HarassmentReport.objects.count() == 5


TOTP_CHECK = """
import sys
import django
django.setup()
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
print(TOTP(Authenticator.objects.get(pk=int(sys.argv[1]))).validate_code(sys.argv[2]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_totp_code_is_accepted_once_across_processes():
    """allauth marks a used TOTP code with `cache.add` on the default cache (allauth/mfa/totp/internal/auth.py):
    with the database cache, a second process (another web worker) refuses the code the first accepted."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = enrol_totp(UserFactory())
    if 30 - time.time() % 30 < 15:  # the code must stay valid while both processes start
        time.sleep(30 - time.time() % 30)
    code = format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), int(time.time() // 30)))
    processes = [start_process(TOTP_CHECK, str(authenticator.pk), code) for _ in range(2)]
    assert sorted(outputs(*processes)) == ["False", "True"]


# --- Client address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("depth", "forwarded", "address"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no declared proxy: the header is the client's own words
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client wrote 1.2.3.4; the proxy appended the rest
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # shorter than the chain: it did not come through the proxies
        (1, "", "10.0.0.2"),
    ],
)
def test_client_address_follows_the_declared_proxies(settings, depth, forwarded, address):
    """The Nth address from the right of X-Forwarded-For behind N trusted proxies, else REMOTE_ADDR; allauth's
    login limits and the sign-in defence see the same address, as its pseudonym."""
    from allauth.account.adapter import get_adapter

    from citypocket.accounts.defence import address_key

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = depth
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttling.client_address(request) == address
    direct = RequestFactory().get("/", REMOTE_ADDR=address)
    settings.TRUSTED_PROXY_COUNT = 0
    expected = address_key(direct)
    settings.TRUSTED_PROXY_COUNT = depth
    assert get_adapter(request).get_client_ip(request) == expected


def api_client(forwarded: str) -> Client:
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_behind_a_declared_proxy_each_forwarded_address_has_its_own_api_limit(rouen, settings):
    """Depth 1: one client over the read limit does not stop another behind the same proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_READ_RATE = "3/min"
    noisy = api_client("198.51.100.1")
    for _ in range(3):
        assert noisy.get("/api/v1/cities").status_code == 200
    assert noisy.get("/api/v1/cities").status_code == 429
    assert api_client("198.51.100.2").get("/api/v1/cities").status_code == 200


@pytest.mark.django_db
def test_without_a_declared_proxy_a_forged_header_does_not_escape_the_limit(rouen, settings):
    """Depth 0: a new X-Forwarded-For on every request is ignored; the peer's address is limited."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.API_READ_RATE = "3/min"
    statuses = [api_client(f"198.51.100.{i}").get("/api/v1/cities").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def sign_in(forwarded: str, email: str, password: str) -> bool:
    """A password sign-in through allauth's form from behind the proxy; True when it opened a session."""
    response = api_client(forwarded).post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code in (200, 302)
    return "_auth_user_id" in response.wsgi_request.session


@pytest.mark.django_db
def test_behind_a_declared_proxy_failed_logins_of_one_address_do_not_lock_out_another(settings):
    """Depth 1: 12 failed logins from one forwarded address; a resident behind the same proxy (another
    forwarded address) still signs in, while the attacker's address is refused."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    resident = UserFactory()
    assert not any(sign_in("198.51.100.66", f"victim{i}@example.org", "wrong password") for i in range(12))
    assert sign_in("203.0.113.20", resident.email, PASSWORD)


def test_rates_are_parsed_once_per_value():
    """The limiter reads the setting's string at each request through one cached parser."""
    assert throttling.rate_of("5/h") is throttling.rate_of("5/h") and throttling.rate_of("5/h") == Rate(5, 3600)


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table():
    """`migrate` (which `citypocket run` starts with) creates the database cache's table when it is missing."""
    from django.core.management import call_command

    table = caches["default"].table_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    assert table not in connection.introspection.table_names()
    call_command("migrate", verbosity=0, interactive=False)
    assert table in connection.introspection.table_names()
    assert throttling.count("t:after-migrate", timeout=60) == 1
