"""Background tasks of the notifications (they take ids, not objects).

`services.notify` enqueues `fan_out_notification` after commit; it writes the deliveries
NOTIFICATIONS_BATCH_SIZE at a time and enqueues one `send_delivery_batch` after each write, so that
other workers send the first batches while the fan-out goes on, and several workers share a large
fan-out.
"""

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from citypocket.notifications.models import Delivery, DeliveryStatus, Notification
from citypocket.notifications.sending import create_deliveries, send_deliveries


def batch_size() -> int:
    return int(getattr(settings, "NOTIFICATIONS_BATCH_SIZE", 0) or 500)


def enqueue_batches(delivery_ids: list[int]) -> int:
    """One sending task per batch of `delivery_ids`; the number of tasks."""
    size = batch_size()
    batches = [delivery_ids[start:start + size] for start in range(0, len(delivery_ids), size)]
    for batch in batches:
        send_delivery_batch.enqueue(delivery_ids=batch)
    return len(batches)


@task
def fan_out_notification(notification_id: int) -> dict:
    """Makes the deliveries of one notification and enqueues their sending in batches."""
    notification = Notification.objects.select_related("city").filter(pk=notification_id).first()
    if notification is None:
        return {"matched": 0, "batches": 0}
    batches = 0

    def enqueue(delivery_ids: list[int]) -> None:
        nonlocal batches
        batches += enqueue_batches(delivery_ids)

    matched = create_deliveries(notification, batch_size=batch_size(), on_pending=enqueue)
    Notification.objects.filter(pk=notification.pk).update(fanned_out_at=timezone.now())
    return {"matched": matched, "batches": batches}


@task
def send_delivery_batch(delivery_ids: list[int]) -> dict:
    """Sends one batch; the failed ones are retried later (deferred task, or the minute sweep)."""
    counts = send_deliveries(delivery_ids)
    if counts["retry"] and default_task_backend.supports_defer:
        retry = list(Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING,
                                             next_attempt_at__isnull=False).values_list("pk", "next_attempt_at"))
        if retry:
            when = max(moment for _pk, moment in retry)
            send_delivery_batch.using(run_after=when).enqueue(delivery_ids=[pk for pk, _when in retry])
    return counts
