"""Official feeds raise city alerts by themselves (`officialfeeds.signals.official_level_changed`).

A change of a commune's water-use restriction (VigiEau) or of the département's weather warning
(Météo-France) becomes a city alert of the platform (no author), sent through the notification
centre like any other: the first level above the quiet one publishes an alert; a new level updates it
(a new version, "what changed" in both languages); the quiet level again closes it. One alert per
feed and area (`CityAlert.source`), so a commune's restriction and the weather each have their own.

A water-restriction change is also sent under the `water` theme, every change (the first level, a
new one, the end), to the subscriptions of its commune (or of the whole city), with a key per area,
level and day. A subscription that has both themes hears the change once: the water notification of
a change that also published, updated or closed a city alert skips the subscriptions with
`city_alerts` (its key starts with `WATER_WITH_ALERT`, read by `sending.wants`).

The feeds are the authority, so no second staff confirmation is asked, whatever the severity. The
alert lasts until the level changes, at most `VALIDITY` (a feed that stops answering does not leave
an alert up for ever); a demo feed's alert says it is demo data.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from citypocket.audit.services import record
from citypocket.notifications.cityalerts import _go_live, _send
from citypocket.notifications.models import WATER_WITH_ALERT, AlertKind, AlertState, CityAlert, Severity, Theme
from citypocket.notifications.services import notify
from citypocket.officialfeeds import present

# CAP severities of the feeds' levels: Météo-France's own CAP feed gives yellow Moderate, orange
# Severe, red Extreme; the drought levels climb from vigilance (advice) to crise (bans).
SEVERITIES = {
    "water_restriction": {"vigilance": Severity.MINOR, "alerte": Severity.MODERATE,
                          "alerte_renforcee": Severity.SEVERE, "crise": Severity.EXTREME},
    "weather_warning": {"yellow": Severity.MODERATE, "orange": Severity.SEVERE, "red": Severity.EXTREME},
}
KINDS = {"water_restriction": AlertKind.WATER, "weather_warning": AlertKind.STORM}
VALIDITY = {"water_restriction": timedelta(days=30), "weather_warning": timedelta(days=2)}
DEMO = {"fr": "Démo — ", "en": "Demo — "}


def _texts(texts: dict, url: str, is_demo: bool) -> dict:
    fields = {}
    for language in ("fr", "en"):
        text = texts.get(language) or texts.get("fr") or {}
        prefix = DEMO[language] if is_demo else ""
        fields[f"headline_{language}"] = (prefix + (text.get("title") or ""))[:160]
        fields[f"description_{language}"] = " ".join(part for part in (text.get("body") or "", url) if part)
    return fields


def _change_note(kind: str, old_level, new_level: str, language: str) -> str:
    label = present.water_level_label if kind == "water_restriction" else present.warning_level_label
    with translation.override(language):
        before, after = (label(old_level) if old_level else "—"), label(new_level)
        return (_("Level: %(before)s → %(after)s.") % {"before": before, "after": after})[:300]


def _water_messages(texts: dict, url: str, is_demo: bool) -> dict:
    messages = {}
    for language in ("fr", "en"):
        text = texts.get(language) or texts.get("fr") or {}
        prefix = DEMO[language] if is_demo else ""
        title = prefix + (text.get("title") or "")
        messages[language] = {"title": title[:160], "body": text.get("body") or title, "url": url}
    return messages


def on_level_changed(sender, *, city, kind: str, area: dict, old_level, new_level: str, severity: int, texts: dict,
                     url: str, changed_at, is_demo: bool, **kwargs) -> CityAlert | None:
    """Receiver of `official_level_changed`: publishes, updates or closes the area's alert, and sends a
    water-restriction change to the `water` theme."""
    if kind not in SEVERITIES:
        return None
    communes = [code for code in area.get("communes", []) if code in (city.insee_codes or [])]
    source = f"{kind}:{','.join(communes) or area.get('department', '')}"[:80]
    if set(communes) == set(city.insee_codes or []):
        communes = []  # every commune of the city: the whole city, as staff would say it
    with transaction.atomic():
        alert, alerted = _raise_alert(city=city, kind=kind, source=source, communes=communes, old_level=old_level,
                                      new_level=new_level, texts=texts, url=url, changed_at=changed_at,
                                      is_demo=is_demo)
        if kind == "water_restriction":
            area_key = source.split(":", 1)[1]
            key = f"{WATER_WITH_ALERT if alerted else 'water:'}{area_key}:{new_level}:{changed_at.date().isoformat()}"
            notify(theme=Theme.WATER, city=city, key=key, communes=communes,
                   severity=SEVERITIES[kind].get(new_level, Severity.MINOR),
                   messages=_water_messages(texts, url, is_demo))
    return alert


def _raise_alert(*, city, kind: str, source: str, communes: list[str], old_level, new_level: str, texts: dict,
                 url: str, changed_at, is_demo: bool) -> tuple[CityAlert | None, bool]:
    """Publishes, updates or closes the area's alert; the alert, and whether a city alert was sent."""
    with transaction.atomic():
        alert = (CityAlert.objects.select_for_update().filter(city=city, source=source)
                 .exclude(state=AlertState.CLOSED).order_by("-created_at").first())
        level_severity = SEVERITIES[kind].get(new_level)
        if level_severity is None:  # back to the quiet level
            if alert is not None:
                alert.state, alert.closed_at = AlertState.CLOSED, changed_at
                alert.save(update_fields=["state", "closed_at", "updated_at"])
                record(actor=None, action="alert.closed", obj=alert, city=city, detail={"source": kind},
                       clear=("source",))
                _send(alert, change="closed")
            return alert, alert is not None
        fields = _texts(texts, url, is_demo)
        fields.update(kind=KINDS[kind], severity=level_severity, communes=communes, onset=changed_at,
                      expires=changed_at + VALIDITY[kind])
        if alert is None:
            alert = CityAlert.objects.create(city=city, identifier=uuid.uuid4(), author=None, source=source,
                                             state=AlertState.DRAFT, **fields)
            record(actor=None, action="alert.submitted", obj=alert, city=city,
                   detail={"kind": alert.kind, "severity": alert.severity, "source": kind},
                   clear=("kind", "severity", "source"))
            _go_live(alert)
            return alert, True
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.change_note_fr = _change_note(kind, old_level, new_level, "fr")
        alert.change_note_en = _change_note(kind, old_level, new_level, "en")
        alert.version += 1
        alert.save()
        record(actor=None, action="alert.updated", obj=alert, city=city, detail={"version": alert.version})
        _send(alert, change="updated")
    return alert, True
