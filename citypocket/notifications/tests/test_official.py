"""Official feeds raise city alerts by themselves: a water restriction read from VigiEau's real-shaped
answers publishes an alert for its commune, a stricter level updates it, the end of the restriction
closes it; subscribers hear each step through the notification centre."""

import json
from pathlib import Path

import pytest

from citypocket.notifications import services as centre
from citypocket.notifications.models import AlertKind, AlertState, CityAlert, Severity
from citypocket.officialfeeds import services, vigieau
from citypocket.officialfeeds.vigilance import parse_vigilance

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).resolve().parents[2] / "officialfeeds" / "tests" / "fixtures"


def water(name: str):
    return vigieau.parse_zones(json.loads((FEEDS / name).read_text()))


def test_a_water_restriction_raises_updates_and_closes_its_alert(aix, rouen, vapid, push_service,
                                                                  django_capture_on_commit_callbacks):
    browser = push_service.subscribe()
    centre.subscribe_push(city=aix, endpoint=browser["endpoint"], p256dh=browser["keys"]["p256dh"],
                          auth=browser["keys"]["auth"], language="fr", theme="city_alerts")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=water("vigieau_alerte_13001.json"))
    alert = CityAlert.objects.get(city=aix)
    assert (alert.kind, alert.severity, alert.state, alert.communes) == (
        AlertKind.WATER, Severity.MODERATE, AlertState.PUBLISHED, [])  # Aix's only commune: the whole city
    assert alert.source == "water_restriction:13001" and alert.author is None and alert.headline_en
    with django_capture_on_commit_callbacks(execute=True):  # the same level again: nothing new
        services.record_water_state(city=aix, commune_code="13001", state=water("vigieau_alerte_13001.json"))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=water("vigieau_crise_13001.json"))
    alert.refresh_from_db()
    assert (alert.version, alert.severity, alert.state) == (2, Severity.EXTREME, AlertState.PUBLISHED)
    assert "→" in alert.change_note_fr and "\u00a0:" in alert.change_note_fr
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=vigieau.parse_zones([]))
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    assert CityAlert.objects.filter(city=rouen).count() == 0
    sent = push_service.messages_for(browser["endpoint"].rsplit("/", 1)[-1])
    titles = [json.loads(message)["title"] for message in sent]  # decrypted, in the device's language
    assert titles[0].startswith("Restrictions d\u2019eau à Aix-en-Provence") and titles[0].endswith("Alerte")
    assert titles[1].startswith("Alerte mise à jour") and titles[1].endswith("Crise")
    assert titles[2].startswith("Fin d'alerte") and len(titles) == 3


def test_a_weather_warning_raises_a_whole_city_alert_marked_demo_when_it_is(rouen,
                                                                            django_capture_on_commit_callbacks):
    payload = json.loads((FEEDS / "vigilance_encours.json").read_text())
    with django_capture_on_commit_callbacks(execute=True):
        services.record_weather_warning(city=rouen, state=parse_vigilance(payload, department="76"), is_demo=True)
    alert = CityAlert.objects.get(city=rouen)  # Seine-Maritime is yellow in the fixture
    assert alert.severity == Severity.MODERATE and alert.state == AlertState.PUBLISHED
    assert alert.kind == AlertKind.STORM and alert.communes == [] and alert.source == "weather_warning:76"
    assert alert.headline_fr.startswith("Démo — ") and alert.headline_en.startswith("Demo — ")
