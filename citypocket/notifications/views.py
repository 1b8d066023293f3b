"""The notification centre (`/<city>/notifications/`): choose what to hear, see what was sent, stop it.

A signed-in person edits the preferences of their e-mail and of each of their devices; an anonymous
device reaches its own page by its secret token (`/<city>/notifications/device/<token>/`, the link
the push subscription answer gives). The one-click unsubscribe of every e-mail works without
signing in (RFC 8058: a POST without cookies from the mail client).
"""

import json
import uuid
from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from citypocket.accounts.middleware import session_used_mfa
from citypocket.audit.scope import acting_as
from citypocket.core.idempotency import idempotent_post
from citypocket.core.problems import DomainError
from citypocket.core.throttling import throttle_form_posts
from citypocket.core.views import resolve_city
from citypocket.notifications import cityalerts, selectors, services
from citypocket.notifications.forms import AlertForm, AlertUpdateForm, PreferencesForm, commune_choices
from citypocket.notifications.models import (
    AlertState,
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    Subscription,
    Theme,
)
from citypocket.notifications.sending import read_unsubscribe_token
from citypocket.officialfeeds.selectors import list_communes

INBOX_SHOWN = 50


def _initial(subscription: Subscription | None) -> dict:
    if subscription is None:
        return {"themes": [Theme.CITY_ALERTS], "language": get_language() or "fr", "digest": Digest.NONE}
    return {"themes": subscription.themes, "communes": subscription.communes, "language": subscription.language,
            "quiet_start": subscription.quiet_start, "quiet_end": subscription.quiet_end,
            "digest": subscription.digest, "event_categories": subscription.event_categories,
            "waste_zones": subscription.waste_zones}


def _save(subscription: Subscription, data: dict, *, active: bool = True) -> None:
    services.update_preferences(subscription, themes=data["themes"], language=data["language"],
                                communes=data["communes"], quiet_start=data["quiet_start"],
                                quiet_end=data["quiet_end"], digest=data["digest"],
                                event_categories=data["event_categories"], waste_zones=data["waste_zones"],
                                active=active)


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
    initial = _initial(email if email is not None else (devices[0] if devices else None))
    if subscriptions:  # the waste zones saved on any of them (the waste page saves them on each)
        initial["waste_zones"] = list(dict.fromkeys(zone for s in subscriptions for zone in s.waste_zones))
    form = PreferencesForm(request.POST or None, city=place, initial=initial)
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


def _area(alert, language: str, names: dict[str, str] | None = None) -> str:
    """Where an area-limited alert applies, for people (empty: the whole city)."""
    if alert.area_name:
        return alert.area_name
    if alert.communes:
        return ", ".join((names or {}).get(code, code) for code in alert.communes)
    return _("the area drawn on the map") if alert.polygon else ""


def _commune_names(alerts) -> dict[str, str]:
    """The names of the communes the alerts name without an area name (one query, only when needed)."""
    unnamed = [alert for alert in alerts if alert.communes and not alert.area_name]
    if not unnamed:
        return {}
    return {commune.code: commune.name for commune in list_communes(city=unnamed[0].city)}


def device_polygon(polygon) -> str:
    """A drawn area for the device-side filter of the banner: its rings as JSON, [lon, lat] rounded to
    about a metre (empty when none)."""
    if not polygon:
        return ""
    rings = [[[round(p[0], 5), round(p[1], 5)] for p in ring] for ring in polygon.get("coordinates", [])]
    return json.dumps(rings, separators=(",", ":"))


def banner_items(alerts, language: str) -> list[dict]:
    """The banner's alerts, each with its communes (INSEE codes, those its drawn area touches included;
    none: the whole city) and its drawn area, so that a device that saved its commune or its position
    hides what does not concern it (static/notifications/alerts-filter.js): the page itself stays the same for
    everyone, and cacheable."""
    names = _commune_names(alerts)
    items = []
    for alert in alerts:
        items.append({"headline": alert.text("headline", language), "severity": alert.severity,
                      "severity_label": alert.get_severity_display(), "area": _area(alert, language, names),
                      "communes": " ".join(cityalerts.area_communes(alert)),
                      # Only when drawing is the whole area: a commune ticked as well is reached anywhere.
                      "polygon": "" if alert.communes else device_polygon(alert.polygon),
                      "url": reverse("notifications:alert", kwargs={"city": alert.city.slug,
                                                                    "identifier": alert.identifier})})
    return items


def _alert_view(alert, language: str) -> dict:
    return {"alert": alert, "headline": alert.text("headline", language),
            "description": alert.text("description", language), "instruction": alert.text("instruction", language),
            "change_note": alert.text("change_note", language) if alert.version > 1 else "",
            "area": _area(alert, language, _commune_names([alert])),
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
        "communes": [(commune.code, commune.name) for commune in list_communes(city=place)],
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


# --- The staff desk: write, confirm, update and close alerts (/<city>/alerts/manage/) -------------


def second_factor_missing(request) -> str:
    """What a publisher still lacks before the staff desk: "enrol" (no authenticator app yet),
    "reauthenticate" (signed in without it), or "" — the back office's own rule (STAFF_MFA_REQUIRED)."""
    if not settings.STAFF_MFA_REQUIRED:
        return ""
    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return "enrol"
    return "" if session_used_mfa(request) else "reauthenticate"


def _staff_access(request, place):
    """None when the person may use the city's staff desk; otherwise the answer to give them."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if not cityalerts.may_publish(request.user, place):
        response = render(request, "notifications/staff_denied.html", {"city": place}, status=403)
        add_never_cache_headers(response)
        return response
    missing = second_factor_missing(request)
    if missing == "enrol":
        messages.info(request, _("Staff accounts need a second factor. Set up an authenticator app."))
        return redirect(reverse("mfa_activate_totp"))
    if missing:
        messages.info(request, _("Please sign in again with your authenticator code."))
        return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
    return None


def _alert_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in cityalerts.EDITABLE if name in form.cleaned_data}


def _form_error(form, error: DomainError) -> None:
    """A rule of `cityalerts` refused the alert: the message goes next to its field when it has one."""
    fields = [item.get("field") for item in (error.errors or []) if item.get("field") in form.fields]
    form.add_error(fields[0] if fields else None, str(error))


def _staff_row(alert, language: str, names: dict[str, str]) -> dict:
    return {"alert": alert, "headline": alert.text("headline", language),
            "area": alert.area_name or ", ".join(names.get(code, code) for code in alert.communes)
            or (_("the area drawn on the map") if alert.polygon else _("the whole city")),
            "url": reverse("notifications:manage_alert", kwargs={"city": alert.city.slug,
                                                                 "identifier": alert.identifier})}


def _staff_page(request, template: str, context: dict, *, status: int = 200):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # private, no-store: no shared cache, not kept by the service worker
    return response


@require_http_methods(["GET", "POST"])
@throttle_form_posts
@idempotent_post("notifications.alert")
def manage(request, city: str):
    """The staff desk: drafts waiting for a second confirmation, alerts in force, those over; and a new alert."""
    place = resolve_city(city)
    denied = _staff_access(request, place)
    if denied is not None:
        return denied
    language = get_language() or "fr"
    with timezone.override(place.zone):
        communes = commune_choices(place)
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = AlertForm(request.POST or None, communes=communes,
                         initial={"onset": now, "expires": now + timedelta(hours=12)})
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    alert = cityalerts.publish_alert(city=place, author=request.user, **_alert_fields(form))
            except DomainError as error:
                _form_error(form, error)
            else:
                if alert.state == AlertState.DRAFT:
                    messages.warning(request, _("Saved. A severe alert is sent once another staff member confirms it: "
                                                "ask a colleague to open this page."))
                else:
                    messages.success(request, _("The alert is published and being sent."))
                return redirect("notifications:manage_alert", city=place.slug, identifier=alert.identifier)
        names = dict(communes)
        groups = cityalerts.list_staff_alerts(city=place)
        return _staff_page(request, "notifications/manage.html", {
            "city": place, "form": form, "idempotency_key": uuid.uuid4(),
            "confirmation_needed": cityalerts.settings_of(place).severe_needs_confirmation,
            "drafts": [_staff_row(a, language, names) for a in groups["drafts"]],
            "current": [_staff_row(a, language, names) for a in groups["current"]],
            "closed": [_staff_row(a, language, names) for a in groups["closed"]],
        }, status=422 if form.errors else 200)


def _update_initial(alert) -> dict:
    initial = {name: getattr(alert, name) for name in cityalerts.EDITABLE}
    initial["polygon"] = json.dumps(alert.polygon) if alert.polygon else ""
    return initial


def _seen(request):
    """The draft's last change time as the confirming page showed it (None when absent or unreadable)."""
    try:
        return datetime.fromisoformat(request.POST.get("seen", ""))
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def manage_alert(request, city: str, identifier):
    """One alert on the staff desk: correct or confirm a draft (the confirmer is another staff member than
    its author and than whoever changed it last), update a published alert, close it."""
    place = resolve_city(city)
    denied = _staff_access(request, place)
    if denied is not None:
        return denied
    try:
        alert = cityalerts.get_staff_alert(city=place, identifier=identifier)
    except DomainError as error:
        raise Http404(str(error)) from error
    language = get_language() or "fr"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    with timezone.override(place.zone):
        communes = commune_choices(place)
        form = None
        if alert.state == AlertState.PUBLISHED:
            form = AlertUpdateForm(request.POST if action == "update" else None, communes=communes,
                                   initial=_update_initial(alert), prefix="update")
        elif alert.state == AlertState.DRAFT:  # the same form as a new alert, to correct it before it is sent
            form = AlertForm(request.POST if action == "edit" else None, communes=communes,
                             initial=_update_initial(alert), prefix="edit")
        done = ""
        try:
            with acting_as(request.user):
                if action == "confirm":
                    if not cityalerts.may_confirm(alert, request.user):
                        messages.error(request, _("You wrote or last changed this alert: another staff member "
                                                  "must confirm it."))
                    else:
                        cityalerts.confirm_alert(alert=alert, user=request.user, seen=_seen(request))
                        done = _("Alert confirmed: it is published and being sent.")
                elif action == "edit" and form is not None and form.is_valid():
                    cityalerts.edit_draft(alert=alert, user=request.user, **_alert_fields(form))
                    done = (_("Draft saved. Another staff member than you must now confirm it.")
                            if alert.state == AlertState.DRAFT else
                            _("Saved: this severity needs no confirmation, so the alert is published and being sent."))
                elif action == "close":
                    was_draft = alert.state == AlertState.DRAFT
                    cityalerts.close_alert(alert=alert, user=request.user)
                    done = _("Draft withdrawn: nothing was sent.") if was_draft else _(
                        "Alert closed: subscribers are told it is over.")
                elif action == "update" and form is not None and form.is_valid():
                    fields = _alert_fields(form)
                    cityalerts.update_alert(alert=alert, user=request.user,
                                            change_note_fr=form.cleaned_data["change_note_fr"],
                                            change_note_en=form.cleaned_data["change_note_en"], **fields)
                    done = _("Alert updated: subscribers receive what changed.")
        except DomainError as error:
            alert.refresh_from_db()  # the rules refused a change already made on the instance
            if form is not None and action in ("update", "edit"):
                _form_error(form, error)
            else:
                messages.error(request, _("This could not be done: %(reason)s") % {"reason": error})
        if done:
            messages.success(request, done)
            return redirect("notifications:manage_alert", city=place.slug, identifier=alert.identifier)
        if action and request.method == "POST" and not (form is not None and form.errors):
            return redirect("notifications:manage_alert", city=place.slug, identifier=alert.identifier)
        names = dict(communes)
        counts = dict(Delivery.objects.filter(notification__key__startswith=f"alert:{alert.identifier}:")
                      .values_list("status").annotate(n=Count("pk")).order_by())
        return _staff_page(request, "notifications/manage_alert.html", {
            "city": place, "row": _staff_row(alert, language, names), "alert": alert, "form": form,
            "commune_names": [names.get(code, code) for code in alert.communes],
            "polygon_json": json.dumps(alert.polygon) if alert.polygon else "",
            "may_confirm": cityalerts.may_confirm(alert, request.user), "seen": alert.updated_at.isoformat(),
            "wrote_it": alert.author_id == request.user.pk,
            "confirmation_needed": cityalerts.settings_of(place).severe_needs_confirmation,
            "counts": [(DeliveryStatus(status).label, n) for status, n in sorted(counts.items())],
            "manage_url": reverse("notifications:manage", kwargs={"city": place.slug}),
        }, status=422 if form is not None and form.errors else 200)
