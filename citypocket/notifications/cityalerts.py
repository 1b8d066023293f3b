"""City alerts: staff publish, a second staff member confirms the severe ones, updates tell people what
changed, closing tells them it is over. Each step is sent through `services.notify` (theme
"city_alerts") and written to the audit log.

Who may publish: a city's safety officers and city administrators (`PUBLISHERS`). A severe or
extreme alert waits for a second one of them (never its author) unless the city turned that off
(`AlertSettings.severe_needs_confirmation`).
"""

import json
import uuid
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.audit.services import record
from citypocket.cities.models import City, Role
from citypocket.cities.selectors import has_role
from citypocket.core.problems import Conflict, DomainError, InvalidValues, NotFound, PermissionDenied
from citypocket.notifications.models import (
    URGENT,
    AlertConfirmation,
    AlertSettings,
    AlertState,
    CityAlert,
    Notification,
    Theme,
)
from citypocket.notifications.services import LANGUAGES, notify

PUBLISHERS = (Role.SAFETY_OFFICER,)  # city administrators hold every role of their city
TEXT_FIELDS = ("headline", "description", "instruction")
EDITABLE = ("kind", "severity", "communes", "area_name", "polygon", "onset", "expires",
            *(f"{field}_{language}" for field in TEXT_FIELDS for language in LANGUAGES))


class SignInRequired(DomainError):
    status = 401
    slug = "unauthorized"


class SecondFactorRequired(PermissionDenied):
    slug = "second-factor-required"


def may_publish(user, city: City) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_role(user=user, city=city, roles=PUBLISHERS)


def _require_publisher(user, city: City) -> None:
    if not may_publish(user, city):
        raise PermissionDenied("Publishing city alerts needs the safety officer or city administrator role.")


def settings_of(city: City) -> AlertSettings:
    alert_settings, _created = AlertSettings.objects.get_or_create(city=city)
    return alert_settings


def list_staff_alerts(*, city: City, closed_days: int = 30) -> dict[str, list[CityAlert]]:
    """What the staff desk shows: drafts waiting for a confirmation, alerts in force (published and not
    expired yet), and those closed or expired in the last `closed_days` days."""
    now = timezone.now()
    rows = (CityAlert.objects.filter(city=city).select_related("city", "author", "confirmation__user")
            .exclude(state=AlertState.CLOSED, closed_at__lt=now - timedelta(days=closed_days))
            .order_by("-created_at")[:200])
    groups: dict[str, list[CityAlert]] = {"drafts": [], "current": [], "closed": []}
    for alert in rows:
        if alert.state == AlertState.DRAFT:
            groups["drafts"].append(alert)
        elif alert.state == AlertState.PUBLISHED and alert.expires > now:
            groups["current"].append(alert)
        elif alert.expires > now - timedelta(days=closed_days):
            groups["closed"].append(alert)
    return groups


def get_staff_alert(*, city: City, identifier) -> CityAlert:
    """Any alert of `city`, drafts included (for its publishers); another city's alert is unknown here."""
    alert = (CityAlert.objects.select_related("city", "author", "confirmation__user")
             .filter(city=city, identifier=identifier).first())
    if alert is None:
        raise NotFound("No such alert in this city.")
    return alert


def needs_confirmation(alert: CityAlert) -> bool:
    return alert.severity in URGENT and settings_of(alert.city).severe_needs_confirmation


def parse_polygon(text: str) -> dict | None:
    """A GeoJSON Polygon pasted or drawn in a form (None when blank); ValueError when it is not one."""
    text = text.strip()
    if not text:
        return None
    polygon = json.loads(text)  # JSONDecodeError is a ValueError
    try:
        check_polygon(polygon)
    except DomainError as error:
        raise ValueError(str(error)) from error
    return polygon


def check_polygon(polygon) -> None:
    """A GeoJSON Polygon (RFC 7946) of WGS 84 positions with closed rings, or nothing."""
    if polygon in (None, ""):
        return
    rings = polygon.get("coordinates") if isinstance(polygon, dict) else None
    valid = (isinstance(polygon, dict) and polygon.get("type") == "Polygon" and isinstance(rings, list) and rings
             and all(isinstance(ring, list) and len(ring) >= 4 and ring[0] == ring[-1] for ring in rings)
             and all(isinstance(p, list) and len(p) >= 2 and -180 <= p[0] <= 180 and -90 <= p[1] <= 90
                     for ring in rings for p in ring))
    if not valid:
        raise InvalidValues("The drawn area must be a GeoJSON Polygon with closed rings.",
                            errors=[{"field": "polygon", "message": "not a GeoJSON Polygon"}])


def _check(alert: CityAlert) -> None:
    if alert.expires <= alert.onset:
        raise InvalidValues("An alert must end after it starts.", errors=[{"field": "expires", "message": "<= onset"}])
    unknown = set(alert.communes) - set(alert.city.insee_codes or [])
    if unknown:
        raise InvalidValues("These communes are not in the city.",
                            errors=[{"field": "communes", "message": ", ".join(sorted(unknown))}])
    check_polygon(alert.polygon)
    if not alert.headline_fr or not alert.headline_en:
        raise InvalidValues("An alert needs its headline in French and in English.",
                            errors=[{"field": "headline_en", "message": "required"}])


def alert_url(alert: CityAlert) -> str:
    return reverse("notifications:alert", kwargs={"city": alert.city.slug, "identifier": alert.identifier})


def alert_messages(alert: CityAlert, *, change: str = "") -> dict[str, dict]:
    """The notification of one step of the alert (published, updated, closed), in each language."""
    messages = {}
    for language in LANGUAGES:
        with translation.override(language):
            headline = alert.text("headline", language)
            if change == "closed":
                title = _("Alert over: %(headline)s") % {"headline": headline}
                body = _("The city closed this alert.")
            elif change:
                title = _("Alert updated: %(headline)s") % {"headline": headline}
                note = alert.text("change_note", language)
                body = " ".join(part for part in (note, alert.text("instruction", language)) if part)
            else:
                title = headline
                body = " ".join(part for part in (alert.text("description", language),
                                                  alert.text("instruction", language)) if part)
            if alert.area_name:
                body = f"{alert.area_name}. {body}".strip()
        messages[language] = {"title": title, "body": body or title, "url": alert_url(alert),
                              "kind": alert.kind, "alert": str(alert.identifier), "version": alert.version}
    return messages


def _send(alert: CityAlert, *, change: str = "") -> Notification:
    key = f"alert:{alert.identifier}:{'closed' if change == 'closed' else f'v{alert.version}'}"
    severity = "Minor" if change == "closed" else alert.severity
    return notify(theme=Theme.CITY_ALERTS, city=alert.city, key=key, severity=severity, communes=alert.communes,
                  messages=alert_messages(alert, change=change))


def _go_live(alert: CityAlert) -> None:
    alert.state = AlertState.PUBLISHED
    alert.published_at = timezone.now()
    alert.save(update_fields=["state", "published_at", "updated_at"])
    _send(alert)


def publish_alert(*, city: City, author, **fields) -> CityAlert:
    """Creates the alert; sends it at once, or keeps it for a second confirmation when it is severe."""
    _require_publisher(author, city)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidValues(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        alert = CityAlert(city=city, author=author, identifier=uuid.uuid4(), state=AlertState.DRAFT, **fields)
        _check(alert)
        alert.save()
        record(actor=author, action="alert.submitted", obj=alert, city=city,
               detail={"kind": alert.kind, "severity": alert.severity}, clear=("kind", "severity"))
        if not needs_confirmation(alert):
            _go_live(alert)
    return alert


def confirm_alert(*, alert: CityAlert, user) -> CityAlert:
    """The second staff member's confirmation of a severe alert: it is then published and sent."""
    _require_publisher(user, alert.city)
    if alert.state != AlertState.DRAFT:
        raise Conflict("This alert is not waiting for a confirmation.")
    if alert.author_id == user.pk:
        raise PermissionDenied("A severe alert must be confirmed by another staff member than its author.")
    with transaction.atomic():
        AlertConfirmation.objects.create(alert=alert, user=user)
        record(actor=user, action="alert.confirmed", obj=alert, city=alert.city)
        _go_live(alert)
    return alert


def update_alert(*, alert: CityAlert, user, change_note_fr: str, change_note_en: str, **fields) -> CityAlert:
    """Changes a published alert and tells its subscribers what changed (a new version)."""
    _require_publisher(user, alert.city)
    if alert.state != AlertState.PUBLISHED:
        raise Conflict("Only a published alert can be updated.")
    if not change_note_fr or not change_note_en:
        raise InvalidValues("Say what changed, in French and in English.",
                            errors=[{"field": "change_note_en", "message": "required"}])
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidValues(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.change_note_fr, alert.change_note_en = change_note_fr, change_note_en
        alert.version += 1
        _check(alert)
        alert.save()
        record(actor=user, action="alert.updated", obj=alert, city=alert.city, detail={"version": alert.version})
        _send(alert, change="updated")
    return alert


def close_alert(*, alert: CityAlert, user) -> CityAlert:
    """Ends a published (or withdraws a waiting) alert; its subscribers are told it is over."""
    _require_publisher(user, alert.city)
    if alert.state == AlertState.CLOSED:
        return alert
    was_published = alert.state == AlertState.PUBLISHED
    with transaction.atomic():
        alert.state = AlertState.CLOSED
        alert.closed_at = timezone.now()
        alert.save(update_fields=["state", "closed_at", "updated_at"])
        record(actor=user, action="alert.closed", obj=alert, city=alert.city)
        if was_published:
            _send(alert, change="closed")
    return alert
