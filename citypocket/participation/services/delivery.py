"""Sends participation notifications by e-mail: each one through the notification centre (theme
"participation", to that person only: their e-mail subscription, its quiet hours and one-click
unsubscribe), or in the participation daily digest.

Every e-mail is written in the language of its notifications (`Notification.language`, the
follower's), whatever language the worker or the cron job runs in.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.notifications.models import Theme
from citypocket.notifications.services import notify
from citypocket.participation.models import Notification, NotificationPreference


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def email_notifications(*, notification_ids: list[int]) -> dict[str, int]:
    """Hands each notification to the notification centre, for people without the daily digest;
    marks it e-mailed (the centre sends it once, whatever the number of calls)."""
    digest_users = set(NotificationPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True))
    sent = 0
    pending = (Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
               .select_related("user", "city"))
    for notification in pending:
        if notification.user_id in digest_users:
            continue
        with translation.override(notification.language):
            subject = _("News from a participation you follow")
        notify(theme=Theme.PARTICIPATION, city=notification.city, user=notification.user,
               key=f"participation:{notification.pk}",
               messages={notification.language: {"title": subject, "body": notification.message,
                                                 "url": notification.url}})
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
        # The digest speaks the language of the person's latest notification (their latest follow).
        with translation.override(notifications[-1].language):
            subject = _("Your daily participation digest")
        body = "\n\n".join(f"- {n.message}\n  {_site_url()}{n.url}" for n in notifications)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    return len(by_user)
