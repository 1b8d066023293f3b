"""City alerts: staff publish, a second staff member confirms the severe ones, updates tell people what
changed, closing tells them it is over. Each step is sent through `services.notify` (theme
"city_alerts") and written to the audit log.

Who may publish: a city's safety officers and city administrators (`PUBLISHERS`). A severe or
extreme alert waits for a second one of them (never its author) unless the city turned that off
(`AlertSettings.severe_needs_confirmation`).
"""

import hashlib
import json
import math
import uuid
from datetime import timedelta
from itertools import pairwise

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citypocket.audit.models import AuditEntry
from citypocket.audit.services import record
from citypocket.cities.models import City, Role
from citypocket.cities.selectors import has_role
from citypocket.cityinfo.waste_models import Address
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


# --- Where a drawn area reaches: the communes it touches ----------------------------------------------

AREA_MARGIN_M = 300  # an address this close to the drawn line counts as in the area (a drawing is rough)
AREA_CACHE_SECONDS = 24 * 3600


def _metres(lat0: float):
    """A local flat projection around latitude `lat0`: (lon, lat) -> (x, y) in metres (enough for a city)."""
    kx, ky = 111_320 * math.cos(math.radians(lat0)), 110_540

    def project(lon: float, lat: float) -> tuple[float, float]:
        return lon * kx, lat * ky
    return project


def _inside_ring(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: a ray to the east crosses the ring's edges an odd number of times."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _distance_to_ring(x: float, y: float, ring: list[tuple[float, float]]) -> float:
    best = math.inf
    for (x1, y1), (x2, y2) in pairwise(ring):
        dx, dy = x2 - x1, y2 - y1
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(x - x1 - t * dx, y - y1 - t * dy))
    return best


def in_area(polygon: dict, lat: float, lon: float, *, margin_m: float = AREA_MARGIN_M) -> bool:
    """Whether a point is inside the drawn polygon (outside its holes) or within `margin_m` of its edges."""
    rings = polygon["coordinates"]
    project = _metres(rings[0][0][1])
    x, y = project(lon, lat)
    flat = [[project(p[0], p[1]) for p in ring] for ring in rings]
    if _inside_ring(x, y, flat[0]) and not any(_inside_ring(x, y, hole) for hole in flat[1:]):
        return True
    return any(_distance_to_ring(x, y, ring) <= margin_m for ring in flat)


def polygon_communes(city: City, polygon: dict) -> list[str]:
    """The city's communes a drawn area touches (INSEE codes, in the city's order); [] means the whole city.

    A commune is touched when one of its addresses (the national address base the city loaded,
    `cityinfo.Address`) lies inside the polygon or within `AREA_MARGIN_M` of its edge. A commune with
    no address loaded is counted as touched (its extent is unknown), and an area that reaches no
    address at all is the whole city: when in doubt, people are told rather than left out."""
    codes = list(city.insee_codes or [])
    if len(codes) <= 1:
        return codes
    points = [p for ring in polygon["coordinates"] for p in ring]
    margin_lat = AREA_MARGIN_M / 110_540
    margin_lon = AREA_MARGIN_M / (111_320 * math.cos(math.radians(points[0][1])))
    near = (Address.objects.filter(city=city, citycode__in=codes)
            .filter(lat__gte=min(p[1] for p in points) - margin_lat, lat__lte=max(p[1] for p in points) + margin_lat,
                    lon__gte=min(p[0] for p in points) - margin_lon, lon__lte=max(p[0] for p in points) + margin_lon)
            .values_list("citycode", "lat", "lon"))
    touched: set[str] = set()
    for code, lat, lon in near.iterator(chunk_size=2000):
        if code not in touched and in_area(polygon, lat, lon):
            touched.add(code)
    if not touched:
        return []
    mapped = set(Address.objects.filter(city=city, citycode__in=codes).values_list("citycode", flat=True).distinct())
    return [code for code in codes if code in touched or code not in mapped]


def area_communes(alert: CityAlert) -> list[str]:
    """The communes an alert concerns: those ticked, and those its drawn area touches; [] is the whole city.
    What push and e-mail are limited to, what the banner filters on and what the CAP message names.
    Kept in the cache per alert and area (the address query reads many rows)."""
    if not alert.polygon:
        return list(alert.communes)
    if len(alert.city.insee_codes or []) <= 1:  # nothing to read: the city's one commune
        return list(alert.city.insee_codes or [])
    area = json.dumps([alert.polygon, alert.communes, alert.city.insee_codes], sort_keys=True)
    key = f"notifications:alert-area:{alert.pk}:{hashlib.sha256(area.encode()).hexdigest()[:24]}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = polygon_communes(alert.city, alert.polygon)
        cache.set(key, drawn, AREA_CACHE_SECONDS)
    if not drawn:  # the drawn area reaches no known address: the communes ticked, or the whole city
        return list(alert.communes)
    chosen = set(drawn) | set(alert.communes)
    return [code for code in alert.city.insee_codes if code in chosen]


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
    return notify(theme=Theme.CITY_ALERTS, city=alert.city, key=key, severity=severity, communes=area_communes(alert),
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


def last_editor_id(alert: CityAlert) -> int | None:
    """Who last changed a draft after it was written (`alert.edited` in the audit log), or None."""
    entry = (AuditEntry.objects.filter(event="alert.edited", content_type=ContentType.objects.get_for_model(CityAlert),
                                       object_pk=str(alert.pk)).order_by("-timestamp", "-pk").first())
    return entry.actor_id if entry is not None else None


def may_confirm(alert: CityAlert, user) -> bool:
    """The two-person rule: neither the author nor the last person who changed the draft confirms it."""
    return (alert.state == AlertState.DRAFT and alert.author_id != user.pk
            and last_editor_id(alert) != user.pk)


def _lock_draft(alert: CityAlert):
    """Locks the draft's row until the end of the transaction; its last change time (Conflict when it is no
    draft any more)."""
    changed = (CityAlert.objects.select_for_update().filter(pk=alert.pk, state=AlertState.DRAFT)
               .values_list("updated_at", flat=True).first())
    if changed is None:
        raise Conflict("This alert is not waiting for a confirmation any more.")
    return changed


def edit_draft(*, alert: CityAlert, user, **fields) -> CityAlert:
    """Changes a draft waiting for its confirmation (nothing was sent yet, so nobody is told).

    Every edit starts the confirmation over: the confirmer must then be neither the author nor the
    person who made the last edit, so that what is sent has been read by someone else than whoever
    wrote it last. An edit that makes the alert one that needs no confirmation (a lower severity)
    publishes it at once, as writing it so would have."""
    _require_publisher(user, alert.city)
    if alert.state != AlertState.DRAFT:
        raise Conflict("Only a draft waiting for its confirmation can be edited; update a published alert instead.")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidValues(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        _lock_draft(alert)
        for name, value in fields.items():
            setattr(alert, name, value)
        _check(alert)
        alert.save()
        record(actor=user, action="alert.edited", obj=alert, city=alert.city,
               detail={"kind": alert.kind, "severity": alert.severity}, clear=("kind", "severity"))
        if not needs_confirmation(alert):
            _go_live(alert)
    return alert


def confirm_alert(*, alert: CityAlert, user, seen=None) -> CityAlert:
    """The second staff member's confirmation of a severe alert: it is then published and sent. `seen`: the
    draft's `updated_at` as the confirmer read it; a draft changed since answers Conflict (read it again)."""
    _require_publisher(user, alert.city)
    if alert.state != AlertState.DRAFT:
        raise Conflict("This alert is not waiting for a confirmation.")
    if alert.author_id == user.pk:
        raise PermissionDenied("A severe alert must be confirmed by another staff member than its author.")
    with transaction.atomic():
        changed = _lock_draft(alert)  # an edit and a confirmation of the same draft happen one after the other
        if seen is not None and changed != seen:
            raise Conflict("The draft was changed since you read it: read it again before confirming.")
        if last_editor_id(alert) == user.pk:
            raise PermissionDenied("You changed this draft last: another staff member must confirm it.")
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
