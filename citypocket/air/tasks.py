"""Background tasks of the air app (they take ids, not objects)."""

from django.tasks import task


@task
def deliver_air_alert(alert_id: int) -> dict:
    """Sends one episode alert to its city's subscribers."""
    from citypocket.air.alerts import deliver_alert
    from citypocket.air.models import AirAlert

    alert = AirAlert.objects.select_related("city").filter(pk=alert_id).first()
    if alert is None:
        return {"sent": 0, "failed": 0, "skipped": 0}
    return deliver_alert(alert=alert)
