"""Reading notifications: a person's or a device's subscriptions and inbox, and the sending counts."""

from datetime import timedelta

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.core.problems import NotFound
from citypocket.notifications.models import (
    AlertState,
    Channel,
    CityAlert,
    Delivery,
    DeliveryStatus,
    Severity,
    Subscription,
)

SEVERITY_ORDER = Case(*(When(severity=value, then=Value(rank)) for rank, value in enumerate(Severity.values)),
                      default=Value(9), output_field=IntegerField())
SHOWN = (DeliveryStatus.SENT, DeliveryStatus.HELD, DeliveryStatus.DIGEST, DeliveryStatus.PENDING)


def list_person_subscriptions(*, user, city: City) -> QuerySet[Subscription]:
    return Subscription.objects.filter(city=city, user=user).order_by("channel", "pk")


def get_person_email_subscription(*, user, city: City) -> Subscription | None:
    return Subscription.objects.filter(city=city, user=user, channel=Channel.EMAIL).first()


def list_inbox(*, subscriptions) -> QuerySet[Delivery]:
    """What was sent (or is waiting) to these subscriptions, newest first, one line per notification."""
    return (Delivery.objects.filter(subscription__in=subscriptions, status__in=SHOWN)
            .select_related("notification").order_by("-notification__created_at", "-pk"))


def delivery_counts(*, notification) -> dict[str, int]:
    """How many deliveries of `notification` are in each status (every send is counted)."""
    rows = Delivery.objects.filter(notification=notification).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# --- City alerts ---------------------------------------------------------------------------------


def list_current_alerts(*, city: City | None = None, city_id_slug: str | None = None, now=None) -> QuerySet[CityAlert]:
    """Published alerts in force now or announced for later (not yet expired), the most severe first;
    of `city`, or of the active city with the slug `city_id_slug` (the banner knows only the URL)."""
    now = now or timezone.now()
    where = {"city": city} if city is not None else {"city__slug": city_id_slug, "city__is_active": True}
    rows = CityAlert.objects.filter(state=AlertState.PUBLISHED, expires__gt=now, **where).select_related("city")
    return rows.order_by(SEVERITY_ORDER, "-published_at")


def list_recent_alerts(*, city: City, days: int = 30) -> QuerySet[CityAlert]:
    """Published and closed alerts changed in the last `days` days, newest first (drafts never)."""
    since = timezone.now() - timedelta(days=days)
    return (CityAlert.objects.filter(city=city, state__in=[AlertState.PUBLISHED, AlertState.CLOSED],
                                     updated_at__gte=since).select_related("city").order_by("-updated_at"))


def get_public_alert(*, city: City, identifier) -> CityAlert:
    alert = (CityAlert.objects.filter(city=city, identifier=identifier)
             .exclude(state=AlertState.DRAFT).select_related("city").first())
    if alert is None:
        raise NotFound("No such alert in this city.")
    return alert
