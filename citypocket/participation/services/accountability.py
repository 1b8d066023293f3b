"""Accountability and follows: results progress, followers notified in-app and by e-mail (or digest)."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.participation.access import require_tier
from citypocket.participation.models import (
    ActionResult,
    Follow,
    Notification,
    NotificationPreference,
    Proposal,
    Tier,
)


def follow(*, user, result: ActionResult | None = None, proposal: Proposal | None = None) -> Follow:
    """Follows a result or a proposal (idempotent)."""
    target = result or proposal
    require_tier(user=user, city=target.city, tier=Tier.ACCOUNT)
    lookup = {"result": result} if result is not None else {"proposal": proposal}
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, **lookup, defaults={"city": target.city})[0]
    except IntegrityError:
        return Follow.objects.get(user=user, **lookup)


def unfollow(*, user, result: ActionResult | None = None, proposal: Proposal | None = None) -> None:
    target = result or proposal
    require_tier(user=user, city=target.city, tier=Tier.ACCOUNT)
    lookup = {"result": result} if result is not None else {"proposal": proposal}
    Follow.objects.filter(user=user, **lookup).delete()


def set_daily_digest(*, user, daily_digest: bool) -> NotificationPreference:
    require_tier(user=user, city=None, tier=Tier.ACCOUNT)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest})
    return preference


def notify_followers(*, city, follows, message: str, url: str) -> list[Notification]:
    """One in-app notification per follower; e-mails leave after commit (digest users wait)."""
    from citypocket.participation.tasks import deliver_participation_notifications

    user_ids = sorted(set(follows.values_list("user_id", flat=True)))
    notifications = Notification.objects.bulk_create(
        [Notification(city=city, user_id=user_id, message=message[:300], url=url) for user_id in user_ids])
    ids = [n.pk for n in notifications]
    if ids:
        transaction.on_commit(lambda: deliver_participation_notifications.enqueue(notification_ids=ids))
    return notifications


def announce_result_change(*, result: ActionResult) -> list[Notification]:
    """Tells the followers of a result, and of the proposals it comes from, about its new state."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(title)s: %(status)s, %(progress)s %% done.") % {
            "title": result.title, "status": result.get_status_display(), "progress": result.progress}
    url = reverse("participation:result", kwargs={"city": result.city.slug, "result_id": result.pk})
    follows = Follow.objects.filter(result=result) | Follow.objects.filter(proposal__in=result.proposals.all())
    return notify_followers(city=result.city, follows=follows, message=message, url=url)


def announce_proposal_answer(*, proposal: Proposal) -> list[Notification]:
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The city answered the proposal \"%(title)s\": %(status)s.") % {
            "title": proposal.title, "status": proposal.get_answer_status_display()}
    url = reverse("participation:proposal", kwargs={"city": proposal.city.slug, "proposal_id": proposal.pk})
    return notify_followers(city=proposal.city, follows=Follow.objects.filter(proposal=proposal), message=message,
                            url=url)


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def email_notifications(*, notification_ids: list[int]) -> dict[str, int]:
    """Sends each notification alone to people without the daily digest; marks it e-mailed."""
    digest_users = set(NotificationPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True))
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user")
    for notification in pending:
        if notification.user_id in digest_users:
            continue
        with translation.override(notification.user.language):
            subject = _("News from a participation you follow")
        send_mail(subject=subject, message=f"{notification.message}\n\n{_site_url()}{notification.url}",
                  from_email=None, recipient_list=[notification.user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return {"sent": sent}


def send_daily_digests(*, now=None) -> int:
    """One e-mail per digest user with what they have not been e-mailed in the last 7 days."""
    now = now or timezone.now()
    pending = (Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - timedelta(days=7),
                                           user__in=NotificationPreference.objects.filter(daily_digest=True)
                                           .values("user"))
               .select_related("user").order_by("created_at", "pk"))
    by_user = defaultdict(list)
    for notification in pending:
        by_user[notification.user].append(notification)
    for user, notifications in by_user.items():
        with translation.override(user.language):
            subject = _("Your daily participation digest")
        body = "\n\n".join(f"- {n.message}\n  {_site_url()}{n.url}" for n in notifications)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    return len(by_user)
