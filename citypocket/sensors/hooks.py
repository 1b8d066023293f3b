"""What other apps do when new observations land: listeners called after the batch commits, and a
signal sent inside its transaction.

The sensors engine knows nothing of air quality or parking; an app that reacts to new readings
(the air app recomputes today's index and checks for an episode) registers a listener in its
AppConfig.ready(). Listeners run after commit, must be quick, and should hand heavy work to a task.

`readings_stored` is for the few writes that must commit or roll back with the readings (the air app
marks its stored "air now" out of date): its receivers run in the batch's transaction, so that one
that fails fails the batch, which is then stored by nobody; keep them to one small write.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

Listener = Callable[..., None]  # called as listener(city=City, properties=frozenset[str])

_listeners: dict[str, Listener] = {}

# Sent as readings_stored.send(sender=None, city=City, properties=frozenset[str]), in the transaction.
readings_stored = Signal()


def register_ingest_listener(name: str, listener: Listener) -> None:
    _listeners[name] = listener


def notify_after_commit(*, city, properties: frozenset[str]) -> None:
    """Sends `readings_stored` now, and schedules every listener for after the current transaction
    commits (now, outside one)."""
    if city is None or not properties:
        return
    readings_stored.send(sender=None, city=city, properties=properties)
    if not _listeners:
        return

    def run() -> None:
        for name, listener in list(_listeners.items()):
            try:
                listener(city=city, properties=properties)
            except Exception:  # a listener's failure never loses or fails the ingest
                logger.exception("ingest listener failed", extra={"listener": name})

    transaction.on_commit(run)
