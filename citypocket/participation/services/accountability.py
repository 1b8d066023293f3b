"""Accountability and follows: results progress, followers notified in-app and, after commit, by e-mail.

Each follower hears in the language they used when they followed (`Follow.language`): the notice is
written once per language, and `tasks.deliver_participation_notifications` sends it through the
notification centre (see `services/delivery.py`): alone or in the digest the person chose there.
Following an item adds the "participation" theme to the person's e-mail subscription in the city.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from citypocket.notifications import services as notifications
from citypocket.notifications.models import Theme
from citypocket.participation.access import require_tier
from citypocket.participation.models import (
    ActionResult,
    Follow,
    Notification,
    Proposal,
    Tier,
)
from citypocket.participation.tasks import deliver_participation_notifications


def supported_language(language: str | None) -> str:
    """`language` if the site speaks it (settings.LANGUAGES, "en-gb" → "en"), else the default one."""
    try:
        return translation.get_supported_language_variant(language or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def follow(*, user, result: ActionResult | None = None, proposal: Proposal | None = None,
           language: str | None = None) -> Follow:
    """Follows a result or a proposal (idempotent); news will be written in `language`."""
    target = result or proposal
    require_tier(user=user, city=target.city, tier=Tier.ACCOUNT)
    lookup = {"result": result} if result is not None else {"proposal": proposal}
    language = supported_language(language)
    try:
        with transaction.atomic():
            followed, created = Follow.objects.get_or_create(
                user=user, **lookup, defaults={"city": target.city, "language": language})
    except IntegrityError:
        followed, created = Follow.objects.get(user=user, **lookup), False
    if not created and followed.language != language:  # following again in another language switches
        followed.language = language
        followed.save(update_fields=["language"])
    if created:
        notifications.ensure_email_theme(city=target.city, user=user, theme=Theme.PARTICIPATION, language=language)
    return followed


def unfollow(*, user, result: ActionResult | None = None, proposal: Proposal | None = None) -> None:
    target = result or proposal
    require_tier(user=user, city=target.city, tier=Tier.ACCOUNT)
    lookup = {"result": result} if result is not None else {"proposal": proposal}
    Follow.objects.filter(user=user, **lookup).delete()


def notify_followers(*, city, follows, render: Callable[[], str], url: str) -> list[Notification]:
    """One in-app notification per follower, written by `render()` in their language; handed to the
    notification centre after commit."""
    languages: dict[int, str] = {}
    for user_id, language in follows.order_by("created_at", "pk").values_list("user_id", "language"):
        languages[user_id] = language  # someone following twice hears in the language of the latest follow
    messages = {}
    for language in sorted(set(languages.values())):
        with translation.override(language):
            messages[language] = str(render())[:300]
    notifications = Notification.objects.bulk_create(
        [Notification(city=city, user_id=user_id, message=messages[language], language=language, url=url)
         for user_id, language in sorted(languages.items())])
    ids = [n.pk for n in notifications]
    if ids:
        transaction.on_commit(lambda: deliver_participation_notifications.enqueue(notification_ids=ids))
    return notifications


def announce_result_change(*, result: ActionResult) -> list[Notification]:
    """Tells the followers of a result, and of the proposals it comes from, about its new state."""
    def render() -> str:
        return _("%(title)s: %(status)s, %(progress)s %% done.") % {
            "title": result.title, "status": result.get_status_display(), "progress": result.progress}

    url = reverse("participation:result", kwargs={"city": result.city.slug, "result_id": result.pk})
    follows = Follow.objects.filter(result=result) | Follow.objects.filter(proposal__in=result.proposals.all())
    return notify_followers(city=result.city, follows=follows, render=render, url=url)


def announce_proposal_answer(*, proposal: Proposal) -> list[Notification]:
    def render() -> str:
        return _("The city answered the proposal \"%(title)s\": %(status)s.") % {
            "title": proposal.title, "status": proposal.get_answer_status_display()}

    url = reverse("participation:proposal", kwargs={"city": proposal.city.slug, "proposal_id": proposal.pk})
    return notify_followers(city=proposal.city, follows=Follow.objects.filter(proposal=proposal), render=render,
                            url=url)
