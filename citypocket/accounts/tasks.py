"""Background tasks of accounts (they take ids, not objects)."""

from django.tasks import task

from citypocket.accounts.alerts import email_sign_in_alert


@task
def send_sign_in_alert(user_id: int, kind: str, failures: int) -> None:
    """E-mails a staff member whose account is under a sign-in attack (defence.alert_staff_under_attack)."""
    email_sign_in_alert(user_id=user_id, kind=kind, failures=failures)
