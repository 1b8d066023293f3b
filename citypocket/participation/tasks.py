"""Background tasks of participation (they take ids, not objects).

`services/accountability.py` enqueues them after commit; they run `services/delivery.py`, which
imports neither, so that the imports only go one way.
"""

from django.tasks import task

from citypocket.participation.services.delivery import email_notifications


@task
def deliver_participation_notifications(notification_ids: list[int]) -> dict:
    """Hands each notification to the notification centre, which sends it to its person."""
    return email_notifications(notification_ids=notification_ids)
