"""City alerts as CAP 1.2 (OASIS Common Alerting Protocol) XML, and each city's alerts as an Atom feed
(RFC 4287) whose entries link to their CAP messages, so that others can relay them.

One CAP message per version of an alert: `Alert` when published, `Update` for each change (it
references the first message), `Cancel` once closed. One `<info>` per language (fr-FR, en-GB),
one `<area>` with the communes (INSEE geocodes) and the drawn polygon ("lat,lon" pairs, CAP's
order, the reverse of GeoJSON's). Times carry the city's UTC offset, as CAP's dateTime wants.
"""

from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.notifications.cityalerts import area_communes
from citypocket.notifications.models import AlertKind, AlertState, CityAlert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
CATEGORY = {  # CAP <category> of each kind
    AlertKind.ACCIDENT: "Safety", AlertKind.FLOOD: "Met", AlertKind.HEATWAVE: "Met", AlertKind.STORM: "Met",
    AlertKind.WATER: "Env", AlertKind.ROAD: "Transport", AlertKind.HEALTH: "Health",
}
EVENT = {
    "fr": {AlertKind.ACCIDENT: "Accident industriel ou technologique", AlertKind.FLOOD: "Inondation",
           AlertKind.HEATWAVE: "Canicule", AlertKind.STORM: "Tempête", AlertKind.WATER: "Restriction d'eau",
           AlertKind.ROAD: "Route fermée", AlertKind.HEALTH: "Avis de santé publique"},
    "en": {AlertKind.ACCIDENT: "Industrial or technological accident", AlertKind.FLOOD: "Flood",
           AlertKind.HEATWAVE: "Heatwave", AlertKind.STORM: "Storm", AlertKind.WATER: "Water restriction",
           AlertKind.ROAD: "Road closure", AlertKind.HEALTH: "Public-health notice"},
}
CAP_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "https://citypocket.localhost").rstrip("/")


def sender() -> str:
    return f"alerts@{urlsplit(site_url()).hostname or 'citypocket.localhost'}"


def cap_time(moment, city: City) -> str:
    """CAP dateTime: local time with its offset, no fraction, no "Z" (CAP 1.2 §3.3.2)."""
    return moment.astimezone(city.zone).replace(microsecond=0).isoformat()


def message_identifier(alert: CityAlert, *, version: int | None = None, closed: bool | None = None) -> str:
    closed = alert.state == AlertState.CLOSED if closed is None else closed
    suffix = "closed" if closed else f"v{version or alert.version}"
    return f"citypocket-{alert.city.slug}-{alert.identifier}-{suffix}"


def _sub(parent, tag: str, text: str | None = None):
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _polygon(polygon) -> list[str]:
    return [" ".join(f"{lat},{lon}" for lon, lat, *_rest in ring) for ring in polygon["coordinates"][:1]]


def cap_element(alert: CityAlert):
    city = alert.city
    closed = alert.state == AlertState.CLOSED
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", message_identifier(alert))
    _sub(root, "sender", sender())
    _sub(root, "sent", cap_time(alert.closed_at if closed else alert.updated_at, city))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if closed else ("Update" if alert.version > 1 else "Alert"))
    _sub(root, "scope", "Public")
    if closed or alert.version > 1:
        first = message_identifier(alert, version=1, closed=False)
        _sub(root, "references", f"{sender()},{first},{cap_time(alert.published_at or alert.created_at, city)}")
    now = timezone.now()
    web = site_url() + reverse("notifications:alert", kwargs={"city": city.slug, "identifier": alert.identifier})
    for language, cap_language in CAP_LANGUAGES.items():
        info = _sub(root, "info")
        _sub(info, "language", cap_language)
        _sub(info, "category", CATEGORY[alert.kind])
        _sub(info, "event", EVENT[language][alert.kind])
        _sub(info, "urgency", "Past" if closed else ("Immediate" if alert.onset <= now else "Expected"))
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", "Observed" if alert.onset <= now else "Likely")
        _sub(info, "onset", cap_time(alert.onset, city))
        _sub(info, "expires", cap_time(alert.expires, city))
        _sub(info, "senderName", city.official_name or city.name)
        _sub(info, "headline", alert.text("headline", language))
        for field, tag in (("description", "description"), ("instruction", "instruction")):
            if alert.text(field, language):
                _sub(info, tag, alert.text(field, language))
        _sub(info, "web", web)
        area = _sub(info, "area")
        _sub(area, "areaDesc", alert.area_name or city.official_name or city.name)
        if alert.polygon:
            for ring in _polygon(alert.polygon):
                _sub(area, "polygon", ring)
        for code in area_communes(alert) or city.insee_codes or []:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "INSEE")
            _sub(geocode, "value", code)
    return root


def cap_xml(alert: CityAlert) -> bytes:
    """The CAP 1.2 message of the alert's current version."""
    ET.register_namespace("", CAP_NS)
    return ET.tostring(cap_element(alert), encoding="utf-8", xml_declaration=True)


def atom_feed(city: City, alerts, *, language: str = "fr") -> bytes:
    """The city's alerts as Atom, newest first, each entry linking to its page and its CAP message."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    base = site_url()
    feed_path = f"/api/v1/cities/{city.slug}/alerts/feed.atom"
    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    sub(root, "id", f"{base}{feed_path}")
    sub(root, "title", f"{city.name} · CityPocket alerts")
    alerts = list(alerts)
    updated = max((alert.updated_at for alert in alerts), default=timezone.now())
    sub(root, "updated", updated.astimezone(city.zone).replace(microsecond=0).isoformat())
    sub(root, "link", rel="self", type=ATOM_MEDIA_TYPE, href=f"{base}{feed_path}")
    author = sub(root, "author")
    sub(author, "name", city.official_name or city.name)
    for alert in alerts:
        entry = sub(root, "entry")
        sub(entry, "id", f"urn:uuid:{alert.identifier}")
        sub(entry, "title", alert.text("headline", language))
        sub(entry, "updated", alert.updated_at.astimezone(city.zone).replace(microsecond=0).isoformat())
        page = reverse("notifications:alert", kwargs={"city": city.slug, "identifier": alert.identifier})
        sub(entry, "link", rel="alternate", type="text/html", href=f"{base}{page}")
        cap_path = f"/api/v1/cities/{city.slug}/alerts/{alert.identifier}/cap.xml"
        sub(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=f"{base}{cap_path}")
        sub(entry, "summary", alert.text("description", language) or alert.text("headline", language))
        sub(entry, "category", term=alert.kind)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
