"""The city's agenda reaches the `events` theme: an event published, cancelled or postponed.

cityinfo's `Event` is watched by a `post_save` receiver (connected in apps.py). After the
transaction commits (the categories of an event are set after the event itself, in the same
transaction, by the admin and the agenda import), the event is read again and sent once through
`notify` with its categories: a subscription that chose categories hears it when one of them
matches; one without any chosen category hears every event. The key makes each change sent once:
`event:<id>:published` (saving it again sends nothing more), `event:<id>:<status>:<revision>` for a
cancellation or a postponement (postponed twice is two changes). Unpublished events and events that
are over send nothing; fixtures loaded raw neither.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from citypocket.cityinfo.models import Event, EventStatus
from citypocket.notifications.models import Notification, Theme
from citypocket.notifications.services import notify

CHANGES = {EventStatus.CANCELLED, EventStatus.POSTPONED}


def on_event_saved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    """post_save of Event: the notification is decided once the transaction commits."""
    if raw:
        return
    event_id = instance.pk
    transaction.on_commit(lambda: announce_event(event_id))


def _is_over(event: Event, now) -> bool:
    if event.rrule:
        return event.series_ends_at is not None and event.series_ends_at < now
    return event.ends_at < now


def _messages(event: Event, change: str) -> dict:
    messages = {}
    url = reverse("cityinfo:event", kwargs={"city": event.city.slug, "slug": event.slug})
    for language in ("fr", "en"):
        with translation.override(language):
            title = event.title(language)
            if change == EventStatus.CANCELLED:
                heading = _("Cancelled: %(title)s") % {"title": title}
            elif change == EventStatus.POSTPONED:
                heading = _("Postponed: %(title)s") % {"title": title}
            else:
                heading = _("New in the agenda: %(title)s") % {"title": title}
            when = formats.date_format(timezone.localtime(event.starts_at, event.city.zone), "DATETIME_FORMAT")
            place = event.venue.name if event.venue_id else event.location
            body = " · ".join(part for part in (when, place) if part)
        messages[language] = {"title": heading[:160], "body": body, "url": url}
    return messages


def announce_event(event_id: int) -> Notification | None:
    """Sends the event's publication, cancellation or postponement to the `events` theme (once)."""
    event = (Event.objects.select_related("city", "venue").prefetch_related("categories")
             .filter(pk=event_id).first())
    if event is None or not event.is_published or _is_over(event, timezone.now()):
        return None
    if event.status in CHANGES:
        change, key = event.status, f"event:{event.pk}:{event.status}:{event.sequence}"
    else:
        change, key = "published", f"event:{event.pk}:published"
    categories = ",".join(sorted(category.slug for category in event.categories.all()))
    return notify(theme=Theme.EVENTS, city=event.city, key=key, category=categories[:300],
                  messages=_messages(event, change))
