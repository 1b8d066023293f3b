"""Fixtures for the whole suite: demo cities, people, API client, and real Chromium."""

import os
import shutil
import threading

import pytest

from testsupport import UserFactory, demo_city

# Playwright's sync API runs an event loop in the test thread; the ORM calls that browser tests
# make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SIMULATOR = False
    settings.HOME_TILE_CACHE_SECONDS = 0  # tests change data between two views of a home
    settings.CITY_CACHE_SECONDS = 0  # each test makes its own cities, rolled back after it
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Every test that uses the database starts with an empty cache (rate-limit counters, used codes).

    Without Redis the cache is a table of the database (see settings.CACHES): a test's own entries
    are rolled back with its transaction, but transactional tests (live server, browser) commit
    theirs, and a flush of the database does not empty the cache's table.
    """
    # Imported here: the limiter's module reads settings, which pytest-django sets up after this file loads.
    from citypocket.core.throttling import local_counts

    local_counts.clear()  # the read limit's per-process counters (no Redis in tests)
    database = {"_django_db_helper", "db", "transactional_db", "live_server"} & set(request.fixturenames)
    if database or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _cache_outside_query_budgets(request, settings):
    """Query budgets (`django_assert_num_queries`) count the app's own queries. Without Redis the
    limiter's counters live in a database table and would add theirs, so these tests count in memory."""
    if {"django_assert_num_queries", "django_assert_max_num_queries"} & set(request.fixturenames):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": "query-budget"}}
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def rouen(db):
    return demo_city("rouen")


@pytest.fixture
def aix(db):
    return demo_city("aix-en-provence")


@pytest.fixture
def citizen(db):
    return UserFactory()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh French-speaking browser context; console errors are collected on `page.errors`."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, service_workers="allow")
    context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    new_page = context.new_page()
    new_page.errors = []
    new_page.on(
        "console",
        lambda msg: new_page.errors.append(msg.text)
        if msg.type == "error" and "tile" not in msg.text.lower()
        else None,
    )
    new_page.on("pageerror", lambda exc: new_page.errors.append(str(exc)))
    yield new_page
    context.close()
    _requests_finished()


class _InFlight:
    """The requests the live server has begun and not yet finished, from Django's own request signals.
    The live server answers in threads of this process; the test client's requests, answered in the
    test's own thread and finished before it goes on, are not counted."""

    def __init__(self) -> None:
        self.threads: set[int] = set()

    def started(self, **_kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.threads.add(threading.get_ident())

    def finished(self, **_kwargs) -> None:
        self.threads.discard(threading.get_ident())


_in_flight = _InFlight()


@pytest.fixture(scope="session", autouse=True)
def _count_requests_in_flight():
    from django.core.signals import request_finished, request_started

    request_started.connect(_in_flight.started, dispatch_uid="tests-in-flight-started")
    request_finished.connect(_in_flight.finished, dispatch_uid="tests-in-flight-finished")
    yield
    request_started.disconnect(dispatch_uid="tests-in-flight-started")
    request_finished.disconnect(dispatch_uid="tests-in-flight-finished")


def _requests_finished(timeout: float = 10) -> None:
    """Waits until the live server has finished the requests the closed page left running. On PostgreSQL
    a request still running in the server's thread holds its tables, and the flush that ends the test
    (TRUNCATE of every table) can deadlock with it (seen: the banner's read, a budget page's). Told by
    the requests themselves: the database's view (no query running) also shows a request between two
    of its queries as done."""
    import time

    deadline = time.monotonic() + timeout
    while _in_flight.threads and time.monotonic() < deadline:
        time.sleep(0.02)


def axe_violations(page) -> list[dict]:
    """Runs axe-core (WCAG 2.1 A/AA rules) in the page and returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    return results.response["violations"]


@pytest.fixture
def axe():
    return axe_violations


@pytest.fixture
def vapid(settings):
    """Web push switched on with a fresh VAPID key; local push endpoints allowed (the tests' push services)."""
    from py_vapid import Vapid02

    key = Vapid02()
    key.generate_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_pem().decode()
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:alerts@citypocket.example"
    settings.AIR_PUSH_ALLOW_LOCAL = True
    return key
