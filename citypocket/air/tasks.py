"""Background tasks the air services enqueue after commit (they take ids, not objects).

They sit between `episodes`, which enqueues them, and `alerts`, whose sending they run, so that
the imports only go one way. The task an ingest listener enqueues lives in `listeners.py`.
"""

from django.tasks import task

from citypocket.air.alerts import deliver_alert
from citypocket.air.models import AirAlert


@task
def deliver_air_alert(alert_id: int) -> dict:
    """Hands one episode alert to the notification centre, which sends it to the theme's subscribers."""
    alert = AirAlert.objects.select_related("city").filter(pk=alert_id).first()
    if alert is None:
        return {"notification": None}
    return {"notification": deliver_alert(alert=alert).pk}
