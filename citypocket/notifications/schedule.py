"""Periodic jobs of the notifications, enqueued by the clock (`citypocket clock`) and run by the worker."""

import logging
import uuid
from collections import defaultdict

from crontask import cron
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from citypocket.notifications.models import Channel, Delivery, DeliveryStatus, Digest
from citypocket.notifications.sending import CLAIM_LEASE, send_digest
from citypocket.notifications.tasks import enqueue_batches
from citypocket.notifications.waste import send_waste_reminders as remind_waste

logger = logging.getLogger(__name__)


@cron("* * * * *")
@task
def release_due_deliveries() -> dict:
    """Sends what quiet hours held back once they end, and the retries whose back-off is over.

    An e-mail held by quiet hours for a subscription with a digest joins the digest instead. Rows
    still `sending` after their claim's lease (a worker killed in the middle of a batch or a digest)
    are given back: an e-mail of a digest subscription to the digest, the others to the queue, with
    the attempt counted (a killed worker may have sent some of them: at least once, not at most once).
    """
    now = timezone.now()
    stranded = Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lte=now)
    stranded.filter(channel=Channel.EMAIL, subscription__digest__in=[Digest.DAILY, Digest.WEEKLY]).update(
        status=DeliveryStatus.DIGEST, next_attempt_at=None, error="claim lease over")
    stranded.update(status=DeliveryStatus.PENDING, attempts=F("attempts") + 1, error="claim lease over")
    held = Delivery.objects.filter(status=DeliveryStatus.HELD, next_attempt_at__lte=now)
    held.filter(channel=Channel.EMAIL, subscription__digest__in=[Digest.DAILY, Digest.WEEKLY]).update(
        status=DeliveryStatus.DIGEST, next_attempt_at=None)
    released = held.update(status=DeliveryStatus.PENDING)
    due = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .order_by("pk").values_list("pk", flat=True)[:50000])
    return {"released": released, "batches": enqueue_batches(due)}


def send_digests(digest: str) -> int:
    """One e-mail per subscription with `digest` (a person's e-mail in a city) holding everything
    that waits for it, whatever its theme; the number sent.

    Each subscription's rows are claimed first (`sending` with a claim id), so that two runs of the
    same digest never send it twice; a failed e-mail leaves them waiting for the next run.
    """
    waiting = defaultdict(list)
    rows = (Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscription__digest=digest,
                                    subscription__is_active=True)
            .order_by("subscription_id", "pk").values_list("subscription_id", "pk"))
    for subscription_id, pk in rows:
        waiting[subscription_id].append(pk)
    sent = 0
    for ids in waiting.values():
        claim = uuid.uuid4().hex
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DIGEST).update(
            status=DeliveryStatus.SENDING, error=claim, next_attempt_at=timezone.now() + CLAIM_LEASE)
        deliveries = list(Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, error=claim)
                          .select_related("notification", "subscription__user", "subscription__city")
                          .order_by("notification__theme", "notification__created_at", "pk"))
        if not deliveries:
            continue
        try:
            send_digest(deliveries[0].subscription, deliveries)
        except Exception as error:  # one person's failure must not stop the others' digests
            logger.warning("digest e-mail failed", extra={"error": type(error).__name__})
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(status=DeliveryStatus.DIGEST, error="",
                                                                              next_attempt_at=None)
            continue
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=1, error="", next_attempt_at=None)
        sent += 1
    # A digest abandoned (digest switched off) is sent as a normal notification by the minute sweep;
    # one whose subscription is gone has nobody to go to.
    Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscription__digest=Digest.NONE).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscription__isnull=True).update(
        status=DeliveryStatus.FAILED, error="subscription removed")
    return sent


@cron("0 7 * * *")
@task
def send_daily_digests() -> int:
    """Every morning at 7:00, the daily digest of each subscription that chose it."""
    return send_digests(Digest.DAILY)


@cron("0 7 * * Mon")
@task
def send_weekly_digests() -> int:
    """Mondays at 7:00, the weekly digest of each subscription that chose it."""
    return send_digests(Digest.WEEKLY)


@cron("0 * * * *")
@task
def send_waste_reminders() -> dict:
    """Every hour: the evening before a collection (18:00 city time, caught up until 22:00), a
    reminder to the subscriptions of each zone (`waste.py`; each zone, date and stream once)."""
    return remind_waste()
