"""Notifications API: a city's alerts (JSON, CAP 1.2, Atom) and a device's push subscription."""

from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from ninja import Router

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public, enforce_csrf
from citypocket.core.params import CitySlug
from citypocket.core.problems import responses
from citypocket.core.throttling import write_throttle
from citypocket.notifications import cap, selectors, services
from citypocket.notifications.cityalerts import alert_url
from citypocket.notifications.schemas import (
    AlertList,
    AlertOut,
    DeviceSubscriptionIn,
    DeviceSubscriptionOut,
    VapidKeyOut,
)
from citypocket.notifications.sending import vapid_public_key

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
        "Body: the browser's PushSubscription JSON plus `language` and `themes` (default: city alerts). The "
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
                                               user=request.user, theme=theme)
    settings_url = reverse("notifications:device", kwargs={"city": place.slug, "token": subscription.token})
    return 201, {"token": str(subscription.token), "city": place.slug, "language": subscription.language,
                 "themes": subscription.themes, "settings_url": settings_url}


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
