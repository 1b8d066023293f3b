"""Background tasks of accounts (they take ids, not objects)."""

from django.tasks import task


@task
def send_sign_in_alert(user_id: int, kind: str, failures: int) -> None:
    """E-mails a staff member whose account is under a sign-in attack (defence.alert_staff_under_attack)."""
    from citypocket.accounts.defence import email_sign_in_alert

    email_sign_in_alert(user_id=user_id, kind=kind, failures=failures)
