"""Sends participation notifications through the notification centre (theme "participation", to
that person only): the centre sends each one by e-mail — alone, or in the person's daily or weekly
digest — and by push, with their quiet hours and one-click unsubscribe. Participation has no
sending code, and no digest, of its own.

Every message is written in the language of its notification (`Notification.language`, the
follower's), whatever language the worker runs in.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.notifications.models import Theme
from citypocket.notifications.services import notify
from citypocket.participation.models import Notification


def email_notifications(*, notification_ids: list[int]) -> dict[str, int]:
    """Hands each notification to the notification centre and marks it handed over (`emailed_at`);
    the centre sends it once, whatever the number of calls."""
    sent = 0
    pending = (Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
               .select_related("user", "city"))
    for notification in pending:
        with translation.override(notification.language):
            subject = _("News from a participation you follow")
        notify(theme=Theme.PARTICIPATION, city=notification.city, user=notification.user,
               key=f"participation:{notification.pk}",
               messages={notification.language: {"title": subject, "body": notification.message,
                                                 "url": notification.url}})
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return {"sent": sent}
