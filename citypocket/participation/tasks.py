"""Background tasks of participation (they take ids, not objects)."""

from django.tasks import task


@task
def deliver_participation_notifications(notification_ids: list[int]) -> dict:
    """E-mails each notification to its person, unless they chose the daily digest."""
    from citypocket.participation.services.accountability import email_notifications

    return email_notifications(notification_ids=notification_ids)
