"""Accountability and follows: results progress, followers notified in-app and, after commit, by e-mail.

The e-mails leave through `tasks.deliver_participation_notifications`, which runs
`services/delivery.py` (unless the person chose the daily digest).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
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
from citypocket.participation.tasks import deliver_participation_notifications


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
