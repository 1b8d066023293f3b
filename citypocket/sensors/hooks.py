"""What other apps do when new observations land: listeners called after the batch commits.

The sensors engine knows nothing of air quality or parking; an app that reacts to new readings
(the air app recomputes today's index and checks for an episode) registers a listener in its
AppConfig.ready(). Listeners run after commit, must be quick, and should hand heavy work to a task.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

Listener = Callable[..., None]  # called as listener(city=City, properties=frozenset[str])

_listeners: dict[str, Listener] = {}


def register_ingest_listener(name: str, listener: Listener) -> None:
    _listeners[name] = listener


def notify_after_commit(*, city, properties: frozenset[str]) -> None:
    """Schedules every listener for after the current transaction commits (now, outside one)."""
    if not _listeners or city is None or not properties:
        return

    def run() -> None:
        for name, listener in list(_listeners.items()):
            try:
                listener(city=city, properties=properties)
            except Exception:  # a listener's failure never loses or fails the ingest
                logger.exception("ingest listener failed", extra={"listener": name})

    transaction.on_commit(run)
