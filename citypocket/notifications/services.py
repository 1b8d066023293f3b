"""The one door every capability sends through (`notify`), and subscriptions with their preferences.

`notify(theme=…, city=…, messages={"fr": {...}, "en": {...}}, …)` records a Notification and, after
commit, enqueues its fan-out (`tasks.fan_out_notification`): the worker makes one Delivery per
matching subscription and sends them in batches (`sending.py`), with retries and back-off.
"""

import contextlib
import ipaddress
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from citypocket.cities.models import City
from citypocket.cityinfo.selectors import list_categories
from citypocket.cityinfo.waste_models import WasteZone
from citypocket.core.problems import InvalidValues, NotFound
from citypocket.notifications.models import Channel, Digest, Notification, Severity, Subscription, Theme

LANGUAGES = ("fr", "en")


def normalise_language(language: str | None) -> str:
    return language if language in LANGUAGES else "fr"


# --- Sending -------------------------------------------------------------------------------------


def notify(*, theme: str, city: City, messages: dict[str, dict], key: str, severity: str = Severity.MINOR,
           communes: list[str] | None = None, category: str = "", user=None) -> Notification:
    """Sends `messages` (per language: title, body, url, …) to whoever wants `theme` in `city`.

    `communes` limits it to subscriptions of those communes (and to those without any commune, who
    want the whole city); `category` an event category; `user` to that one person. Idempotent on
    `key`: a second call with the same key returns the first notification and sends nothing more.
    """
    if theme not in Theme.values:
        raise ValueError(f"Unknown theme {theme!r}")
    if severity not in Severity.values:
        raise ValueError(f"Unknown severity {severity!r}")
    if not messages or any(not {"title", "body"} <= set(text) for text in messages.values()):
        raise ValueError("Every message needs a title and a body.")
    notification, created = Notification.objects.get_or_create(
        city=city, key=key[:120],
        defaults={"theme": theme, "severity": severity, "messages": messages, "communes": list(communes or []),
                  "category": category, "user": user},
    )
    if created:
        # Here, not at the top: tasks imports sending, which imports this module.
        from citypocket.notifications.tasks import fan_out_notification

        transaction.on_commit(lambda: fan_out_notification.enqueue(notification_id=notification.pk))
    return notification


# --- Subscriptions -------------------------------------------------------------------------------


def check_endpoint(endpoint: str) -> str:
    """A push endpoint we may post to: https on a public host (no IP literal of a private network)."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:  # "https://[…" (an unclosed IPv6 literal) and other unsplittable URLs
        raise InvalidValues("The push endpoint is not a URL.",
                            errors=[{"field": "endpoint", "message": "not a URL"}]) from None
    allow_local = bool(getattr(settings, "AIR_PUSH_ALLOW_LOCAL", False))
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        raise InvalidValues("The push endpoint must use https.", errors=[{"field": "endpoint", "message": "not https"}])
    if not host:
        raise InvalidValues("The push endpoint has no host.", errors=[{"field": "endpoint", "message": "no host"}])
    if not allow_local:
        private = host == "localhost" or host.endswith(".local") or host.endswith(".internal")
        with contextlib.suppress(ValueError):  # a host name, not an IP literal
            private = private or not ipaddress.ip_address(host).is_global
        if private:
            raise InvalidValues("The push endpoint must be on a public host.",
                                errors=[{"field": "endpoint", "message": "not a public host"}])
    return endpoint


def _add_theme(subscription: Subscription, theme: str | None) -> None:
    if theme and theme not in subscription.themes:
        subscription.themes = [*subscription.themes, theme]


def subscribe_email(*, city: City, user, language: str = "fr", theme: str | None = None) -> Subscription:
    """The signed-in person's e-mail subscription in `city` (made or re-activated), with `theme` added."""
    if not getattr(user, "is_authenticated", False) or not user.email:
        raise InvalidValues("Sign in with an e-mail address to receive alerts by e-mail.")
    subscription = Subscription.objects.filter(city=city, channel=Channel.EMAIL, user=user).first()
    if subscription is None:
        subscription = Subscription(city=city, channel=Channel.EMAIL, user=user, token=uuid.uuid4(), themes=[])
    subscription.is_active = True
    subscription.language = normalise_language(language)
    _add_theme(subscription, theme or Theme.CITY_ALERTS)
    subscription.save()
    return subscription


def ensure_email_theme(*, city: City, user, theme: str, language: str = "fr") -> Subscription | None:
    """Adds `theme` to the person's e-mail subscription in `city`, making it if there is none (in
    `language`); an existing subscription keeps its language and other choices. For a capability
    whose action is itself the wish to hear (following an item). None without an e-mail address."""
    if not getattr(user, "email", ""):
        return None
    subscription = Subscription.objects.filter(city=city, channel=Channel.EMAIL, user=user).first()
    if subscription is None:
        subscription = Subscription(city=city, channel=Channel.EMAIL, user=user, token=uuid.uuid4(), themes=[],
                                    language=normalise_language(language))
    elif not subscription.is_active:
        subscription.themes, subscription.is_active = [], True
    if theme in subscription.themes and subscription.pk:
        return subscription
    _add_theme(subscription, theme)
    subscription.is_active = True
    subscription.save()
    return subscription


def check_waste_zones(city: City, slugs: list[str]) -> list[str]:
    """`slugs` without repeats, each a waste collection zone of `city` (422 otherwise)."""
    slugs = list(dict.fromkeys(slugs))
    known = set(WasteZone.objects.filter(city=city, slug__in=slugs).values_list("slug", flat=True))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise InvalidValues("Unknown waste collection zone.",
                            errors=[{"field": "waste_zones", "message": ", ".join(unknown)[:200]}])
    return slugs


def _add_waste_zones(subscription: Subscription, zones: list[str]) -> None:
    """Adds the zones (already checked) and, with any, the `waste` theme."""
    if zones:
        subscription.waste_zones = list(dict.fromkeys([*subscription.waste_zones, *zones]))
        _add_theme(subscription, Theme.WASTE)


def subscribe_push(*, city: City, endpoint: str, p256dh: str, auth: str, language: str = "fr", user=None,
                   theme: str | None = None, waste_zones: list[str] | None = None) -> Subscription:
    """Records a browser's push subscription in `city`; idempotent on the endpoint, `theme` added,
    and `waste_zones` (slugs of the city's collection zones) added with the `waste` theme.

    Made while signed in, it belongs to that account (exported and erased with it); made
    anonymously, it belongs to nobody (a later anonymous subscription of the same endpoint leaves
    the account).
    """
    check_endpoint(endpoint)
    if not p256dh or not auth:
        raise InvalidValues("The push subscription lacks its keys.",
                            errors=[{"field": "keys", "message": "p256dh and auth are required"}])
    zones = check_waste_zones(city, waste_zones or [])
    owner = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            subscription = (Subscription.objects.select_for_update()
                            .filter(city=city, channel=Channel.WEBPUSH, endpoint=endpoint).first())
            if subscription is None:
                subscription = Subscription(city=city, channel=Channel.WEBPUSH, endpoint=endpoint,
                                            token=uuid.uuid4(), themes=[])
            subscription.p256dh, subscription.auth, subscription.user = p256dh, auth, owner
            subscription.language = normalise_language(language)
            subscription.is_active = True
            _add_theme(subscription, theme or Theme.CITY_ALERTS)
            _add_waste_zones(subscription, zones)
            subscription.save()
    except IntegrityError as error:  # pragma: no cover - a concurrent identical subscription
        raise InvalidValues("This subscription already exists.") from error
    return subscription


def remind_waste_zone(*, city: City, user, zone: str) -> list[Subscription]:
    """Adds the collection zone `zone` (and the `waste` theme) to every active subscription the
    signed-in person has in `city` (their e-mail and devices); those changed. None: nothing changes
    (the person turns notifications on in the centre first)."""
    zones = check_waste_zones(city, [zone])
    rows = list(Subscription.objects.filter(city=city, user=user, is_active=True).order_by("pk"))
    for subscription in rows:
        _add_waste_zones(subscription, zones)
        subscription.save(update_fields=["waste_zones", "themes"])
    return rows


def forget_waste_zone(*, city: City, user, zone: str) -> int:
    """Removes the collection zone from the person's subscriptions in `city`; how many changed."""
    changed = 0
    for subscription in Subscription.objects.filter(city=city, user=user).order_by("pk"):
        if zone in subscription.waste_zones:
            subscription.waste_zones = [slug for slug in subscription.waste_zones if slug != zone]
            subscription.save(update_fields=["waste_zones"])
            changed += 1
    return changed


def get_subscription(*, token) -> Subscription:
    subscription = Subscription.objects.filter(token=token).select_related("city").first()
    if subscription is None:
        raise NotFound("No subscription with this token.")
    return subscription


def unsubscribe(*, token, theme: str | None = None) -> Subscription:
    """Stops one theme of the subscription holding this secret token, or all of it (theme None)."""
    subscription = get_subscription(token=token)
    if theme is None:
        subscription.is_active = False
    else:
        subscription.themes = [item for item in subscription.themes if item != theme]
        subscription.is_active = bool(subscription.themes)
    subscription.save(update_fields=["is_active", "themes"])
    return subscription


def update_preferences(subscription: Subscription, *, themes: list[str], language: str, communes: list[str],
                       quiet_start=None, quiet_end=None, digest: str = Digest.NONE,
                       event_categories: list[str] | None = None, waste_zones: list[str] | None = None,
                       active: bool = True) -> Subscription:
    """Saves what the person chose in the notification centre for this subscription."""
    unknown = set(themes) - set(Theme.values)
    if unknown:
        raise InvalidValues("Unknown theme.", errors=[{"field": "themes", "message": ", ".join(sorted(unknown))}])
    if digest not in Digest.values:
        raise InvalidValues("Unknown digest.", errors=[{"field": "digest", "message": digest}])
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidValues("Quiet hours need a start and an end.",
                            errors=[{"field": "quiet_start", "message": "both or neither"}])
    known_communes = set(subscription.city.insee_codes or [])
    subscription.themes = [theme for theme in Theme.values if theme in themes]
    subscription.language = normalise_language(language)
    subscription.communes = [code for code in communes if code in known_communes]
    subscription.quiet_start, subscription.quiet_end = quiet_start, quiet_end
    subscription.digest = digest
    if event_categories is not None:  # None keeps the chosen categories (a caller that does not show them)
        known_categories = set(list_categories(city=subscription.city).values_list("slug", flat=True))
        subscription.event_categories = [slug for slug in dict.fromkeys(event_categories) if slug in known_categories]
    if waste_zones is not None:  # None keeps them; only zones of the city are kept
        known_zones = set(WasteZone.objects.filter(city=subscription.city).values_list("slug", flat=True))
        subscription.waste_zones = [slug for slug in dict.fromkeys(waste_zones) if slug in known_zones]
    subscription.is_active = active and bool(subscription.themes)
    subscription.save()
    return subscription


# --- Digests -------------------------------------------------------------------------------------


def _email_subscriptions_with(user, theme: str) -> list[Subscription]:
    rows = Subscription.objects.filter(user=user, channel=Channel.EMAIL, is_active=True).order_by("pk")
    return [subscription for subscription in rows if theme in subscription.themes]


def theme_digest(*, user, theme: str) -> str:
    """The digest of the person's active e-mail subscriptions that carry `theme`, in every city:
    the longest one they chose (weekly over daily over none); `none` without any."""
    chosen = {subscription.digest for subscription in _email_subscriptions_with(user, theme)}
    return next((digest for digest in (Digest.WEEKLY, Digest.DAILY) if digest in chosen), Digest.NONE)


def set_theme_digest(*, user, theme: str, digest: str) -> int:
    """Sets `digest` on every active e-mail subscription of the person that carries `theme` (the
    digest holds every theme of its subscription); the number changed."""
    if digest not in Digest.values:
        raise InvalidValues("Unknown digest.", errors=[{"field": "digest", "message": digest}])
    changed = [subscription for subscription in _email_subscriptions_with(user, theme)
               if subscription.digest != digest]
    for subscription in changed:
        subscription.digest = digest
    Subscription.objects.bulk_update(changed, ["digest"])
    return len(changed)
