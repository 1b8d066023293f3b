"""The notification centre (`/<city>/notifications/`): choose what to hear, see what was sent, stop it.

A signed-in person edits the preferences of their e-mail and of each of their devices; an anonymous
device reaches its own page by its secret token (`/<city>/notifications/device/<token>/`, the link
the push subscription answer gives). The one-click unsubscribe of every e-mail works without
signing in (RFC 8058: a POST without cookies from the mail client).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from citypocket.core.problems import DomainError
from citypocket.core.throttling import throttle_form_posts
from citypocket.core.views import resolve_city
from citypocket.notifications import selectors, services
from citypocket.notifications.forms import PreferencesForm
from citypocket.notifications.models import Channel, Digest, Subscription, Theme
from citypocket.notifications.sending import read_unsubscribe_token

INBOX_SHOWN = 50


def _initial(subscription: Subscription | None) -> dict:
    if subscription is None:
        return {"themes": [Theme.CITY_ALERTS], "language": get_language() or "fr", "digest": Digest.NONE}
    return {"themes": subscription.themes, "communes": subscription.communes, "language": subscription.language,
            "quiet_start": subscription.quiet_start, "quiet_end": subscription.quiet_end,
            "digest": subscription.digest}


def _save(subscription: Subscription, data: dict, *, active: bool = True) -> None:
    services.update_preferences(subscription, themes=data["themes"], language=data["language"],
                                communes=data["communes"], quiet_start=data["quiet_start"],
                                quiet_end=data["quiet_end"], digest=data["digest"], active=active)


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def centre(request, city: str):
    """My notifications: one set of preferences for the account, applied to its e-mail and devices."""
    place = resolve_city(city)
    subscriptions = []
    if request.user.is_authenticated:
        subscriptions = list(selectors.list_person_subscriptions(user=request.user, city=place))
    email = next((s for s in subscriptions if s.channel == Channel.EMAIL), None)
    devices = [s for s in subscriptions if s.channel == Channel.WEBPUSH]
    form = PreferencesForm(request.POST or None, city=place,
                           initial=_initial(email if email is not None else (devices[0] if devices else None)))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if form.is_valid():
            wants_email = request.POST.get("email") == "on"
            if wants_email and email is None:
                email = services.subscribe_email(city=place, user=request.user, language=form.cleaned_data["language"])
            if email is not None:
                _save(email, form.cleaned_data, active=wants_email)
            for device in devices:
                _save(device, form.cleaned_data, active=device.is_active)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:centre", city=place.slug)
    inbox = list(selectors.list_inbox(subscriptions=subscriptions)[:INBOX_SHOWN]) if subscriptions else []
    return render(request, "notifications/centre.html", {
        "city": place, "form": form, "email": email, "devices": devices, "inbox": _inbox_rows(inbox),
        "email_on": bool(email and email.is_active),
    })


def _inbox_rows(deliveries) -> list[dict]:
    seen, rows = set(), []
    for delivery in deliveries:
        if delivery.notification_id in seen:
            continue
        seen.add(delivery.notification_id)
        message = delivery.notification.message(get_language() or "fr")
        rows.append({"title": message["title"], "body": message["body"], "url": message.get("url", ""),
                     "created_at": delivery.notification.created_at, "status": delivery.get_status_display(),
                     "severity": delivery.notification.severity})
    return rows


def _device(place, token) -> Subscription:
    try:
        subscription = services.get_subscription(token=token)
    except DomainError as error:
        raise Http404(str(error)) from error
    if subscription.city_id != place.pk or subscription.channel != Channel.WEBPUSH:
        raise Http404("No such device.")
    return subscription


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def device(request, city: str, token):
    """The preferences and inbox of one device's push subscription (by its secret token, no account)."""
    place = resolve_city(city)
    subscription = _device(place, token)
    form = PreferencesForm(request.POST or None, city=place, initial=_initial(subscription))
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            services.unsubscribe(token=subscription.token)
            messages.success(request, _("This device will no longer receive notifications."))
            return redirect("notifications:device", city=place.slug, token=subscription.token)
        if form.is_valid():
            _save(subscription, form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:device", city=place.slug, token=subscription.token)
    inbox = list(selectors.list_inbox(subscriptions=[subscription])[:INBOX_SHOWN])
    return render(request, "notifications/device.html", {
        "city": place, "form": form, "subscription": subscription, "inbox": _inbox_rows(inbox)})


@require_http_methods(["POST"])
@throttle_form_posts
def stop_device(request, city: str, token):
    """Switches off one of the signed-in person's devices from the centre."""
    place = resolve_city(city)
    subscription = _device(place, token)
    if not request.user.is_authenticated or subscription.user_id != request.user.pk:
        raise Http404("No such device.")
    services.unsubscribe(token=subscription.token)
    messages.success(request, _("This device will no longer receive notifications."))
    return redirect("notifications:centre", city=place.slug)


@csrf_exempt  # RFC 8058: the mail client posts without cookies; the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request, city: str, signed: str):
    """One-click unsubscribe: GET shows a button (mail scanners follow links), POST unsubscribes."""
    place = resolve_city(city)
    token = read_unsubscribe_token(signed)
    subscription = Subscription.objects.filter(token=token, city=place).first() if token else None
    if subscription is None:
        raise Http404("Unknown or altered unsubscribe link.")
    done = False
    if request.method == "POST":
        services.unsubscribe(token=subscription.token)
        done = True
    return render(request, "notifications/unsubscribe.html",
                  {"city": place, "done": done or not subscription.is_active})


# --- City alerts pages ---------------------------------------------------------------------------


def _area(alert, language: str) -> str:
    """Where an area-limited alert applies, for people (empty: the whole city)."""
    if alert.area_name:
        return alert.area_name
    if alert.communes:
        return ", ".join(alert.communes)
    return _("the area drawn on the map") if alert.polygon else ""


def banner_items(alerts, language: str) -> list[dict]:
    items = []
    for alert in alerts:
        items.append({"headline": alert.text("headline", language), "severity": alert.severity,
                      "severity_label": alert.get_severity_display(), "area": _area(alert, language),
                      "url": reverse("notifications:alert", kwargs={"city": alert.city.slug,
                                                                    "identifier": alert.identifier})})
    return items


def _alert_view(alert, language: str) -> dict:
    return {"alert": alert, "headline": alert.text("headline", language),
            "description": alert.text("description", language), "instruction": alert.text("instruction", language),
            "change_note": alert.text("change_note", language) if alert.version > 1 else "",
            "area": _area(alert, language),
            "url": reverse("notifications:alert", kwargs={"city": alert.city.slug, "identifier": alert.identifier}),
            "cap_url": f"/api/v1/cities/{alert.city.slug}/alerts/{alert.identifier}/cap.xml"}


@require_http_methods(["GET"])
def alerts_page(request, city: str):
    """The city's alerts in force, and those of the last 30 days that are over."""
    place = resolve_city(city)
    language = get_language() or "fr"
    current = list(selectors.list_current_alerts(city=place))
    current_ids = {alert.pk for alert in current}
    past = [alert for alert in selectors.list_recent_alerts(city=place)[:20] if alert.pk not in current_ids]
    return render(request, "notifications/alerts.html", {
        "city": place, "current": [_alert_view(a, language) for a in current],
        "past": [_alert_view(a, language) for a in past],
        "feed_url": f"/api/v1/cities/{place.slug}/alerts/feed.atom",
    })


@require_http_methods(["GET"])
def alert_detail(request, city: str, identifier):
    place = resolve_city(city)
    try:
        alert = selectors.get_public_alert(city=place, identifier=identifier)
    except DomainError as error:
        raise Http404(str(error)) from error
    return render(request, "notifications/alert.html", {"city": place, **_alert_view(alert, get_language() or "fr")})


def tile_context(city) -> dict:
    """The city-home tile: how many alerts are in force, and the most severe one."""
    alerts = list(selectors.list_current_alerts(city=city)[:1])
    return {"alerts": banner_items(alerts, get_language() or "fr"),
            "count": selectors.list_current_alerts(city=city).count() if alerts else 0}


def offline_urls(city) -> list[str]:
    return [reverse("notifications:alerts", kwargs={"city": city.slug})]
