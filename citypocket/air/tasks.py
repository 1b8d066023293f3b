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


@task
def refresh_air_after_ingest(city_id: int) -> str:
    """Recomputes a city's index of the day after new readings, which also checks for an episode."""
    from citypocket.air.services import on_readings_ingested
    from citypocket.cities.models import City

    city = City.objects.filter(pk=city_id).first()
    if city is None:
        return "no city"
    row = on_readings_ingested(city=city)
    return f"level {row.level}" if row is not None else "no index"
