"""Waste reminders (`waste` theme): the evening before a collection, the subscriptions of that zone.

A subscription keeps only collection zones (`Subscription.waste_zones`, slugs of cityinfo's
`WasteZone`), never an address: a zone is a round shared by many addresses. The clock runs
`schedule.send_waste_reminders` every hour; a city whose local time is between `EVENING` and
`LATEST` (18:00 to 22:00) gets tomorrow's collections of each zone someone follows, one
notification per zone, date and stream (key `waste:<zone>:<date>:<stream>`), through `notify` —
so running again (the next hours, or twice) sends nothing more, and a clock that missed 18:00
catches up by 22:00. The dates are cityinfo's (`waste.zone_collections`: RRULE and French public
holidays, a collection moved off a holiday is reminded on the eve of its new date). A reminder is
Minor: quiet hours hold it like any non-severe notification.
"""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from citypocket.cities.models import City
from citypocket.cityinfo.waste import zone_collections
from citypocket.cityinfo.waste_models import Stream, WasteZone
from citypocket.notifications.models import Notification, Severity, Subscription, Theme
from citypocket.notifications.services import notify

EVENING, LATEST = time(18), time(22)


def followed_zones(city: City) -> set[str]:
    """The zone slugs the city's active subscriptions with the `waste` theme follow."""
    rows = Subscription.objects.filter(city=city, is_active=True).values_list("themes", "waste_zones")
    return {zone for themes, zones in rows.iterator(chunk_size=2000) if Theme.WASTE in themes for zone in zones}


def _messages(zone: WasteZone, item, url: str) -> dict:
    messages = {}
    for language in ("fr", "en"):
        with translation.override(language):
            stream = str(Stream(item.stream).label)
            title = _("Collection tomorrow: %(stream)s") % {"stream": stream}
            body = _("Put your bin out this evening (%(zone)s).") % {"zone": zone.name(language)}
            if item.moved:
                body += " " + _("Moved from %(day)s (public holiday).") % {
                    "day": formats.date_format(item.usual_day, "l j F")}
        messages[language] = {"title": title[:160], "body": body, "url": url}
    return messages


def remind_city(city: City, day) -> list[Notification]:
    """One notification per collection on `day` (a local date) in each zone of `city` someone follows."""
    zones = followed_zones(city)
    if not zones:
        return []
    sent = []
    for zone in WasteZone.objects.filter(city=city, slug__in=zones).prefetch_related("rules").order_by("slug"):
        url = reverse("cityinfo:waste_zone", kwargs={"city": city.slug, "zone": zone.slug})
        for item in zone_collections(zone, day, day + timedelta(days=1)):
            sent.append(notify(theme=Theme.WASTE, city=city, key=f"waste:{zone.slug}:{day.isoformat()}:{item.stream}",
                               category=zone.slug, severity=Severity.MINOR, messages=_messages(zone, item, url)))
    return sent


def send_waste_reminders(now: datetime | None = None) -> dict:
    """Tomorrow's collections for each city whose evening it is (18:00 to 22:00, city time)."""
    now = now or timezone.now()
    cities, notifications = 0, 0
    for city in City.objects.filter(waste_zones__isnull=False).distinct().order_by("pk"):
        local = now.astimezone(city.zone)
        if not EVENING <= local.time() < LATEST:
            continue
        cities += 1
        notifications += len(remind_city(city, local.date() + timedelta(days=1)))
    return {"cities": cities, "notifications": notifications}
