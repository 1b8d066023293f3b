"""Helpers for the browser tests: waiting on the service worker and Cache Storage.

Playwright's `wait_for_function` does not wait for a promise to settle: a promise is an object, so
it counts as true at once. Anything that answers with a promise (Cache Storage, `serviceWorker.ready`)
is polled here with `page.evaluate`, which does wait for it.
"""

import time

WORKER_IN_CONTROL = "() => navigator.serviceWorker.controller !== null"


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Polls an async page expression until it is true; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def kept_offline(path: str) -> str:
    """An expression true once the service worker holds a copy of `path`, in whichever of its caches."""
    return f"() => caches.match({path!r}, {{ignoreVary: true}}).then(Boolean)"
