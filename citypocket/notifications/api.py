"""Notifications API: a city's alerts (JSON, CAP 1.2, Atom) and a device's push subscription."""

from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from ninja import Router
from ninja.responses import NinjaJSONEncoder

from citypocket.audit.scope import acting_as
from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public, enforce_csrf
from citypocket.core.idempotency import idempotent_post
from citypocket.core.params import CitySlug
from citypocket.core.problems import DomainError, PermissionDenied, responses
from citypocket.core.throttling import write_throttle
from citypocket.notifications import cap, cityalerts, selectors, services
from citypocket.notifications.cityalerts import alert_url
from citypocket.notifications.models import AlertState
from citypocket.notifications.schemas import (
    AlertChangeIn,
    AlertIn,
    AlertList,
    AlertOut,
    DeviceSubscriptionIn,
    DeviceSubscriptionOut,
    StaffAlertList,
    StaffAlertOut,
    VapidKeyOut,
)
from citypocket.notifications.sending import vapid_public_key
from citypocket.notifications.views import second_factor_missing

router = Router(tags=["alerts"])


def _language(request: HttpRequest, lang: str | None) -> str:
    return lang or getattr(request, "LANGUAGE_CODE", "fr") or "fr"


def alert_out(alert, language: str) -> dict:
    with translation.override(language):
        kind_label = str(alert.get_kind_display())
    return {
        "identifier": str(alert.identifier), "kind": alert.kind, "kind_label": kind_label,
        "severity": alert.severity, "state": alert.state, "headline": alert.text("headline", language),
        "description": alert.text("description", language), "instruction": alert.text("instruction", language),
        "area_name": alert.area_name, "communes": alert.communes, "polygon": alert.polygon, "onset": alert.onset,
        "area_communes": cityalerts.area_communes(alert),
        "expires": alert.expires, "version": alert.version, "published_at": alert.published_at,
        "updated_at": alert.updated_at, "closed_at": alert.closed_at, "url": alert_url(alert),
        "cap_url": f"/api/v1/cities/{alert.city.slug}/alerts/{alert.identifier}/cap.xml",
    }


@router.get(
    "/cities/{city}/alerts",
    response=responses({200: AlertList}, 404, 422),
    operation_id="list_city_alerts",
    summary="The city's alerts: those in force now, or also the closed and expired ones of the last 30 days",
)
@cache_public(max_age=30)
def list_city_alerts(request: HttpRequest, city: CitySlug, state: Literal["current", "recent"] = "current",
                     lang: Literal["fr", "en"] | None = None):
    place = get_city(slug=city)
    rows = selectors.list_current_alerts(city=place) if state == "current" else selectors.list_recent_alerts(city=place)
    items = [alert_out(alert, _language(request, lang)) for alert in rows]
    return {"count": len(items), "items": items}


@router.get(
    "/cities/{city}/alerts/feed.atom",
    response=responses({200: str}, 404),
    operation_id="get_city_alerts_feed",
    summary="The city's alerts of the last 30 days as an Atom feed, each entry linking to its CAP 1.2 message",
    openapi_extra={"responses": {200: {"content": {cap.ATOM_MEDIA_TYPE: {"schema": {"type": "string"}}}}}},
)
@cache_public(max_age=30)
def get_city_alerts_feed(request: HttpRequest, city: CitySlug, lang: Literal["fr", "en"] | None = None):
    place = get_city(slug=city)
    body = cap.atom_feed(place, selectors.list_recent_alerts(city=place), language=_language(request, lang))
    return HttpResponse(body, content_type=f"{cap.ATOM_MEDIA_TYPE}; charset=utf-8")


@router.get(
    "/cities/{city}/alerts/{identifier}",
    response=responses({200: AlertOut}, 404, 422),
    operation_id="get_city_alert",
    summary="One published alert of the city",
)
@cache_public(max_age=30)
def get_city_alert(request: HttpRequest, city: CitySlug, identifier: UUID, lang: Literal["fr", "en"] | None = None):
    place = get_city(slug=city)
    return alert_out(selectors.get_public_alert(city=place, identifier=identifier), _language(request, lang))


@router.get(
    "/cities/{city}/alerts/{identifier}/cap.xml",
    response=responses({200: str}, 404, 422),
    operation_id="get_city_alert_cap",
    summary="One alert as a CAP 1.2 (OASIS Common Alerting Protocol) message, French and English",
    openapi_extra={"responses": {200: {"content": {cap.CAP_MEDIA_TYPE: {"schema": {"type": "string"}}}}}},
)
@cache_public(max_age=30)
def get_city_alert_cap(request: HttpRequest, city: CitySlug, identifier: UUID):
    place = get_city(slug=city)
    alert = selectors.get_public_alert(city=place, identifier=identifier)
    return HttpResponse(cap.cap_xml(alert), content_type=f"{cap.CAP_MEDIA_TYPE}; charset=utf-8")


@router.get(
    "/notifications/vapid-public-key",
    response=responses({200: VapidKeyOut}),
    operation_id="get_notifications_vapid_key",
    summary="The VAPID application server key browsers subscribe to web push with (empty when push is off)",
)
def get_notifications_vapid_key(request: HttpRequest):
    return {"public_key": vapid_public_key()}


@router.post(
    "/cities/{city}/notifications/push-subscriptions",
    response=responses({201: DeviceSubscriptionOut}, 403, 404, 422, 429),
    operation_id="subscribe_device_to_notifications",
    summary="Subscribe a browser (web push) to the city's notifications of the chosen themes",
    description=(
        "Body: the browser's PushSubscription JSON plus `language` and `themes` (default: city alerts), and "
        "`waste_zones` for the waste reminders (collection zones, never an address). The "
        "answer's `token` opens the device's settings page (`settings_url`: themes, communes, quiet hours) and "
        "unsubscribes it (DELETE /notifications/subscriptions/{token}); keep it. Made while signed in "
        "(session), the subscription belongs to the account and the request needs the CSRF token."
    ),
    throttle=write_throttle(),
)
def subscribe_device_to_notifications(request: HttpRequest, city: CitySlug, payload: DeviceSubscriptionIn):
    place = get_city(slug=city)
    if request.user.is_authenticated:
        enforce_csrf(request)
    subscription = None
    for theme in payload.themes or ["city_alerts"]:
        subscription = services.subscribe_push(city=place, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
                                               auth=payload.keys.auth, language=payload.language,
                                               user=request.user, theme=theme, waste_zones=payload.waste_zones)
    settings_url = reverse("notifications:device", kwargs={"city": place.slug, "token": subscription.token})
    return 201, {"token": str(subscription.token), "city": place.slug, "language": subscription.language,
                 "themes": subscription.themes, "waste_zones": subscription.waste_zones,
                 "settings_url": settings_url}


@router.delete(
    "/notifications/subscriptions/{token}",
    response=responses({204: None}, 404, 422, 429),
    operation_id="unsubscribe_notifications",
    summary="Stop every notification of a subscription (by its secret token)",
    throttle=write_throttle(),
)
def unsubscribe_notifications(request: HttpRequest, token: UUID):
    services.unsubscribe(token=token)
    return 204, None


# --- The staff desk: publish, confirm, update and close (safety officers and city administrators) ---

STAFF_AUTH = (
    " Staff only: a safety officer or administrator of the city, signed in (session) with the second factor the "
    "back office requires; writes need the CSRF token (header X-CSRFToken). The rules are the staff desk's: a "
    "Severe or Extreme alert stays a draft until another publisher than its author confirms it (unless the "
    "city turned that off)."
)


def _publisher(request: HttpRequest, place) -> None:
    if not request.user.is_authenticated:
        raise cityalerts.SignInRequired("Sign in with a staff account of this city.")
    if not cityalerts.may_publish(request.user, place):
        raise PermissionDenied("Publishing city alerts needs the safety officer or city administrator role.")
    if second_factor_missing(request):
        raise cityalerts.SecondFactorRequired("Sign in with your second factor (authenticator app) first.")


def staff_alert_out(alert, user) -> dict:
    now = timezone.now()
    return {
        "identifier": str(alert.identifier), "kind": alert.kind, "severity": alert.severity, "state": alert.state,
        "in_force": alert.state == AlertState.PUBLISHED and alert.expires > now,
        "needs_confirmation": alert.state == AlertState.DRAFT, "written_by_you": alert.author_id == user.pk,
        "may_confirm": cityalerts.may_confirm(alert, user), "area_communes": cityalerts.area_communes(alert),
        **{name: getattr(alert, name) for name in cityalerts.EDITABLE},
        "version": alert.version, "change_note_fr": alert.change_note_fr, "change_note_en": alert.change_note_en,
        "created_at": alert.created_at, "published_at": alert.published_at, "closed_at": alert.closed_at,
        "url": reverse("notifications:manage_alert", kwargs={"city": alert.city.slug, "identifier": alert.identifier}),
        "public_url": alert_url(alert),
    }


@router.get(
    "/cities/{city}/staff/alerts",
    response=responses({200: StaffAlertList}, 401, 403, 404, 422),
    operation_id="list_staff_city_alerts",
    summary="The city's alerts as its staff see them: drafts waiting for a confirmation, in force, over",
    description="Drafts first, then the alerts in force, then those closed or expired in the last 30 days."
                + STAFF_AUTH,
)
def list_staff_city_alerts(request: HttpRequest, city: CitySlug):
    place = get_city(slug=city)
    _publisher(request, place)
    groups = cityalerts.list_staff_alerts(city=place)
    items = [staff_alert_out(alert, request.user) for name in ("drafts", "current", "closed") for alert in groups[name]]
    return {"count": len(items), "items": items}


@router.post(
    "/cities/{city}/staff/alerts",
    response=responses({201: StaffAlertOut}, 400, 401, 403, 404, 409, 422, 429),
    operation_id="create_city_alert",
    summary="Publish a city alert (a severe one waits for a second staff member's confirmation)",
    description=(
        "Answers 201 with the alert: `published` (sent at once by web push and e-mail) or `draft` (Severe or "
        "Extreme: confirm it with POST …/confirmation as another publisher). Unknown communes, a polygon that "
        "is not a closed GeoJSON Polygon, or an end before the start answer 422 and nothing is written. An "
        "`Idempotency-Key` header (a UUID) makes a retry answer the first answer again instead of publishing "
        "twice." + STAFF_AUTH
    ),
    throttle=write_throttle(),
)
@idempotent_post("notifications.alert.api")
def create_city_alert(request: HttpRequest, city: CitySlug, payload: AlertIn):
    place = get_city(slug=city)
    _publisher(request, place)
    enforce_csrf(request)
    with acting_as(request.user):
        alert = cityalerts.publish_alert(city=place, author=request.user, **payload.dict())
    # An HttpResponse, so that the idempotency key keeps this very answer for a retry.
    body = StaffAlertOut(**staff_alert_out(alert, request.user)).dict()
    return JsonResponse(body, status=201, encoder=NinjaJSONEncoder)


def _staff_alert(request: HttpRequest, city: str, identifier: UUID):
    place = get_city(slug=city)
    _publisher(request, place)
    return cityalerts.get_staff_alert(city=place, identifier=identifier)


@router.get(
    "/cities/{city}/staff/alerts/{identifier}",
    response=responses({200: StaffAlertOut}, 401, 403, 404, 422),
    operation_id="get_staff_city_alert",
    summary="One alert of the city, drafts included, both languages",
    description="Another city's alert is 404." + STAFF_AUTH,
)
def get_staff_city_alert(request: HttpRequest, city: CitySlug, identifier: UUID):
    return staff_alert_out(_staff_alert(request, city, identifier), request.user)


@router.patch(
    "/cities/{city}/staff/alerts/{identifier}",
    response=responses({200: StaffAlertOut}, 400, 401, 403, 404, 409, 422, 429),
    operation_id="update_city_alert",
    summary="Correct a draft, or update a published alert (a new version, sent with what changed)",
    description=(
        "Only the fields sent change. A published alert: `change_note_fr` and `change_note_en` say what changed "
        "and are sent to subscribers (\"Alert updated: …\"); without them 422. A draft waiting for its "
        "confirmation: corrected as it is, nothing sent, the notes are not taken; after the correction, the "
        "confirmation must come from another publisher than its author and than the one who corrected it (a "
        "correction to a severity that needs no confirmation publishes it at once). A closed alert answers "
        "409; invalid values 422, nothing written." + STAFF_AUTH
    ),
    throttle=write_throttle(),
)
def update_city_alert(request: HttpRequest, city: CitySlug, identifier: UUID, payload: AlertChangeIn):
    alert = _staff_alert(request, city, identifier)
    enforce_csrf(request)
    fields = payload.dict(exclude_unset=True)
    notes = {"change_note_fr": fields.pop("change_note_fr", ""), "change_note_en": fields.pop("change_note_en", "")}
    fields = {name: value for name, value in fields.items() if value is not None or name == "polygon"}
    with acting_as(request.user):
        try:
            if alert.state == AlertState.DRAFT:
                alert = cityalerts.edit_draft(alert=alert, user=request.user, **fields)
            else:
                alert = cityalerts.update_alert(alert=alert, user=request.user, **notes, **fields)
        except DomainError:
            alert.refresh_from_db()  # the instance was changed before the rules refused it
            raise
    return staff_alert_out(alert, request.user)


def _staff_step(request: HttpRequest, city: str, identifier: UUID, step) -> dict:
    """One step of an alert's life that takes no body (confirm, close), as its publisher asked it."""
    alert = _staff_alert(request, city, identifier)
    enforce_csrf(request)
    with acting_as(request.user):
        alert = step(alert=alert, user=request.user)
    return staff_alert_out(alert, request.user)


@router.post(
    "/cities/{city}/staff/alerts/{identifier}/confirmation",
    response=responses({200: StaffAlertOut}, 401, 403, 404, 409, 422, 429),
    operation_id="confirm_city_alert",
    summary="Confirm a severe alert as the second staff member: it is published and sent",
    description="Its author cannot confirm it, nor the publisher who corrected the draft last (403); an alert "
                "that is not a draft answers 409." + STAFF_AUTH,
    throttle=write_throttle(),
)
def confirm_city_alert(request: HttpRequest, city: CitySlug, identifier: UUID):
    return _staff_step(request, city, identifier, cityalerts.confirm_alert)


@router.post(
    "/cities/{city}/staff/alerts/{identifier}/closure",
    response=responses({200: StaffAlertOut}, 401, 403, 404, 422, 429),
    operation_id="close_city_alert",
    summary="Close an alert (subscribers are told it is over) or withdraw a draft (nothing was sent)",
    description="Closing a closed alert changes nothing." + STAFF_AUTH,
    throttle=write_throttle(),
)
def close_city_alert(request: HttpRequest, city: CitySlug, identifier: UUID):
    return _staff_step(request, city, identifier, cityalerts.close_alert)
