"""Periodic jobs of the notifications, enqueued by the clock (`citypocket clock`) and run by the worker."""

from collections import defaultdict

from crontask import cron
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from citypocket.notifications.models import Delivery, DeliveryStatus, Digest
from citypocket.notifications.sending import send_digest
from citypocket.notifications.tasks import enqueue_batches


@cron("* * * * *")
@task
def release_due_deliveries() -> dict:
    """Sends what quiet hours held back once they end, and the retries whose back-off is over."""
    now = timezone.now()
    held = Delivery.objects.filter(status=DeliveryStatus.HELD, next_attempt_at__lte=now)
    released = held.update(status=DeliveryStatus.PENDING)
    due = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .order_by("pk").values_list("pk", flat=True)[:50000])
    return {"released": released, "batches": enqueue_batches(due)}


def send_digests(digest: str) -> int:
    """One e-mail per subscription with `digest` listing what waits for it; the number sent."""
    waiting = defaultdict(list)
    rows = (Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscription__digest=digest,
                                    subscription__is_active=True)
            .select_related("notification", "subscription__user", "subscription__city").order_by("pk"))
    for delivery in rows:
        waiting[delivery.subscription_id].append(delivery)
    for deliveries in waiting.values():
        send_digest(deliveries[0].subscription, deliveries)
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=1)
    # A digest abandoned (digest switched off, subscription stopped) is sent as a normal notification.
    Delivery.objects.filter(status=DeliveryStatus.DIGEST).filter(
        Q(subscription__digest=Digest.NONE) | Q(subscription__isnull=True)).update(status=DeliveryStatus.PENDING)
    return len(waiting)


@cron("0 7 * * *")
@task
def send_daily_digests() -> int:
    return send_digests(Digest.DAILY)


@cron("0 7 * * Mon")
@task
def send_weekly_digests() -> int:
    return send_digests(Digest.WEEKLY)

